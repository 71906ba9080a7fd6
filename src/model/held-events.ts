/**
 * The events TakePlacement holds back, in columns: a contended recording holds nearly all of its
 * millions of events for a while, and an object each made stats 35 % slower (mostly the garbage
 * collector). The takes it places go among them (`insertTake`), each after the last held event
 * at or before its time, and come out in their place when the events are passed on.
 */
import type { DropReason, SwitchOutState, TimelineEvent, TimelineSink } from './timeline-events.js';

export const HeldKind = { takeEnter: 0, takeReturn: 1, drop: 2, switch: 3, waking: 4, other: 5 } as const;

const REASONS: readonly DropReason[] = ['forced', 'voluntary', 'unknown'];
const STATES: readonly SwitchOutState[] = ['runnable', 'sleeping', 'blocked', 'dead'];
/** Each name's index in `names`, as an object (a lookup at every held event: no indexOf). */
const codesOf = <T extends string>(names: readonly T[]): Readonly<Record<T, number>> =>
  Object.fromEntries(names.map((name, i) => [name, i])) as Record<T, number>;
const REASON_CODES = codesOf(REASONS);
const STATE_CODES = codesOf(STATES);

/** A placed take: after held event `after` (an absolute index; head - 1: before them all). */
interface Insert {
  readonly after: number;
  readonly time: number;
  readonly pid: number;
  readonly tid: number;
}

/**
 * Which threads are off a CPU, by a byte per tid (a Set's add and delete at every switch of a
 * recording showed in profiles); tids beyond the default pid_max go in a Set.
 */
export class OffCpu {
  private readonly bytes = new Uint8Array(1 << 22);
  private readonly beyond = new Set<number>();

  switched(prevTid: number, nextTid: number): void {
    if (prevTid !== 0) this.set(prevTid, true);
    this.set(nextTid, false);
  }

  has(tid: number): boolean {
    return tid < this.bytes.length ? this.bytes[tid] === 1 : this.beyond.has(tid);
  }

  private set(tid: number, off: boolean): void {
    if (tid < this.bytes.length) this.bytes[tid] = off ? 1 : 0;
    else if (off) this.beyond.add(tid);
    else this.beyond.delete(tid);
  }
}

export class HeldEvents {
  // Columns by absolute index (head ≤ i < tail). take_enter: a pid, b tid, c stack, ref gil;
  // take_return: a pid, b tid; drop: a pid, b tid, c stack, d reason; switch: a cpu, b prev,
  // c next, d state; waking: b tid, c waker; other: ref the event.
  kind = new Uint8Array(1024);
  time = new Float64Array(1024);
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  c = new Int32Array(1024);
  d = new Uint8Array(1024);
  /** As long as the columns and filled from the start (dense: V8's fast elements). */
  ref: unknown[] = new Array<unknown>(1024).fill(undefined);
  head = 0;
  tail = 0;
  /** Placed takes in the order they go out; those before `insertsHead` went out already. */
  private inserts: Insert[] = [];
  private insertsHead = 0;
  /** Threads off a CPU as of the events passed on (see OffCpu). */
  readonly passedOffCpu = new OffCpu();
  /** The time of the last event passed on. */
  passedUntil = -Infinity;

  get length(): number {
    return this.tail - this.head;
  }

  /** A placed take waits to go out before every held event. */
  get insertsFirst(): boolean {
    return this.insertsHead < this.inserts.length && this.inserts[this.insertsHead].after < this.head;
  }

  /** No event held and no take waiting to go out. */
  get empty(): boolean {
    return this.tail === this.head && this.insertsHead === this.inserts.length;
  }

  takeEnter(time: number, pid: number, tid: number, gil: string, stack: number): void {
    const i = this.slot(HeldKind.takeEnter, time);
    this.a[i] = pid;
    this.b[i] = tid;
    this.c[i] = stack;
    this.ref[i] = gil;
  }

  takeReturn(time: number, pid: number, tid: number): void {
    const i = this.slot(HeldKind.takeReturn, time);
    this.a[i] = pid;
    this.b[i] = tid;
  }

  drop(time: number, pid: number, tid: number, reason: DropReason, stack: number): void {
    const i = this.slot(HeldKind.drop, time);
    this.a[i] = pid;
    this.b[i] = tid;
    this.c[i] = stack;
    this.d[i] = REASON_CODES[reason];
  }

  schedSwitch(time: number, cpu: number, prevTid: number, prevState: SwitchOutState, nextTid: number): void {
    const i = this.slot(HeldKind.switch, time);
    this.a[i] = cpu;
    this.b[i] = prevTid;
    this.c[i] = nextTid;
    this.d[i] = STATE_CODES[prevState];
  }

  waking(time: number, tid: number, by: number): void {
    const i = this.slot(HeldKind.waking, time);
    this.b[i] = tid;
    this.c[i] = by;
  }

  other(event: TimelineEvent): void {
    // a name's time orders nothing (the builder takes names as metadata): it keeps its place
    const time = event.kind !== 'thread_name' ? event.time : this.tail > this.head ? this.time[this.tail - 1] : this.passedUntil;
    // (the slot first: making room replaces `ref`, and `this.ref[this.slot(…)] = event` wrote
    // into the array it replaced: the event was lost, and passed on as undefined)
    const i = this.slot(HeldKind.other, time);
    this.ref[i] = event;
  }

  /** Whether switch `i` put its thread to sleep (not preempted). */
  sleptAt(i: number): boolean {
    return this.d[i] !== 0;
  }

  /** A placed take, among the held events after every one at or before `time`. */
  insertTake(time: number, pid: number, tid: number): void {
    let after = this.tail - 1;
    while (after >= this.head && this.time[after] > time) after--;
    const inserts = this.inserts;
    let at = inserts.length;
    while (at > this.insertsHead && inserts[at - 1].after > after) at--;
    if (at === inserts.length) inserts.push({ after, time, pid, tid });
    else inserts.splice(at, 0, { after, time, pid, tid });
  }

  /** Passes the first `count` held events (and the takes placed among them) on to `sink`. */
  passTo(sink: TimelineSink, count: number): void {
    if (count === 0 && !this.insertsFirst) return;
    const end = this.head + count;
    let next = this.insertsHead;
    const inserts = this.inserts;
    for (; next < inserts.length && inserts[next].after < this.head; next++) this.passTake(sink, inserts[next]);
    for (let i = this.head; i < end; i++) {
      this.passOne(sink, i);
      for (; next < inserts.length && inserts[next].after === i; next++) this.passTake(sink, inserts[next]);
    }
    if (next === inserts.length) {
      inserts.length = 0;
      this.insertsHead = 0;
    } else {
      this.insertsHead = next;
    }
    for (let i = this.head; i < end; i++) this.ref[i] = undefined;
    this.head = end;
    if (this.head === this.tail && this.insertsHead === 0) this.head = this.tail = 0;
  }

  private passTake(sink: TimelineSink, take: Insert): void {
    this.passedUntil = take.time;
    sink.takeReturn(take.time, take.pid, take.tid);
  }

  private passOne(sink: TimelineSink, i: number): void {
    const time = this.time[i];
    this.passedUntil = time;
    switch (this.kind[i]) {
      case HeldKind.takeEnter:
        return sink.takeEnter(time, this.a[i], this.b[i], this.ref[i] as string, this.c[i]);
      case HeldKind.takeReturn:
        return sink.takeReturn(time, this.a[i], this.b[i]);
      case HeldKind.drop:
        return sink.drop(time, this.a[i], this.b[i], REASONS[this.d[i]], this.c[i]);
      case HeldKind.switch: {
        const prev = this.b[i];
        const next = this.c[i];
        this.passedOffCpu.switched(prev, next);
        return sink.schedSwitch(time, this.a[i], prev, STATES[this.d[i]], next);
      }
      case HeldKind.waking:
        return sink.waking(time, this.b[i], this.c[i]);
      default:
        return sink.add(this.ref[i] as TimelineEvent);
    }
  }

  /** The index of a new event at the tail; the columns grow (or move back to 0) as needed. */
  private slot(kind: number, time: number): number {
    if (this.tail === this.kind.length) this.makeRoom();
    const i = this.tail++;
    this.kind[i] = kind;
    this.time[i] = time;
    return i;
  }

  private makeRoom(): void {
    const live = this.tail - this.head;
    const size = live * 2 > this.kind.length ? this.kind.length * 2 : this.kind.length;
    const move = <T extends Uint8Array | Int32Array | Float64Array>(column: T, make: (n: number) => T): T => {
      const moved = make(size);
      moved.set(column.subarray(this.head, this.tail));
      return moved;
    };
    this.kind = move(this.kind, (n) => new Uint8Array(n));
    this.time = move(this.time, (n) => new Float64Array(n));
    this.a = move(this.a, (n) => new Int32Array(n));
    this.b = move(this.b, (n) => new Int32Array(n));
    this.c = move(this.c, (n) => new Int32Array(n));
    this.d = move(this.d, (n) => new Uint8Array(n));
    const ref = new Array<unknown>(size).fill(undefined);
    for (let i = this.head; i < this.tail; i++) ref[i - this.head] = this.ref[i];
    this.ref = ref;
    this.inserts = this.inserts.slice(this.insertsHead).map((take) => ({ ...take, after: take.after - this.head }));
    this.insertsHead = 0;
    this.tail = live;
    this.head = 0;
  }
}
