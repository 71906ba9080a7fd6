/**
 * A timeline as plain text, one line per interval, for the golden tests (test/fixtures/): the
 * stats goldens hold totals, and an interval that moves while the totals stay put passes them;
 * this dump shows every such move as a line of diff.
 *
 * It prints every entry the model keeps, in the model's order: per GIL its holders and waiter
 * counts; per thread each GIL-state and CPU-state step, each hold with the Python stacks it was
 * taken and released in, each wait with its stack, each drop with its reason. Times are ns from
 * the time base, exact (integers as recorded; a fraction would show as one). A step lasts until
 * the next one and the last until its owner's end, printed as [start, end): even an empty or
 * reversed interval gets its line, so nothing the model holds is hidden. Stacks are listed once
 * in full at the top and named by id and innermost function where they are used.
 * In testing/: the CLI does not use it, so the npm package leaves it out (package.json "files").
 */
import { CPU_STATE_NAMES, GIL_STATE_NAMES, type GilTimeline, type ProcessTimeline, type ThreadTimeline, type Timeline } from '../timeline.js';

const HEADER = '# giltrace timeline dump: times in ns from the time base; each interval is [start, end)';

/** The whole timeline as text, ending with a newline. */
export function dumpTimeline(timeline: Timeline): string {
  const lines: string[] = [HEADER];
  lines.push(`timeline base ${timeline.timeBaseNs} start ${ns(timeline.start)} end ${ns(timeline.end)} lost_events ${timeline.lostEvents}`);
  const stackRef = stackNamer(timeline);
  timeline.stacks.forEach((_, id) => lines.push(`stack ${id} ${describeStack(timeline, id)}`));
  for (const process of timeline.processes) dumpProcess(process, stackRef, lines);
  return lines.join('\n') + '\n';
}

function dumpProcess(process: ProcessTimeline, stackRef: (id: number) => string, lines: string[]): void {
  lines.push(`process ${process.pid} start ${ns(process.start)} end ${ns(process.end)}`);
  const anomalies = Object.keys(process.anomalies).sort().map((kind) => `${kind}=${process.anomalies[kind]}`);
  lines.push(`  anomalies ${anomalies.length ? anomalies.join(' ') : 'none'}`);
  for (const gil of process.gils) dumpGil(gil, process.end, lines);
  for (const thread of process.threads) dumpThread(thread, stackRef, lines);
}

function dumpGil(gil: GilTimeline, end: number, lines: string[]): void {
  lines.push(`  gil ${gil.key} pid ${gil.pid}`);
  const { times, tids } = gil.holders;
  for (let i = 0; i < tids.length; i++) lines.push(`    holder ${interval(times, i, end)} ${tids[i] === 0 ? 'nobody' : `tid ${tids[i]}`}`);
  const { times: at, counts } = gil.waiters;
  for (let i = 0; i < counts.length; i++) lines.push(`    waiters ${interval(at, i, end)} ${counts[i]}`);
}

function dumpThread(thread: ThreadTimeline, stackRef: (id: number) => string, lines: string[]): void {
  const { tid, end } = thread;
  lines.push(
    `  thread ${tid} pid ${thread.pid} ${JSON.stringify(thread.name)} start ${ns(thread.start)} end ${ns(end)} gil ${thread.gil ?? 'none'} acquisitions ${thread.acquisitions}`,
  );
  const gil = thread.gilTrack;
  for (let i = 0; i < gil.states.length; i++) lines.push(`    gil ${interval(gil.times, i, end)} ${stateName(GIL_STATE_NAMES, gil.states[i])}`);
  const cpu = thread.cpuTrack;
  for (let i = 0; i < cpu.states.length; i++) lines.push(`    cpu ${interval(cpu.times, i, end)} ${stateName(CPU_STATE_NAMES, cpu.states[i])}`);
  const { starts, ends, stacks, acquiredIn } = thread.holds;
  for (let i = 0; i < starts.length; i++) {
    lines.push(`    hold ${ns(starts[i])} ${ns(ends[i])} acquired_in ${stackRef(acquiredIn[i])} released_in ${stackRef(stacks[i])}`);
  }
  for (let i = 0; i < thread.waits.length; i++) {
    lines.push(`    wait ${ns(thread.waitStarts[i])} ${ns(thread.waitStarts[i] + thread.waits[i])} in ${stackRef(thread.waitStacks[i])}`);
  }
  for (const drop of thread.drops) {
    const reason = drop.known ? (drop.forced ? 'forced' : 'voluntary') : 'unknown';
    const other = drop.tid === tid ? '' : ` tid ${drop.tid}`;
    lines.push(`    drop ${ns(drop.time)} ${reason} in ${stackRef(drop.stack)}${other}`);
  }
}

/** "start end" of step i: it lasts until the next step, the last one until `end`. */
function interval(times: ArrayLike<number>, i: number, end: number): string {
  return `${ns(times[i])} ${ns(i + 1 < times.length ? times[i + 1] : end)}`;
}

function ns(time: number): string {
  return Number.isInteger(time) ? String(time) : time.toFixed(3);
}

function stateName(names: readonly string[], state: number): string {
  return names[state] ?? `state_${state}`;
}

/** "s<id>:<innermost function>", so a line reads on its own; ids not in the table say so. */
function stackNamer(timeline: Timeline): (id: number) => string {
  return (id) => {
    const stack = timeline.stacks[id];
    const leaf = stack && timeline.functions[stack.leaf];
    return `s${id}:${leaf ? leaf.name : '<no such stack>'}`;
  };
}

/** Innermost function (file:line) then its callers, innermost first, as the probes read them. */
function describeStack(timeline: Timeline, id: number): string {
  const stack = timeline.stacks[id];
  const leaf = timeline.functions[stack.leaf];
  const where = leaf === undefined ? `<no function ${stack.leaf}>` : leaf.file ? `${leaf.name} (${leaf.file}:${leaf.line})` : leaf.name;
  return [where, ...stack.callers].join(' <- ') + (stack.partial ? ' [partial]' : '');
}
