import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC } from '../contract/sampled-recording.js';
import { buildTimeline } from './build-timeline.js';
import { isSampledRecording, LATE_WAKES, parseSampledHeader, readSampledRecording, SampledRecordingReader } from './sampled-recording.js';
import { GilState, type ThreadTimeline } from './timeline.js';

const MS = 1e6;
const header = JSON.stringify({ timeBaseNs: '1000000000000', hz: 1000, command: ['python3', 'app.py'], cpus: 2 });

function recording(lines: readonly string[], end = true): string {
  const last = Math.max(...lines.map((l) => Number(l.split(' ')[1])));
  return [SAMPLED_MAGIC, header, ...lines, ...(end ? [`E ${last} ${Math.round(last / MS)} 0 5000000`] : [])].join('\n') + '\n';
}

/** ns in each GIL state over the thread's life. */
function gilTimes(thread: ThreadTimeline): Record<'none' | 'waiting' | 'holding', number> {
  const out = { none: 0, waiting: 0, holding: 0 };
  const { times, states } = thread.gilTrack;
  for (let i = 0; i < times.length; i++) {
    const until = i + 1 < times.length ? times[i + 1] : thread.end;
    const name = states[i] === GilState.holding ? 'holding' : states[i] === GilState.waiting ? 'waiting' : 'none';
    out[name] += until - times[i];
  }
  return out;
}

function build(text: string) {
  const read = readSampledRecording(text, 'test.data');
  const timeline = buildTimeline(read.events, { timeBaseNs: BigInt(read.header.timeBaseNs), end: read.endTime });
  const threads = new Map(timeline.processes.flatMap((p) => p.threads.map((t) => [t.tid, t])));
  return { read, timeline, threads, anomalies: timeline.processes.flatMap((p) => Object.entries(p.anomalies)) };
}

test('a hand-off seen at one tick is a drop then a take, whatever order the lines come in', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`,
      // 12 listed before 11 at the tick that saw the GIL change hands
      `S ${3 * MS} 10 12 hr 0`, `S ${3 * MS} 10 11 ws 0`,
      `S ${5 * MS} 10 12 hr 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0, waiting: 2 * MS, holding: 3 * MS });
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 0, waiting: 3 * MS, holding: 2 * MS });
});

test('a wait that ends between two ticks while another thread holds the GIL makes no second holder', () => {
  const { threads, anomalies } = build(
    recording([
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`,
      // 12 took the GIL and gave it up between the ticks; 11 holds at both
      `S ${2 * MS} 10 12 nr 0`,
      `S ${4 * MS} 10 12 ns 0`,
      `S ${6 * MS} 10 12 ns 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0, waiting: 0, holding: 6 * MS });
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 4 * MS, waiting: 2 * MS, holding: 0 });
});

test('CPU states follow the ticks, and holding asleep is held off the CPU', () => {
  const { threads } = build(recording([`S 0 10 11 hr 0`, `S ${2 * MS} 10 11 hs 0`, `S ${3 * MS} 10 11 hq 0`, `N ${4 * MS} 10 11 python3`]));
  const t = threads.get(11)!;
  assert.deepEqual(Array.from(t.cpuTrack.times), [0, 2 * MS, 3 * MS]);
  assert.deepEqual(Array.from(t.cpuTrack.states), [0, 2, 1]); // running, sleeping, runnable
  assert.deepEqual(gilTimes(t), { none: 0, waiting: 0, holding: 4 * MS });
});

test('a thread that exits ends there; the others last to the end line', () => {
  const { threads, anomalies } = build(recording([`S 0 10 10 hr 0`, `S 0 10 11 ns 0`, `X ${2 * MS} 10 11`, `S ${8 * MS} 10 10 hr 0`]));
  assert.deepEqual(anomalies, []);
  assert.deepEqual([threads.get(11)!.end, threads.get(10)!.end], [2 * MS, 8 * MS]);
});

test('a recording cut short ends its threads at its last line, and says so', () => {
  const { read, threads } = build(recording([`S 0 10 11 hr 0`, `S ${7 * MS} 10 11 nr 0`], false));
  assert.equal(read.cutShort, true);
  assert.equal(threads.get(11)!.end, 7 * MS);
});

test('its end line gives the ticks, the skipped ones and the sampler CPU time', () => {
  const { read } = build(recording([`S 0 10 11 hr 0`, `S ${9 * MS} 10 11 nr 0`]));
  assert.deepEqual([read.cutShort, read.ticks, read.lateTicks, read.samplerCpuNs], [false, 9, 0, 5_000_000]);
});

test('processes that could not be sampled, and what could not be seen, are named, with why', () => {
  const { read } = build(recording([`U 0 42 cannot read process 42's memory: it belongs to another user`, `S 0 10 11 hr 0`, `W 0 10 waits unseen`]));
  assert.deepEqual(read.notSampled, [{ pid: 42, why: "cannot read process 42's memory: it belongs to another user" }]);
  assert.deepEqual(read.warnings, ['process 10: waits unseen']);
});

test('it is told from perf.data by its first line, and bad input fails with a line number', () => {
  assert.equal(isSampledRecording(new TextEncoder().encode(`${SAMPLED_MAGIC}\n{}`)), true);
  assert.equal(isSampledRecording(new TextEncoder().encode('PERFILE2')), false);
  assert.throws(() => readSampledRecording('PERFILE2', 'x.data'), GiltraceError);
  assert.throws(() => readSampledRecording(`${SAMPLED_MAGIC}\nnot json\n`, 'x.data'), /header/);
  assert.throws(() => readSampledRecording(recording([`S 0 10 11 zz 0`]), 'x.data'), /line 3: unknown state 'zz'/);
  assert.throws(() => readSampledRecording(recording([`Z 0 10 11`]), 'x.data'), /line 3: unknown line/);
  assert.throws(() => readSampledRecording(recording([`S 0 10 11 hr 0`, `Q 0 10 11`]), 'x.data'), /line 4: a wait for a CPU that is not a duration/);
});

test('a live view is not held back by a long wait for a CPU: the wait goes back only to what it took', () => {
  const reader = new SampledRecordingReader(parseSampledHeader([SAMPLED_MAGIC, header], 'live.data'), 'live.data');
  const feed = (lines: string[]) => lines.forEach((l, i) => reader.line(l, i + 3));
  feed([`S 0 10 11 hr 0`, `S ${1 * MS} 10 12 nr -1`, `S ${20 * MS} 10 12 ns -1 0 0 ${1 * MS}`, `S ${21 * MS} 10 12 ns -1 0 0 ${1 * MS}`]);
  const settled = reader.settleNs;
  reader.takeEvents(15 * MS);
  // 11 held on, preempted for 12 ms of the 30 before the look that tells it
  feed([`Q ${30 * MS} 10 11 ${12 * MS} ${10 * MS}`, `S ${31 * MS} 10 12 ns -1 0 0 ${1 * MS}`]);
  assert.equal(reader.settleNs, settled, 'how far back changes are placed is as before');
  const events = reader.takeEvents(Infinity).filter((e) => e.kind === 'switch' && (e.prevTid === 11 || e.nextTid === 11));
  // runnable from 15 ms (what was taken), not 13, to 25 ms (halfway since the previous look)
  assert.deepEqual(events.map((e) => e.time), [15 * MS, 25 * MS]);
});

/** ns in each CPU state over the thread's life: running, runnable, sleeping. */
function cpuTimes(thread: ThreadTimeline): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  const { times, states } = thread.cpuTrack;
  for (let i = 0; i < times.length; i++) out[states[i] as 0 | 1 | 2] += (i + 1 < times.length ? times[i + 1] : thread.end) - times[i];
  return out;
}

test('a wait for a CPU told after the fact (Q: the run delay) is runnable time back from where the thread got the CPU, its GIL state kept', () => {
  const { threads, anomalies } = build(
    recording([
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`, `S 0 10 13 ns -1`,
      // 11 held on, preempted for 3 ms between the looks at 9 and 10 ms: it got the CPU back at
      // 9.5 ms, placed halfway (no change of its state to place it)
      `S ${9 * MS} 10 13 ns -1`,
      `Q ${10 * MS} 10 11 ${3 * MS} ${1 * MS}`,
      // 12, asleep waiting, was woken and waited 2 ms for a CPU before it took the GIL, the
      // change placed at 11.5 ms; 13 woke, waited 0.5 ms for a CPU, ran and slept again
      `S ${12 * MS} 10 12 hr 0 0 0 ${1 * MS}`, `S ${12 * MS} 10 11 ws 0 0 0 ${1 * MS}`,
      `Q ${12 * MS} 10 12 ${2 * MS} ${1 * MS}`, `Q ${12 * MS} 10 13 ${0.5 * MS} ${3 * MS}`,
      // a wait longer than the time since its previous change goes back to that change only
      `Q ${14 * MS} 10 12 ${9 * MS} ${1 * MS}`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  // held 0-11.5 ms, 3 ms of it runnable (held off the CPU); then asleep waiting
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0, waiting: 2.5 * MS, holding: 11.5 * MS });
  assert.deepEqual(cpuTimes(threads.get(11)!), [8.5 * MS, 3 * MS, 2.5 * MS]);
  assert.deepEqual(threads.get(11)!.cpuTrack.times.slice(0, 3), new Float64Array([0, 6.5 * MS, 9.5 * MS]));
  // waited 0-11.5 ms: asleep until 9.5, runnable until its take; then held, runnable again from 11.5 ms (its change) to 13.5
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 0, waiting: 11.5 * MS, holding: 2.5 * MS });
  assert.deepEqual(cpuTimes(threads.get(12)!), [0.5 * MS, 2 * MS + 2 * MS, 9.5 * MS]);
  // asleep but for 0.5 ms runnable before 10.5 ms (halfway since its look at 9 ms)
  assert.deepEqual(cpuTimes(threads.get(13)!), [0, 0.5 * MS, 13.5 * MS]);
});

test('a change is placed halfway since the process was last looked at (a late tick), a first sighting at its tick', () => {
  const { threads } = build(
    recording([
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`,
      // the sampler came 4 ms late: the hand-off happened somewhere in those 4 ms
      `S ${5 * MS} 10 12 hr 0 0 0 ${4 * MS}`, `S ${5 * MS} 10 11 ws 0 0 0 ${4 * MS}`,
      `S ${6 * MS} 10 13 nr -1`,
      `S ${8 * MS} 10 12 hr 0`,
    ]),
  );
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0, waiting: 5 * MS, holding: 3 * MS });
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 0, waiting: 3 * MS, holding: 5 * MS });
  assert.equal(threads.get(13)!.start, 6 * MS);
});

/** Thread 12's time waiting for the GIL, beside thread 11 holding it from 0, after `lines`. */
function waitingOf(lines: string[]): number {
  const { threads, anomalies } = build(recording([`P 0 10 12 /lib/libpython3.12.so.1.0`, `S 0 10 11 hr 0`, ...lines]));
  assert.deepEqual(anomalies, []);
  return gilTimes(threads.get(12)!).waiting;
}

test('a late tick places a thread that took a CPU early in the gap, one that left a CPU for a sleep late in it; an on-time tick halfway', () => {
  // asleep waiting at 0; the tick due at 1 ms came at 5 ms (4 ms since the last look), the
  // thread running without the GIL by then: its wait ended early in those 4 ms, as it took a CPU
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `S ${5 * MS} 10 12 nr 0 0 0 ${4 * MS}`]), 1.5 * MS);
  // running at 0, asleep waiting at a tick 4 ms late: it left its CPU just before the tick
  assert.equal(waitingOf([`S 0 10 12 nr 0`, `S ${5 * MS} 10 12 ws 0 0 0 ${4 * MS}`, `S ${6 * MS} 10 12 nr 0 0 0 ${1 * MS}`]), 0.5 * MS + 0.5 * MS);
  // on time: halfway
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `S ${1 * MS} 10 12 nr 0 0 0 ${1 * MS}`]), 0.5 * MS);
  // a late tick whose threads moved both ways (or a thread seen in its turn, unseen for longer): halfway
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `S 0 10 13 nr 0`, `S ${5 * MS} 10 12 nr 0 0 0 ${4 * MS}`, `S ${5 * MS} 10 13 ns 0 0 0 ${4 * MS}`]), 3 * MS);
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `S 0 10 13 ns 0`, `S ${5 * MS} 10 12 nr 0 0 0 ${4 * MS}`, `S ${5 * MS} 10 13 nr 0 0 0 ${5 * MS}`]), 3 * MS);
});

test('an R line (the sampler slowed to keep within its CPU budget) sets the period its later ticks are placed by; the samples weigh by it', () => {
  // at 1 kHz a tick 4 ms after the last is late: a thread that took a CPU did so early in the gap
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `S ${4 * MS} 10 12 nr 0 0 0 ${4 * MS}`]), 0.5 * MS);
  // due every 4 ms since the R line: on time, placed halfway
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `R 0 ${4 * MS}`, `S ${4 * MS} 10 12 nr 0 0 0 ${4 * MS}`]), 2 * MS);
  // the tick an R line ends keeps the old period: its changes were due then
  assert.equal(waitingOf([`S 0 10 12 ws 0`, `S ${4 * MS} 10 12 nr 0 0 0 ${4 * MS}`, `R ${4 * MS} ${4 * MS}`]), 0.5 * MS);
  const { read } = build(recording([`P 0 10 12 /lib/libpython3.12.so.1.0`, `S 0 10 11 hr 0 0 0`, `R 0 ${10 * MS}`, `H ${80 * MS} 10 11 0 ${80 * MS}`]));
  assert.equal(read.holderSamples!.threads.get('10/11')!.weights[0], 80 * MS, 'a sample stands for the 8 periods of 10 ms since the last');
  assert.equal(read.slowestPeriodNs, 10 * MS);
  assert.throws(() => build(recording([`S 0 10 11 hr 0`, `R 1 x`])), /line 4: a tick period that is not a duration/);
});

test('a hold cut by a waiter gone unseen is cut no earlier than what was placed for the holder: not inside its wait for a CPU', () => {
  // asleep_holds_then_idle.py (CI, 1 run in ~50): the spinner holding, waiting for a CPU now and
  // then (Q lines, placed back from halfway); a waiter unseen for 5 ms and gone, its wait's end
  // placed halfway back, inside the spinner's last wait for a CPU
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`,
      // 11 waited 0.4 ms for a CPU, placed back from halfway since its last look: 4.1-4.5 ms
      `Q ${5 * MS} 10 11 ${0.4 * MS} ${1 * MS}`,
      // 12 gone, seen last 3.7 ms before: its wait ended halfway back, at 4.15 ms, inside that
      `X ${6 * MS} 10 12 - ${3.7 * MS}`,
      `S ${10 * MS} 10 11 nr 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  assert.equal(gilTimes(threads.get(11)!).holding, 10 * MS);
});

test('a thread gone while last seen holding lets go before another thread\'s take at that tick; one gone while waiting stops waiting', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`, `S 0 10 13 ws 0`,
      // 11 let go to exit between the ticks; 12 took the GIL; 13 went on waiting
      `S ${1 * MS} 10 12 hr 0 0 0 ${1 * MS}`, `X ${1 * MS} 10 11`,
      // 13 took the GIL to finish and exited, unseen
      `X ${4 * MS} 10 13`,
      `S ${5 * MS} 10 12 hr 0 0 0 ${1 * MS}`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  // the hand-off halfway since the last look, 11 gone at the tick
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0.5 * MS, waiting: 0, holding: 0.5 * MS });
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 0, waiting: 0.5 * MS, holding: 4.5 * MS });
  assert.equal(gilTimes(threads.get(13)!).waiting, 4 * MS);
});

test('threads gone at a tick end after its changes: an idle one listed first does not put a holder\'s release after another\'s take', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`, `S 0 10 14 ns 0`,
      // 11 let go to exit, 12 took the GIL, 14 ended idle: 14's X before 11's (a thread per task)
      `S ${1 * MS} 10 12 hr 0 0 0 ${1 * MS}`, `X ${1 * MS} 10 14`, `X ${1 * MS} 10 11`,
      `S ${4 * MS} 10 12 hr 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0.5 * MS, waiting: 0, holding: 0.5 * MS });
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 0, waiting: 0.5 * MS, holding: 3.5 * MS });
  assert.equal(threads.get(14)!.end, 1 * MS);
});

test('an X line that says since when the thread was gone: it ends halfway since its last look, as it let go of the GIL, not at the tick', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 11 hr 0`, `S 0 10 12 ws 0`, `S 0 10 14 ns 0`,
      // 11 let go to exit, 12 took the GIL, 14 ended idle: each last seen at the tick before
      `S ${1 * MS} 10 12 hr 0 0 0 ${1 * MS}`, `X ${1 * MS} 10 14 - ${1 * MS}`, `X ${1 * MS} 10 11 - ${1 * MS}`,
      // 13 first seen at 2 ms, gone by 4 ms, seen last at 3 ms: alone at its tick
      `S ${2 * MS} 10 13 ws 0 0 0 ${1 * MS}`, `X ${4 * MS} 10 13 - ${1 * MS}`,
      `S ${6 * MS} 10 12 hr 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  // no time without the GIL after the release: the thread ended there
  assert.deepEqual(gilTimes(threads.get(11)!), { none: 0, waiting: 0, holding: 0.5 * MS });
  assert.equal(threads.get(11)!.end, 0.5 * MS);
  assert.equal(threads.get(14)!.end, 0.5 * MS);
  assert.equal(threads.get(13)!.end, 3.5 * MS);
  assert.deepEqual(gilTimes(threads.get(12)!), { none: 0, waiting: 0.5 * MS, holding: 5.5 * MS });
});

test('a thread gone while waiting stops waiting after its own last line, however long an idle thread seen at that tick went unseen', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 11 hr 0`, `S 0 10 12 nr 0`, `S 0 10 13 ns 0`,
      `S ${10 * MS} 10 12 ws 0 0 0 ${1 * MS}`,
      // 13's turn among the idle threads: unseen for 12 ms; 12 gone, last seen waiting at 10 ms
      `S ${12 * MS} 10 13 ws 0 0 0 ${12 * MS}`, `X ${12 * MS} 10 12`,
      `S ${14 * MS} 10 11 hr 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  // its wait began halfway into the tick before 10 ms and ended within the 2 ms after
  assert.equal(gilTimes(threads.get(12)!).waiting, 1.5 * MS);
});

test('a process not sampled as the program it ran first, sampled once it exec\'d another, is said to be so', () => {
  const { read } = build(recording([`U 0 42 Python 2.7 (python2.7): the sampled mode knows 3.6 to 3.13`, `P ${MS} 42 12 libpython3.12.so`, `S ${MS} 42 42 hr 0`]));
  assert.deepEqual(read.notSampled, [{ pid: 42, why: 'Python 2.7 (python2.7): the sampled mode knows 3.6 to 3.13', untilExec: true }]);
});

test('a recording cut short takes its ticks and the sampler\'s CPU from its last C line', () => {
  const { read, threads } = build(recording([`S 0 10 11 hr 0`, `C ${200 * MS} 198 2 9000000`, `S ${300 * MS} 10 11 nr 0`, `C ${400 * MS} 397 3 17000000`], false));
  assert.deepEqual([read.cutShort, read.ticks, read.lateTicks, read.samplerCpuNs, read.endTime], [true, 397, 3, 17_000_000, 400 * MS]);
  assert.equal(threads.get(11)!.end, 400 * MS);
});

test('a sampled process\'s command line (A line) is kept with it; one that is not JSON is an error', () => {
  const { read } = build(recording([`P 0 10 12 /lib/libpython3.12.so.1.0`, `A 0 10 ["python3","-c","print(1)"]`, `S 0 10 11 hr 0`]));
  assert.deepEqual(read.processes[0].command, ['python3', '-c', 'print(1)']);
  assert.throws(() => readSampledRecording(recording([`P 0 10 12 /lib/libpython3.12.so.1.0`, `A 0 10 [python3`]), 'x.data'), /line 4: a command line that is not JSON/);
});

test('H lines are the holders’ stacks read every 4 ticks: holder samples at a quarter of the tick rate', () => {
  const { read } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `F 1\twork\t/app.py\t9\tworker`,
      `S 0 10 11 hr 0 1 0`,
      `H 4000000 10 11 1 4000000`,
      `H 8000000 10 11 0 4000000`,
      `S 9000000 10 11 nr 0 1 0`,
      `E 10000000 10 0 5000000`,
    ], false),
  );
  const samples = read.holderSamples!;
  assert.equal(samples.hz, 250);
  assert.equal(samples.count, 2);
  const thread = samples.threads.get('10/11')!;
  assert.deepEqual([...thread.times], [4 * MS, 8 * MS]);
  assert.equal(read.stacks.functions[read.stacks.stacks[thread.stacks[0]].leaf].name, 'work');
  assert.equal(thread.stacks[1], -1, 'no stack read');
  // a recording made before H lines has none
  assert.equal(build(recording([`P 0 10 12 /lib/libpython3.12.so.1.0`, `S 0 10 11 hr 0`])).read.holderSamples, undefined);
});

test('a thread seen holding and gone by the next look let go as it ended: no exit_while_holding', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 10 ns 0`, `S 0 10 11 hr 0`,
      `X ${2 * MS} 10 11`,
      `S ${4 * MS} 10 10 ns 0`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  assert.ok(gilTimes(threads.get(11)!).holding > 0);
});

test('a thread holding at a tick\'s snapshot and gone by its look (X … h) holds until half a period on, as a state a tick sees stands for the time around it', () => {
  // a thread per task: its hold first seen at the tick that finds it gone (S then X at one
  // tick): placed halfway back, and its end half a period on; without the flag half a period
  // in all (thread_per_task.py, 3.12: GIL held 0.83-0.87 sampled against 0.86-0.89 exactly)
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `S 0 10 10 ns 0`,
      `S ${2 * MS} 10 11 hr 0 0 0 ${MS}`, `X ${2 * MS} 10 11 h`,
      `S ${3 * MS} 10 10 hr 0 0 0 ${MS}`,
      `S ${4 * MS} 10 10 ns 0 0 0 ${MS}`,
    ]),
  );
  assert.deepEqual(anomalies, []);
  const task = threads.get(11)!;
  assert.equal(task.end, 2.5 * MS);
  assert.equal(gilTimes(task).holding, MS);
  // the next holder takes it where the next tick's changes go: after the task's end
  assert.equal(gilTimes(threads.get(10)!).holding, MS);
});

test('a recording whose sampler could not ask for a short time slice says so among its warnings', () => {
  const late = JSON.stringify({ ...JSON.parse(header), lateWakes: true });
  const text = (h: string) => [SAMPLED_MAGIC, h, `S 0 10 10 hr 0`, `E ${MS} 1 0 0`].join('\n') + '\n';
  assert.ok(readSampledRecording(text(late), 'test.data').warnings.includes(LATE_WAKES));
  assert.deepEqual(readSampledRecording(text(header), 'test.data').warnings, []);
});

test('a thread whose name could not be read (an empty N line) is named as its process\'s main thread, not a blank row', () => {
  const { threads } = build(recording([`N 0 10 10 python3`, `S 0 10 10 nr 0`, `N 0 10 11 `, `S 0 10 11 hr 0`, `S ${2 * MS} 10 10 hr 0`]));
  assert.equal(threads.get(11)!.name, 'python3');
});

test('a Y line (without the GIL at both looks, in another stack now) cuts the thread\'s time without the GIL there, placed halfway; it counts as a GIL user', () => {
  const { threads, anomalies } = build(
    recording([
      `P 0 10 12 /lib/libpython3.12.so.1.0`,
      `F 1\tworker\t/app/w.py\t18`,
      `K 2 1 21`,
      `K 3 1 23`,
      // never seen holding: first seen without the GIL, asleep, its stack read at its second look
      `S 0 10 11 ns -1 0 0`,
      `Y ${10 * MS} 10 11 2 ${2 * MS}`,
      `Y ${30 * MS} 10 11 3 ${2 * MS}`,
      // holding now: a Y line for it is ignored
      `S ${40 * MS} 10 11 hr 0 1 0 ${2 * MS}`,
      `Y ${50 * MS} 10 11 2 ${2 * MS}`,
      `E ${60 * MS} 60 0 5000000`,
    ], false),
  );
  const thread = threads.get(11)!;
  assert.deepEqual(thread.releases?.map((r) => r.time), [9 * MS, 29 * MS]);
  assert.equal(thread.acquisitions, 2, 'the release seen says it took the GIL once before, unseen; then the hold seen');
  assert.deepEqual(anomalies, []);
});
