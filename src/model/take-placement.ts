/**
 * When each take_gil returned, for recordings made without a probe on its return (giltrace's
 * default: that probe is a third trap a GIL cycle, ~2.7 µs of ~15 on the test VM).
 *
 * CPython's take_gil takes a free GIL at once; else it sleeps on the GIL's condition variable
 * until a drop signals it (or its interval times out) and takes the GIL if it finds it free on
 * waking. Only the holder drops, so the thread that drops a GIL next is the one that took it after
 * the previous drop: events are held back from a drop that left waiters until that GIL's next
 * drop, the take is placed among them, and they go on in order. Placement of X's take between
 * the previous drop and its own: at max(its take_gil entry, the previous drop) when it is on a
 * CPU then, else at its first switch-in after that; a sleep after that woken by a thread of its
 * own process (the GIL's condition variable or mutex) was still the wait: then at the switch-in
 * after that wake-up. A sleep woken otherwise (a timer, I/O) is a hold off-CPU (ctypes.PyDLL's
 * usleep). After a forced switch the dropper sleeps until the taker signals it, right after taking
 * the GIL: that wake-up places the take closer still (`signalled`). A take that finds the GIL free
 * and no one waiting is placed at its entry, unless another thread enters take_gil within
 * FREE_TAKE_RACE_NS or the thread leaves its CPU before that (preempted at its entry, it may not
 * have taken the GIL yet): the probe's timestamp is the call's entry, and a thread entering a few µs
 * later may take the free GIL first (the first one, trapped or preempted, finds it taken and
 * waits): who took it is known at the next drop, as after a drop with waiters (the entrant's own,
 * with nobody else asking since: it took it at its entry after all). (A thread pool
 * passing data through sockets, 3.12: 23-49 of ~20 000 takes a run were given to the first
 * entrant while the second took the GIL, each a `second_holder` and a `drop_while_not_holding`.)
 *
 * Checked against the return probe on real recordings (test/e2e/take-placement.test.ts): placed
 * takes come 1.8-2.7 µs before the probed returns at the median (the probe's own return trap),
 * total waits within 1-2 % where threads contend at the default interval.
 *
 * With the return probed (`returnsProbed`), an attached recording still has takes to place: a
 * thread asleep in take_gil as giltrace attaches began that call before the probes, so no return
 * probe fires for it (a uretprobe is set at the function's entry). Only those waits
 * (`waitsSinceAttach`) are placed then; every other take ends at its probed return.
 */
import { HeldEvents, HeldKind } from './held-events.js';
import type { DropReason, SwitchOutState, TimelineEvent, TimelineSink } from './timeline-events.js';

/** Held events beyond this (a long hold while others wait): the oldest open GIL gets its best guess. */
const MAX_HELD = 100_000;
/**
 * A thread entering take_gil this soon after another found the GIL free may be the one that took
 * it (ns; seen 5 µs apart). Longer costs only events held back that long: the next drop says who.
 */
const FREE_TAKE_RACE_NS = 1_000_000;

interface Waiter {
  readonly pid: number;
  readonly tid: number;
  readonly enter: number;
}

interface GilState {
  holder: number | undefined;
  readonly waiters: Map<number, Waiter>;
  /** Set from a drop that left waiters until the next drop says who took the GIL: that drop's time. */
  openSince: number | undefined;
  /** Who made that drop, when it was a forced switch (it then sleeps until the taker signals it); else 0. */
  forcedBy: number;
  /** Open since an attach's look saw waiters and no holder, no drop since: nothing says anyone took it. */
  openedByLook: boolean;
  /**
   * Open since its only waiter found it free (at its entry): taken there, unless another thread
   * enters before this time (then open as after a drop with waiters). undefined: not so.
   */
  freeTakeUntil: number | undefined;
  /** That waiter left its CPU since it entered (preempted, or asleep on the GIL's mutex): nothing says it took the GIL at its entry. */
  freeTakerLeftCpu: boolean;
  /**
   * That waiter, still the only one since its race ended (0: none): if it is the next to drop, it
   * took the GIL at its entry, as if it had stayed on its CPU (nobody else wanted the GIL).
   */
  loneFreeTaker: number;
}

const NO_SINK: TimelineSink = {
  takeEnter: () => {}, takeReturn: () => {}, drop: () => {}, schedSwitch: () => {}, waking: () => {}, add: () => {},
};

export class TakePlacement implements TimelineSink {
  /** `returnsProbed`: take_gil's returns are in the events; only waits begun before the probes are placed. */
  constructor(readonly returnsProbed = false) {}

  /** Takes placed. */
  placed = 0;
  /** Of them, placed by a guess (too many events held back, the recording's end, lost events). */
  guesses = 0;
  private downstream: TimelineSink = NO_SINK;
  private readonly gils = new Map<string, GilState>();
  private readonly gilOfTid = new Map<number, string>();
  private readonly pidOfTid = new Map<number, number>();
  private readonly held = new HeldEvents();
  private openCount = 0;
  /** The earliest open GIL's openSince (Infinity when none): held events up to it can go on. */
  private openFrom = Infinity;
  /** The earliest end of a race for a free GIL (GilState.freeTakeUntil; Infinity: none). */
  private freeTakesUntil = Infinity;
  /** Each GIL's state, also as a list (iterated at every take: no iterator object each time). */
  private readonly gilList: GilState[] = [];

  /** This placement, sending its events to `sink` from now on (the adapter's sink of each batch). */
  into(sink: TimelineSink): this {
    this.downstream = sink;
    return this;
  }

  takeEnter(time: number, pid: number, tid: number, gil: string, stack: number): void {
    if (time > this.freeTakesUntil) this.settleFreeTakes(time);
    const state = this.entered(time, pid, tid, gil, stack);
    if (state.holder === tid) state.holder = undefined; // its drop was lost
    if (this.returnsProbed) return; // its return says when it took the GIL
    const free = state.holder === undefined && state.openSince === undefined && state.waiters.size === 0;
    // another thread within the race: who took the GIL is known at the next drop
    if (state.freeTakeUntil !== undefined) this.endFreeTake(state);
    state.waiters.set(tid, { pid, tid, enter: time });
    if (free) {
      this.open(state, time);
      state.freeTakerLeftCpu = false;
      state.freeTakeUntil = time + FREE_TAKE_RACE_NS;
      this.freeTakesUntil = Math.min(this.freeTakesUntil, state.freeTakeUntil);
    }
  }

  /**
   * `tid` has waited in take_gil since before the probes (seen so as giltrace attached): with
   * the return probed as without it, when it took the GIL is placed from the events. Asleep
   * there, it did not take a GIL nobody was seen holding as the look was made (let go just
   * before, by a thread seen idle in between: a C call's short sleep): who took it is known at
   * the next drop, as after any drop with waiters. (Given the GIL at once, the waiter held it
   * through the other thread's next 500 ms hold: 1 attach in 3 of long_holds.py, 12-05.)
   */
  waitsSinceAttach(time: number, pid: number, tid: number, gil: string, stack: number): void {
    this.settleFreeTakes(time, true);
    const state = this.entered(time, pid, tid, gil, stack);
    if (state.holder === tid) state.holder = undefined;
    state.waiters.set(tid, { pid, tid, enter: time });
    if (state.holder === undefined && state.openSince === undefined) {
      this.open(state, time);
      state.openedByLook = true;
    }
  }

  /**
   * `tid` holds `gil` at `time`, by what giltrace saw as it attached (its take began before the
   * probes): taken there, whatever this placement took to be waiting or open (a thread that asked
   * since, or a drop whose taker was not known yet: this one took it).
   */
  holdsAt(time: number, pid: number, tid: number, gil: string, stack: number): void {
    this.took(this.entered(time, pid, tid, gil, stack), time, pid, tid);
    this.placed++;
  }

  /** `tid` entered take_gil for `gil` at `time` (the event goes on, or is held): a waiter for no other GIL; its GIL's state. */
  private entered(time: number, pid: number, tid: number, gil: string, stack: number): GilState {
    this.pidOfTid.set(tid, pid);
    this.gilOfTid.set(tid, gil);
    if (this.passing(time)) this.downstream.takeEnter(time, pid, tid, gil, stack);
    else this.held.takeEnter(time, pid, tid, gil, stack);
    for (const other of this.gilList) if (other.waiters.size > 0) other.waiters.delete(tid);
    const state = this.gilState(gil);
    // another thread asks: who took the GIL is known at the next drop, by the rules
    if (state.loneFreeTaker !== tid) state.loneFreeTaker = 0;
    return state;
  }

  /** A probed return (returnsProbed): `tid` took its GIL at `time`, whoever else waited since a drop. */
  takeReturn(time: number, pid: number, tid: number): void {
    if (time > this.freeTakesUntil) this.settleFreeTakes(time);
    const gil = this.gilOfTid.get(tid);
    if (this.returnsProbed && gil !== undefined) this.took(this.gilState(gil), time, pid, tid);
    else this.returned(time, pid, tid);
  }

  /** `tid` holds the GIL of `state` from `time`: a drop open till now is closed, its waiters wait on. */
  private took(state: GilState, time: number, pid: number, tid: number): void {
    state.waiters.delete(tid);
    state.holder = tid;
    this.returned(time, pid, tid);
    if (state.openSince !== undefined) {
      this.close(state);
      this.flush();
    }
  }

  private returned(time: number, pid: number, tid: number): void {
    if (this.passing(time)) this.downstream.takeReturn(time, pid, tid);
    else this.held.takeReturn(time, pid, tid);
  }

  drop(time: number, pid: number, tid: number, reason: DropReason, stack: number): void {
    if (time > this.freeTakesUntil) this.settleFreeTakes(time);
    const gil = this.gilOfTid.get(tid) ?? `${pid}`;
    const state = this.gilState(gil);
    const waiter = state.waiters.get(tid);
    if (state.openSince !== undefined) {
      if (waiter !== undefined) this.place(state, waiter, time);
      this.close(state);
    } else if (waiter !== undefined && state.holder !== tid) {
      // it held the GIL, though it was waiting behind another holder here (events lost)
      this.guesses++;
      this.place(state, waiter, time);
    }
    if (this.passing(time)) this.downstream.drop(time, pid, tid, reason, stack);
    else this.held.drop(time, pid, tid, reason, stack);
    this.released(state, tid, time, reason === 'forced');
    this.flush();
  }

  schedSwitch(time: number, cpu: number, prevTid: number, prevState: SwitchOutState, nextTid: number): void {
    if (time > this.freeTakesUntil) this.settleFreeTakes(time);
    if (this.freeTakesUntil !== Infinity) {
      for (const state of this.gilList) if (state.freeTakeUntil !== undefined && state.waiters.has(prevTid)) state.freeTakerLeftCpu = true;
    }
    if (this.passing(time)) {
      this.held.passedOffCpu.switched(prevTid, nextTid);
      this.downstream.schedSwitch(time, cpu, prevTid, prevState, nextTid);
      return;
    }
    this.held.schedSwitch(time, cpu, prevTid, prevState, nextTid);
    this.flush();
  }

  waking(time: number, tid: number, by?: number): void {
    if (time > this.freeTakesUntil) this.settleFreeTakes(time);
    if (this.passing(time)) this.downstream.waking(time, tid, by);
    else this.held.waking(time, tid, by ?? 0);
  }

  add(event: TimelineEvent): void {
    // (what an attach's look saw, placed against the events as they pass: a free GIL's race ends)
    if (event.kind === 'cpu_at_attach' || (event.time > this.freeTakesUntil && event.kind !== 'thread_name')) this.settleFreeTakes(event.time, event.kind === 'cpu_at_attach');
    if (event.kind === 'cpu_at_attach' && event.state !== 'running' && this.passing(event.time)) {
      // off a CPU as giltrace attached (asleep in take_gil): its take is at a switch-in
      this.held.passedOffCpu.switched(event.tid, 0);
    }
    // a thread that exits, or whose process execs another program, is done with its GIL
    if (event.kind !== 'thread_exit' && !(event.kind === 'thread_name' && event.exec)) return this.hold(event);
    for (const state of this.gilList) {
      // A waiter that ran after the GIL was let go and execs, or exits as the main thread (it
      // finalizes the interpreter holding the GIL), took it, as did one that found it free with
      // nobody else asking. Another thread that exits in take_gil ends without it: CPython ends
      // a daemon thread that asks for the GIL as the interpreter shuts down (3.12: on entry;
      // 3.13: woken in its wait by the last drop).
      const waiter = state.waiters.get(event.tid);
      const takesIt = event.kind !== 'thread_exit' || event.tid === event.pid || state.loneFreeTaker === event.tid;
      if (waiter !== undefined && state.openSince !== undefined && takesIt) {
        // (the lone free taker: at its entry, as at its own drop)
        const at = state.loneFreeTaker === waiter.tid ? waiter.enter : this.placement(waiter, Math.max(waiter.enter, state.openSince), event.time);
        if (!Number.isNaN(at)) {
          this.place(state, waiter, event.time, at);
          this.close(state);
        }
      }
      state.waiters.delete(event.tid);
      // a holder gone without a drop: the GIL is free (its events lost), unless it was the main
      // thread, which ends its process (its other threads end after it, as they were)
      if (state.holder === event.tid) {
        if (event.kind === 'thread_exit' && event.tid === event.pid) state.holder = undefined;
        else this.released(state, event.tid, event.time);
      }
    }
    this.hold(event);
  }

  /** The end of the events: GILs still open get their best guess, and everything held goes on. */
  end(): void {
    while (this.openCount > 0) this.guessOldest();
    this.held.passTo(this.downstream, this.held.length);
  }

  /**
   * The free GILs whose race ended before `time` (`all`: every one) with one thread in it: taken
   * at its entry, unless that thread left its CPU since: then who took the GIL is known at the
   * next drop, as after a drop with waiters. (A pool thread of socket_pool.py on 3.8, preempted
   * by perf 20 µs after entering take_gil on a loaded machine, was off its CPU for 8.6 ms; the
   * thread that entered next took the GIL, and placed at the first one's entry that take made a
   * `second_holder` and a `drop_while_not_holding`: CI, 12-06.)
   */
  private settleFreeTakes(time: number, all = false): void {
    for (const state of this.gilList) {
      if (state.freeTakeUntil === undefined || (time <= state.freeTakeUntil && !all)) continue;
      if (state.freeTakerLeftCpu && !all) {
        const [taker] = state.waiters.values();
        state.loneFreeTaker = taker?.tid ?? 0;
        this.endFreeTake(state);
        continue;
      }
      const [taker] = state.waiters.values();
      if (taker !== undefined) this.place(state, taker, time);
      this.close(state);
      this.flush();
    }
  }

  private endFreeTake(state: GilState): void {
    const until = state.freeTakeUntil;
    state.freeTakeUntil = undefined;
    if (until !== this.freeTakesUntil) return;
    this.freeTakesUntil = Infinity;
    for (const other of this.gilList) if (other.freeTakeUntil !== undefined && other.freeTakeUntil < this.freeTakesUntil) this.freeTakesUntil = other.freeTakeUntil;
  }

  /** Nothing is held back: the event at `time` goes straight on (most of an uncontended recording). */
  private passing(time: number): boolean {
    if (this.openCount !== 0 || !this.held.empty) return false;
    this.held.passedUntil = time;
    return true;
  }

  private gilState(gil: string): GilState {
    let state = this.gils.get(gil);
    if (state === undefined) {
      this.gils.set(gil, (state = { holder: undefined, waiters: new Map(), openSince: undefined, forcedBy: 0, openedByLook: false, freeTakeUntil: undefined, freeTakerLeftCpu: false, loneFreeTaker: 0 }));
      this.gilList.push(state);
    }
    return state;
  }

  /** `tid` no longer holds the GIL: with waiters, who takes it is known only at the next drop. */
  private released(state: GilState, tid: number, time: number, forced = false): void {
    if (state.holder === tid) state.holder = undefined;
    state.waiters.delete(tid);
    if (state.waiters.size > 0) this.open(state, time, forced ? tid : 0);
  }

  /** Who takes the GIL of `state`, free with waiters from `time`, is known at its next drop (`forcedBy`: who let go, forced). */
  private open(state: GilState, time: number, forcedBy = 0): void {
    if (state.openSince !== undefined) return;
    state.openSince = time;
    state.forcedBy = forcedBy;
    state.openedByLook = false;
    this.openCount++;
    if (time < this.openFrom) this.openFrom = time;
  }

  private close(state: GilState): void {
    if (state.freeTakeUntil !== undefined) this.endFreeTake(state);
    state.loneFreeTaker = 0;
    const since = state.openSince;
    state.openSince = undefined;
    this.openCount--;
    if (since === this.openFrom) {
      this.openFrom = Infinity;
      for (const other of this.gilList) if (other.openSince !== undefined && other.openSince < this.openFrom) this.openFrom = other.openSince;
    }
  }

  private hold(event: TimelineEvent): void {
    // (a name's time orders nothing: the builder takes names as metadata)
    if (this.passing(event.kind === 'thread_name' ? this.held.passedUntil : event.time)) {
      this.downstream.add(event);
    } else {
      this.held.other(event);
    }
  }

  /**
   * X took the GIL after its state's open drop and before `until` (its own drop): placed among the
   * held events, at `at` when already known.
   */
  private place(state: GilState, x: Waiter, until: number, at?: number): void {
    state.waiters.delete(x.tid);
    state.holder = x.tid;
    this.placed++;
    const from = Math.max(x.enter, state.openSince ?? x.enter);
    // (a free GIL nobody else asked for within the race, or since when its taker left its CPU
    // in it: at its entry. The rules would take a sleep of the holder that a thread of its own
    // process ended for the wait, anywhere in the hold: on 3.13 a subinterpreter's thread, alone
    // with its GIL, sleeps on a runtime lock just before it lets go after 2 s, and was placed
    // waiting all that time, 1 run in ~150.)
    const lone = state.freeTakeUntil !== undefined || state.loneFreeTaker === x.tid;
    const placed = at ?? (lone ? x.enter : undefined) ?? this.signalled(state, x, from, until) ?? this.placement(x, from, until);
    // never seen on a CPU since: it took the GIL, but when is not known better than this
    this.held.insertTake(Math.max(Number.isNaN(placed) ? from : placed, this.held.passedUntil), x.pid, x.tid);
  }

  /**
   * After a forced switch the dropper sleeps until the thread that takes the GIL signals it, right
   * after taking it (take_gil's switch_cond): X's waking of the dropper places X's take within a
   * µs or two, closer than the scheduler alone can (X on a CPU at the drop still waits for the
   * dropper to finish letting go). undefined when the dropper did not sleep for it (X was quicker).
   */
  private signalled(state: GilState, x: Waiter, from: number, until: number): number | undefined {
    const dropper = state.forcedBy;
    if (dropper === 0 || state.openSince === undefined) return undefined;
    const { kind, time, b, c } = this.held;
    // the dropper's first wake-up after its drop, before it asks for the GIL again (a later one
    // is something else: a timer firing while X ran also names X as the waker)
    for (let i = this.held.head; i < this.held.tail && time[i] < until; i++) {
      if (time[i] < state.openSince || b[i] !== dropper) continue;
      if (kind[i] === HeldKind.takeEnter) return undefined;
      if (kind[i] === HeldKind.waking) return c[i] === x.tid && time[i] >= from ? time[i] : undefined;
    }
    return undefined;
  }

  /** Where the rules place X's take after `from` and before `until`; NaN when it was not on a CPU in between. */
  private placement(x: Waiter, from: number, until: number): number {
    const held = this.held;
    const { kind, time, b, c } = held;
    const tid = x.tid;
    // on a CPU at `from`? its last switch (or take entry) until then
    let onCpu = !held.passedOffCpu.has(tid);
    let i = held.head;
    for (; i < held.tail && time[i] <= from; i++) {
      if (kind[i] === HeldKind.switch) {
        if (b[i] === tid) onCpu = false;
        if (c[i] === tid) onCpu = true;
      } else if (kind[i] === HeldKind.takeEnter && b[i] === tid) onCpu = true;
    }
    let at = onCpu ? from : NaN;
    if (!onCpu) {
      for (; i < held.tail && time[i] < until; i++) {
        if (kind[i] === HeldKind.switch && c[i] === tid) {
          at = time[i];
          i++;
          break;
        }
      }
    }
    // a sleep after `at` woken by a thread of its own process was still the wait
    let asleep = false;
    let wokenByOwn = false;
    for (; i < held.tail && time[i] < until; i++) {
      if (kind[i] === HeldKind.switch && b[i] === tid && held.sleptAt(i)) {
        asleep = true;
        wokenByOwn = false;
      } else if (asleep && kind[i] === HeldKind.waking && b[i] === tid) {
        wokenByOwn = this.pidOfTid.get(c[i]) === x.pid;
        if (!wokenByOwn) break;
      } else if (asleep && kind[i] === HeldKind.switch && c[i] === tid) {
        if (!wokenByOwn) break;
        at = time[i];
        asleep = false;
      }
    }
    return at;
  }

  /** Passes on the held events before which no open GIL can place a take; too many held: the oldest open GIL is guessed. */
  private flush(): void {
    const held = this.held;
    if (held.empty) return;
    if (held.length > MAX_HELD) this.guessOldest();
    const bound = this.openFrom;
    // the usual case while a GIL is open: nothing before it is left to pass on
    if (held.head < held.tail && held.time[held.head] > bound && !held.insertsFirst) return;
    let n = held.head;
    while (n < held.tail && held.time[n] <= bound) n++;
    // (takes placed before every held event go out even when no event does)
    held.passTo(this.downstream, n - held.head);
  }

  /** The oldest open GIL's next holder, without its drop: the waiter the rules place first. */
  private guessOldest(): void {
    let oldest: GilState | undefined;
    for (const state of this.gilList) if (state.openSince !== undefined && (!oldest || state.openSince < oldest.openSince!)) oldest = state;
    if (!oldest) {
      this.openCount = 0;
      this.openFrom = Infinity;
      return;
    }
    const until = this.held.length > 0 ? this.held.time[this.held.tail - 1] : Infinity;
    let first: Waiter | undefined;
    let firstAt = Infinity;
    for (const waiter of oldest.waiters.values()) {
      const at = this.placement(waiter, Math.max(waiter.enter, oldest.openSince!), until);
      const key = Number.isNaN(at) ? Infinity : at;
      if (first === undefined || key < firstAt) [first, firstAt] = [waiter, key];
    }
    // (a GIL free since an attach's look with no drop since: its waiters may all still wait)
    if (first && !oldest.openedByLook) {
      if (oldest.freeTakeUntil === undefined && oldest.loneFreeTaker !== first.tid) this.guesses++;
      this.place(oldest, first, until);
    }
    this.close(oldest);
  }
}
