import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TakePlacement } from './take-placement.js';
import type { TimelineEvent, TimelineSink } from './timeline-events.js';

const PID = 100;
const A = 101;
const B = 102;
const C = 103;
const OTHER = 900; // a thread of another process (a timer's or I/O's wake-up)

/** One input step: a GIL probe or scheduler fact, as the adapter hands them on. */
type Step =
  | ['take', number, number]
  | ['takeOwn', number, number] // a take of another GIL of the process (a 3.12+ subinterpreter's own)
  | ['drop', number, number]
  | ['forced', number, number] // a drop forced by the switch interval
  | ['in', number, number] // switched in on cpu 0
  | ['sleep', number, number] // switched out asleep
  | ['preempt', number, number] // switched out runnable
  | ['wake', number, number, number] // time, tid, woken by
  | ['exit', number, number]
  | ['ret', number, number] // a probed return (the placement made with returnsProbed)
  | ['since', number, number]; // asleep in take_gil since before the probes (an attach's look)

/** Runs the steps through a placement; returns every event it passed on, as `kind tid@time`. */
function place(steps: readonly Step[], returnsProbed = false): string[] {
  const out: string[] = [];
  let last = -Infinity;
  const seen = (time: number, text: string): void => {
    assert.ok(time >= last, `in time order: ${text} after ${last}`);
    last = time;
    out.push(text);
  };
  const sink: TimelineSink = {
    takeEnter: (time, _pid, tid) => seen(time, `enter ${tid}@${time}`),
    takeReturn: (time, _pid, tid) => seen(time, `TAKEN ${tid}@${time}`),
    drop: (time, _pid, tid) => seen(time, `drop ${tid}@${time}`),
    schedSwitch: (time, _cpu, prev, _state, next) => seen(time, `switch ${prev}>${next}@${time}`),
    waking: (time, tid) => seen(time, `wake ${tid}@${time}`),
    add: (event: TimelineEvent) => seen(event.time, `${event.kind} ${'tid' in event ? event.tid : ''}@${event.time}`),
  };
  const placement = new TakePlacement(returnsProbed).into(sink);
  for (const [kind, time, tid, by] of steps) {
    if (kind === 'take') placement.takeEnter(time, PID, tid, `${PID}`, 0);
    else if (kind === 'takeOwn') placement.takeEnter(time, PID, tid, `${PID}/2`, 0);
    else if (kind === 'ret') placement.takeReturn(time, PID, tid);
    else if (kind === 'since') {
      placement.add({ kind: 'cpu_at_attach', time, pid: PID, tid, state: 'sleeping' });
      placement.waitsSinceAttach(time, PID, tid, `${PID}`, 0);
    }
    else if (kind === 'drop') placement.drop(time, PID, tid, 'unknown', 0);
    else if (kind === 'forced') placement.drop(time, PID, tid, 'forced', 0);
    else if (kind === 'in') placement.schedSwitch(time, 0, 0, 'runnable', tid);
    else if (kind === 'sleep') placement.schedSwitch(time, 0, tid, 'sleeping', 0);
    else if (kind === 'preempt') placement.schedSwitch(time, 0, tid, 'runnable', 0);
    else if (kind === 'wake') placement.waking(time, tid, by);
    else placement.add({ kind: 'thread_exit', time, pid: tid === OTHER ? 9 : PID, tid });
  }
  placement.end();
  const passedOn = steps.filter(([kind]) => kind !== 'ret').length + steps.filter(([kind]) => kind === 'since').length;
  assert.equal(out.filter((e) => !e.startsWith('TAKEN')).length, passedOn, 'every event passed on, once');
  return out;
}

const taken = (events: readonly string[]): string[] => events.filter((e) => e.startsWith('TAKEN'));

describe('take placement (take_gil returns not probed)', () => {
  it('a take of a free GIL nobody waits for is placed at its entry', () => {
    assert.deepEqual(taken(place([['take', 10, A], ['drop', 20, A], ['take', 30, A]])), ['TAKEN 101@10', 'TAKEN 101@30']);
  });

  it('of two threads asking for a free GIL a moment apart, the one that lets go first took it: the first entry may lose the race', () => {
    // (the probe's time is take_gil's entry: the first, trapped or preempted, found it taken)
    assert.deepEqual(taken(place([['take', 10, A], ['take', 15, B], ['drop', 30, B], ['drop', 50, A]])), ['TAKEN 102@15', 'TAKEN 101@30']);
    assert.deepEqual(taken(place([['take', 10, A], ['take', 15, B], ['drop', 30, A], ['drop', 50, B]])), ['TAKEN 101@10', 'TAKEN 102@30']);
  });

  it('an attach\'s look ends a free GIL\'s race: a waiter it saw asleep takes the GIL when back on a CPU after the drop', () => {
    assert.deepEqual(taken(place([['take', 10, A], ['since', 12, B], ['drop', 30, A], ['in', 35, B], ['drop', 50, B]])), ['TAKEN 101@10', 'TAKEN 102@35']);
  });

  it('a thread asking after the race (1 ms) waits for the one that found the GIL free; that take is passed on without waiting for its drop', () => {
    const events = place([['take', 10, A], ['in', 2_000_000, C], ['take', 3_000_000, B], ['drop', 4_000_000, A], ['drop', 5_000_000, B]]);
    assert.deepEqual(taken(events), ['TAKEN 101@10', 'TAKEN 102@4000000']);
    assert.deepEqual(events.slice(0, 3), ['enter 101@10', 'TAKEN 101@10', 'switch 0>103@2000000']);
  });

  it('a thread that found the GIL free and left its CPU before the race ended did not surely take it: the next drop says who did', () => {
    // A preempted 20 µs after its entry, off its CPU for 8.6 ms; B enters, takes the GIL and lets go
    const events = place([['take', 10, A], ['preempt', 30, A], ['in', 8_600_000, B], ['take', 8_600_050, B], ['in', 8_600_090, A], ['sleep', 8_600_100, A], ['drop', 8_600_130, B], ['drop', 8_700_000, A]]);
    assert.deepEqual(taken(events), ['TAKEN 102@8600050', 'TAKEN 101@8600130']);
    // on its CPU throughout the race, it took it at its entry, as before
    assert.deepEqual(taken(place([['take', 10, A], ['in', 2_000_000, C], ['take', 3_000_000, B], ['drop', 4_000_000, A], ['drop', 5_000_000, B]])), ['TAKEN 101@10', 'TAKEN 102@4000000']);
  });

  it('a thread that found the GIL free and left its CPU in the race, the next to let go with nobody else asking, took it at its entry', () => {
    // 3.13 subinterpreter: alone with its GIL for 2 s, it sleeps on a runtime lock a thread of its
    // own process lets go just before its drop: no wait for the GIL, however the rules read that sleep
    const end = 2_000_000_000;
    const steps: Step[] = [['take', 10, A], ['preempt', 30, A], ['takeOwn', 40, B], ['in', 1_000, A], ['preempt', 500_000_000, A], ['in', 500_100_000, A], ['sleep', end - 200, A], ['wake', end - 150, A, B], ['in', end - 100, A], ['drop', end, A]];
    assert.deepEqual(taken(place(steps)), ['TAKEN 101@10', 'TAKEN 102@40']);
    // held at the recording's end, or as it exits (a process ends holding the GIL)
    assert.deepEqual(taken(place(steps.slice(0, -1))), ['TAKEN 101@10', 'TAKEN 102@40']);
    assert.deepEqual(taken(place([...steps.slice(0, -1), ['exit', end, A]])), ['TAKEN 101@10', 'TAKEN 102@40']);
  });

  it('a waiter asleep at the drop takes the GIL when it is back on a CPU, among the events in order', () => {
    const events = place([
      ['take', 10, A],
      ['take', 12, B],
      ['sleep', 13, B],
      ['drop', 20, A],
      ['wake', 21, B, A],
      ['in', 25, B],
      ['drop', 40, B],
    ]);
    assert.deepEqual(taken(events), ['TAKEN 101@10', 'TAKEN 102@25']);
    assert.deepEqual(events.slice(-3), ['switch 0>102@25', 'TAKEN 102@25', 'drop 102@40']);
  });

  it('a waiter still on a CPU at the drop takes it at the drop', () => {
    assert.deepEqual(taken(place([['take', 10, A], ['take', 12, B], ['drop', 20, A], ['drop', 30, B]])), ['TAKEN 101@10', 'TAKEN 102@20']);
  });

  it('a sleep after the drop that a thread of its own process ends was still the wait', () => {
    const steps: Step[] = [['take', 10, A], ['take', 12, B], ['drop', 20, A], ['sleep', 22, B], ['wake', 23, B, A], ['in', 30, B], ['drop', 40, B]];
    assert.deepEqual(taken(place(steps)), ['TAKEN 101@10', 'TAKEN 102@30']);
  });

  it('a sleep that something else ends (a timer: usleep holding the GIL) is a hold off-CPU', () => {
    const steps: Step[] = [['take', 10, A], ['take', 12, B], ['drop', 20, A], ['sleep', 22, B], ['wake', 100, B, OTHER], ['in', 101, B], ['drop', 110, B]];
    assert.deepEqual(taken(place(steps)), ['TAKEN 101@10', 'TAKEN 102@20']);
  });

  it('the dropper that asks again before the woken waiter runs takes it back; the waiter takes it after the next drop', () => {
    const events = place([
      ['take', 10, A],
      ['take', 12, B],
      ['sleep', 13, B],
      ['drop', 20, A],
      ['take', 22, A],
      ['wake', 23, B, A],
      ['in', 25, B], // finds the GIL taken again
      ['sleep', 26, B],
      ['drop', 30, A],
      ['wake', 31, B, A],
      ['in', 33, B],
      ['drop', 40, B],
    ]);
    assert.deepEqual(taken(events), ['TAKEN 101@10', 'TAKEN 101@22', 'TAKEN 102@33']);
  });

  it('of two waiters, the one that drops next held it; the other waits on', () => {
    const events = place([
      ['take', 10, A],
      ['take', 11, B],
      ['sleep', 12, B],
      ['take', 13, C],
      ['sleep', 14, C],
      ['drop', 20, A],
      ['wake', 21, C, A],
      ['in', 22, C],
      ['drop', 30, C],
      ['wake', 31, B, C],
      ['in', 35, B],
      ['drop', 50, B],
    ]);
    assert.deepEqual(taken(events), ['TAKEN 101@10', 'TAKEN 103@22', 'TAKEN 102@35']);
  });

  it('after a forced switch, the taker is placed where it wakes the dropper (take_gil signals it right after taking)', () => {
    const steps: Step[] = [['take', 10, A], ['take', 12, B], ['forced', 20, A], ['sleep', 21, A], ['wake', 26, A, B], ['take', 27, A], ['drop', 40, B]];
    // (A asked again at 27: it takes the GIL back at B's drop)
    assert.deepEqual(taken(place(steps)), ['TAKEN 101@10', 'TAKEN 102@26', 'TAKEN 101@40']);
  });

  it("a wake-up of the dropper after it asked for the GIL again is not the switch's signal", () => {
    const steps: Step[] = [['take', 10, A], ['take', 12, B], ['forced', 20, A], ['take', 22, A], ['sleep', 23, A], ['wake', 30, A, B], ['drop', 40, B]];
    assert.deepEqual(taken(place(steps)), ['TAKEN 101@10', 'TAKEN 102@20', 'TAKEN 101@40']);
  });

  it('a waiter preempted before the drop takes the GIL when it runs again', () => {
    const steps: Step[] = [['take', 10, A], ['take', 12, B], ['preempt', 15, B], ['drop', 20, A], ['in', 28, B], ['drop', 40, B]];
    assert.deepEqual(taken(place(steps)), ['TAKEN 101@10', 'TAKEN 102@28']);
  });


  it('a waiter other than the main thread that exits did not take the GIL (a daemon thread at interpreter shutdown)', () => {
    // PID's main thread drops with B waiting, asks again, C asks and exits (take_gil exits it:
    // the runtime is finalizing), then PID drops: it held the GIL, C never did
    const events = place([['take', 10, PID], ['take', 12, B], ['sleep', 13, B], ['drop', 20, PID], ['take', 21, PID], ['take', 30, C], ['exit', 35, C], ['drop', 40, PID], ['in', 45, B], ['drop', 50, B]]);
    assert.deepEqual(taken(events), ['TAKEN 100@10', 'TAKEN 100@21', 'TAKEN 102@45']);
    // even when nobody else lets go of it after
    const alone = place([['take', 10, A], ['take', 12, B], ['sleep', 13, B], ['drop', 20, A], ['in', 22, B], ['exit', 30, B]]);
    assert.deepEqual(taken(alone), ['TAKEN 101@10']);
    // the main thread that runs after the drop and exits took it: it finalizes holding the GIL
    const main = place([['take', 10, A], ['take', 12, PID], ['sleep', 13, PID], ['drop', 20, A], ['in', 22, PID], ['exit', 30, PID]]);
    assert.deepEqual(taken(main), ['TAKEN 101@10', 'TAKEN 100@22']);
    // the main thread ends the process holding it: the threads still asking end without it
    const end = place([['take', 10, PID], ['take', 12, B], ['sleep', 13, B], ['exit', 30, PID], ['in', 31, B], ['exit', 32, B]]);
    assert.deepEqual(taken(end), ['TAKEN 100@10']);
  });

  it('a GIL still open at the end goes to the waiter that ran first', () => {
    const events = place([['take', 10, A], ['take', 11, B], ['sleep', 12, B], ['take', 13, C], ['sleep', 14, C], ['drop', 20, A], ['in', 24, C], ['in', 26, B]]);
    assert.deepEqual(taken(events), ['TAKEN 101@10', 'TAKEN 103@24']);
  });

  it("a thread name's time (metadata, perf gives it any) neither orders nor delays a placement", () => {
    const out: string[] = [];
    const sink: TimelineSink = {
      takeEnter: () => {}, drop: () => {}, schedSwitch: () => {}, waking: () => {}, add: () => {},
      takeReturn: (time, _pid, tid) => out.push(`${tid}@${time}`),
    };
    const placement = new TakePlacement().into(sink);
    placement.add({ kind: 'thread_name', time: 1e9, pid: PID, tid: B, name: 'b', source: 'python' });
    placement.takeEnter(10, PID, A, `${PID}`, 0);
    placement.takeEnter(12, PID, B, `${PID}`, 0);
    placement.drop(20, PID, A, 'unknown', 0);
    placement.add({ kind: 'thread_name', time: 5e8, pid: PID, tid: A, name: 'a', source: 'python' });
    placement.drop(30, PID, B, 'unknown', 0);
    placement.end();
    assert.deepEqual(out, ['101@10', '102@20']);
  });

  it('passes events on as soon as no take can be placed before them', () => {
    const out: string[] = [];
    const sink: TimelineSink = {
      takeEnter: () => out.push('enter'), takeReturn: () => out.push('taken'), drop: () => out.push('drop'),
      schedSwitch: () => out.push('switch'), waking: () => out.push('wake'), add: () => out.push('other'),
    };
    const placement = new TakePlacement().into(sink);
    placement.takeEnter(10, PID, A, `${PID}`, 0);
    placement.drop(20, PID, A, 'unknown', 0);
    placement.schedSwitch(21, 0, A, 'sleeping', 0);
    assert.deepEqual(out, ['enter', 'taken', 'drop', 'switch'], 'uncontended: nothing held back');
    placement.takeEnter(30, PID, A, `${PID}`, 0);
    placement.takeEnter(31, PID, B, `${PID}`, 0);
    placement.drop(40, PID, A, 'unknown', 0);
    placement.schedSwitch(41, 0, 0, 'runnable', OTHER);
    assert.deepEqual(out.length, 8, 'contended: held back from the drop that left a waiter');
    placement.drop(50, PID, B, 'unknown', 0);
    placement.schedSwitch(51, 0, OTHER, 'runnable', 0);
    assert.deepEqual(out.slice(4), ['enter', 'taken', 'enter', 'drop', 'taken', 'switch', 'drop', 'switch']);
  });
});

describe('take placement of waits an attach saw (take_gil returns not probed)', () => {
  it('a waiter asleep as giltrace attached, with nobody seen holding the GIL, has not taken it then: the thread that asks next and lets go first took it', () => {
    // long_holds.py attached while the holder slept 100 µs without the GIL: the spinner asleep in
    // take_gil, the holder back for its next 500 ms hold
    const events = place([['since', 0, B], ['take', 1, A], ['in', 6, B], ['sleep', 6.1, B], ['forced', 500, A], ['in', 500.01, B], ['drop', 505, B]]);
    assert.deepEqual(taken(events), ['TAKEN 101@1', 'TAKEN 102@500.01']);
  });

  it('nothing to say it was taken: at the end its waiters still wait', () => {
    assert.deepEqual(taken(place([['since', 0, B], ['in', 6, B], ['sleep', 6.1, B]])), []);
  });
});

describe('take placement with take_gil returns probed (an attached recording)', () => {
  it("a wait begun before the probes is placed from the events; the probed returns stand", () => {
    const events = place([['since', 1, B], ['take', 2, A], ['ret', 3, A], ['drop', 10, A], ['in', 12, B], ['take', 15, A], ['drop', 20, B], ['ret', 21, A]], true);
    assert.deepEqual(taken(events), ['TAKEN 101@3', 'TAKEN 102@12', 'TAKEN 101@21']);
  });

  it('a probed return after a drop says the earlier waiter did not take the GIL then; its take comes after a later drop', () => {
    const events = place([['since', 1, B], ['take', 2, A], ['ret', 3, A], ['drop', 10, A], ['take', 11, C], ['ret', 12, C], ['in', 14, B], ['sleep', 15, B], ['drop', 20, C], ['in', 22, B], ['drop', 30, B]], true);
    assert.deepEqual(taken(events), ['TAKEN 101@3', 'TAKEN 103@12', 'TAKEN 102@22']);
  });

  it('nothing is placed for threads whose take_gil began under the probes', () => {
    const events = place([['take', 1, A], ['ret', 2, A], ['take', 3, B], ['forced', 8, A], ['in', 8, B], ['take', 9, A], ['ret', 9, B], ['drop', 14, B], ['ret', 15, A]], true);
    assert.deepEqual(taken(events), ['TAKEN 101@2', 'TAKEN 102@9', 'TAKEN 101@15']);
  });
});
