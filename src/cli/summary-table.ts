/** The terminal summary: one block per process, one aligned row per thread, then the verdict. */
import { formatDuration, formatPercent } from '../base/time.js';
import { shareError } from '../analysis/index.js';
import { THREAD_GROUP_ROW_MIN, type SamplingStats, type FunctionStats, type ProcessStats, type StatsJson, type ThreadStats, type VerdictJson } from '../contract/stats.js';
import { formatLineShares } from './function-lines.js';
import { lineShares, waitLineShares } from '../contract/function-lines.js';
import { styleFor, table as alignedTable, type Style } from './terminal-table.js';
import { rangeText } from './time-range.js';
import { runSplitText } from './run-split-line.js';

const COLUMNS = ['tid', 'thread', 'life', 'held', 'wait', 'no GIL', 'held off-CPU', 'running', 'runnable', 'wait p50', 'wait p99', 'takes', 'forced', 'volunt.'];
/**
 * A sampled recording's table: shares and their error bound. Wait lengths and counts are left
 * out: the ticks see only the changes that outlast a tick, so those would mislead.
 */
const SAMPLED_COLUMNS = ['tid', 'thread', 'life', 'held', 'wait', 'no GIL', 'held off-CPU', 'running', 'runnable', 'samples', '±'];
const LEFT_ALIGNED = new Set(['thread', 'function', 'where', 'most at line', 'waited at line']);
const FUNCTION_COLUMNS = ['function', 'where', 'held', 'others waited', 'caught', 'wait', 'waits', 'forced', 'longest hold', 'most at line', 'waited at line'];
/** Functions most waited in that the table lists even when others held the GIL longer while others waited. */
const MOST_WAITED_SHOWN = 2;
const MOST_AT_LINE = FUNCTION_COLUMNS.indexOf('most at line');
const WAITED_AT_LINE = FUNCTION_COLUMNS.indexOf('waited at line');
/** Functions listed under the thread table. */
const TOP_FUNCTIONS = 5;


export function formatSummary(stats: StatsJson, verdict: VerdictJson | undefined, color: boolean): string {
  const style = styleFor(color);
  const out: string[] = [];
  const sampling = stats.recording.sampling;
  if (sampling) out.push(style.dim(samplingLine(sampling)), '');
  const range = stats.recording.range;
  if (range) out.push(style.dim(`Only ${rangeText({ from: range.from_ns, to: range.to_ns ?? Infinity })} of the recording (after its first event).`), '');
  const holders = stats.recording.holder_samples;
  for (const process of stats.processes) out.push(...formatProcess(process, style, sampling !== undefined, holders && holders.in_holds > 0 ? holders : undefined), '');
  if (stats.processes.length === 0) out.push('No Python process with GIL activity was recorded.', '');
  const { lost_events, warnings } = stats.recording;
  if (lost_events > 0) out.push(style.red(`Lost ${lost_events} events: numbers around them are uncertain.`));
  for (const warning of warnings) out.push(style.yellow(`warning: ${warning}`));
  if (verdict) {
    const paint = verdict.kind === 'not-gil-bound' || verdict.kind === 'no-threads' ? style.green : style.red;
    out.push(paint(style.bold(verdict.headline)));
    for (const detail of verdict.details) out.push(`  ${detail}`);
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

/** How a sampled recording was taken and how far its shares can be trusted. */
function samplingLine(sampling: SamplingStats): string {
  const slowed = sampling.slowest_hz !== undefined && sampling.cpu_budget !== undefined
    ? `; at times ${Math.round(sampling.slowest_hz)}/s, to keep the sampler within ${+(sampling.cpu_budget * 100).toFixed(1)} % of a CPU: --sample-cpu to change`
    : '';
  const asked = sampling.effective_hz < 0.95 * sampling.hz || slowed ? ` (asked ${sampling.hz}${slowed})` : '';
  const late = sampling.late_ticks > 0 ? `, ${sampling.late_ticks} skipped` : '';
  const cost = sampling.sampler_cpu_ns !== undefined && sampling.ticks > 0
    ? `; sampling used ${formatDuration(sampling.sampler_cpu_ns)} of CPU (${formatDuration(sampling.sampler_cpu_ns / sampling.ticks)} a tick)`
    : '';
  return `Sampled ${sampling.ticks} ticks at ${Math.round(sampling.effective_hz)}/s${asked}${late}: shares are estimates, ±${(sampling.share_error_95 * 100).toFixed(1)} points (95 %) for a thread that lived throughout${cost}`;
}

/** `holders`: the recording's holder samples, when its functions' held times rest on them. */
function formatProcess(process: ProcessStats, style: Style, sampled: boolean, holders: StatsJson['recording']['holder_samples']): string[] {
  const { python, gil } = process;
  const inNamespace = process.pid_in_namespace !== undefined ? ` (${process.pid_in_namespace} in its container)` : '';
  const header = `${style.bold(`PID ${process.pid}`)}${inNamespace}  ${process.command}  ${style.dim(`(Python ${python.version}, ${python.executable})`)}`;
  const facts = [
    `duration ${formatDuration(process.duration_ns)}`,
    `GIL held ${formatPercent(gil.held_ns, process.duration_ns)}`,
    `contended ${formatPercent(gil.contended_ns, process.duration_ns)}`,
    ...(sampled ? [] : [
      gil.handoff.count > 0 ? `hand-offs ${gil.handoff.count} (p50 ${formatDuration(gil.handoff.p50_ns)}, p99 ${formatDuration(gil.handoff.p99_ns)})` : 'hand-offs 0',
      `drops ${gil.drops.forced} forced / ${gil.drops.voluntary} voluntary`,
    ]),
  ].join(' · ');
  const interpreters = (process.interpreters ?? []).map((g) => {
    const who = g.tids.map((tid) => process.threads.find((t) => t.tid === tid)?.name ?? String(tid));
    const names = who.length > 3 ? `${who.slice(0, 3).join(', ')}, +${who.length - 3}` : who.join(', ');
    return `  ${style.dim(`GIL #${g.index}${g.main ? ' (main interpreter)' : ''}:`)} held ${formatPercent(g.held_ns, process.duration_ns)} · contended ${formatPercent(g.contended_ns, process.duration_ns)} · ${names}`;
  });
  const rows = threadRows(process, sampled);
  const anomalies = Object.entries(process.anomalies).filter(([, count]) => count > 0);
  const split = runSplitText(process);
  const lines = [header, `  ${facts}`, ...(split ? [`  ${split}`] : []), ...tracingCostLine(process, style), ...interpreters, ...table([sampled ? SAMPLED_COLUMNS : COLUMNS, ...rows], style).map((line) => `  ${line}`)];
  const functions = shownFunctions(process.functions ?? []);
  if (functions.length > 0) {
    const shown = topFunctions(functions);
    const notes = [
      ...(functions.length > shown.length ? [`top ${shown.length} of ${functions.length}`] : []),
      ...(holders ? [`held: what ${holders.in_holds} samples at ${holders.hz}/s saw running`] : []),
    ];
    const more = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    // the line columns only when some function has such lines (recordings with holder samples)
    const heldLines = shown.some((f) => f.lines?.length);
    const waitLines = shown.some((f) => f.wait_lines?.length);
    const keep = (_: string, i: number): boolean => (i !== MOST_AT_LINE || heldLines) && (i !== WAITED_AT_LINE || waitLines);
    const atLine = [
      ...(heldLines ? ['most at line: where its samples ran most'] : []),
      ...(waitLines ? ['waited at line: where its threads let the GIL go before the waits'] : []),
    ].map((what) => `, ${what}`).join('');
    lines.push(`  ${style.dim(`Python functions by GIL time held while other threads waited${more}; caught: of it, in holds a forced switch ended${atLine}:`)}`);
    const rows = [FUNCTION_COLUMNS, ...shown.map(functionRow)].map((row) => row.filter(keep));
    lines.push(...table(rows, style).map((line) => `    ${line}`));
  }
  if (anomalies.length) lines.push(style.dim(`  anomalies: ${anomalies.map(([name, count]) => `${name} ${count}`).join(', ')}`));
  return lines;
}

/**
 * The functions the table can show: those that held the GIL while others waited or whose threads
 * waited for it (a program's imports hold it for milliseconds with nobody waiting: rows that
 * said nothing while the function a thread waited a second in went unlisted); all that held or
 * waited when none did.
 */
function shownFunctions(all: readonly FunctionStats[]): FunctionStats[] {
  const used = all.filter((f) => f.held_ns + f.wait_ns > 0);
  const contended = used.filter((f) => f.held_while_others_wait_ns > 0 || f.wait_ns > 0);
  return contended.length > 0 ? contended : used;
}

/** The first TOP_FUNCTIONS (most held while others waited), the two most waited in among them, in the JSON's order. */
function topFunctions(functions: readonly FunctionStats[]): FunctionStats[] {
  const mostWaited = [...functions].sort((a, b) => b.wait_ns - a.wait_ns).slice(0, MOST_WAITED_SHOWN).filter((f) => f.wait_ns > 0);
  const first = functions.slice(0, TOP_FUNCTIONS);
  const missing = mostWaited.filter((f) => !first.includes(f));
  const keep = new Set([...first.slice(0, TOP_FUNCTIONS - missing.length), ...missing]);
  return functions.filter((f) => keep.has(f));
}

/** One row per thread, except alike threads (thread_groups of THREAD_GROUP_ROW_MIN or more): one row, at the first member's place. */
function threadRows(process: ProcessStats, sampled: boolean): string[][] {
  const groupOf = new Map<number, { name: string; tids: readonly number[] }>();
  for (const group of process.thread_groups) if (group.tids.length >= THREAD_GROUP_ROW_MIN) for (const tid of group.tids) groupOf.set(tid, group);
  const rows: string[][] = [];
  const shown = new Set<string>();
  for (const thread of process.threads) {
    const group = groupOf.get(thread.tid);
    if (!group) rows.push(threadRow(thread, sampled));
    else if (!shown.has(group.name)) {
      shown.add(group.name);
      const members = process.threads.filter((t) => group.tids.includes(t.tid));
      rows.push(threadRow(sumThreads(members), sampled, `×${members.length}`, group.name));
    }
  }
  return rows;
}

/** Alike threads as one: times and counts summed; wait percentiles do not sum, so only the longest wait is kept. */
function sumThreads(members: readonly ThreadStats[]): ThreadStats {
  const sum = (key: keyof ThreadStats) => members.reduce((n, t) => n + (t[key] as number), 0);
  return {
    ...members[0],
    lifetime_ns: sum('lifetime_ns'), held_ns: sum('held_ns'), wait_ns: sum('wait_ns'), no_gil_ns: sum('no_gil_ns'),
    held_off_cpu_ns: sum('held_off_cpu_ns'), held_asleep_ns: sum('held_asleep_ns'), running_ns: sum('running_ns'),
    runnable_ns: sum('runnable_ns'), sleeping_ns: sum('sleeping_ns'), blocked_ns: sum('blocked_ns'), active_ns: sum('active_ns'),
    acquisitions: sum('acquisitions'),
    ...(members[0].samples !== undefined ? { samples: sum('samples') } : {}),
    wait: { count: members.reduce((n, t) => n + t.wait.count, 0), p50_ns: NaN, p95_ns: NaN, p99_ns: NaN, max_ns: Math.max(...members.map((t) => t.wait.max_ns)) },
    drops: { forced: members.reduce((n, t) => n + t.drops.forced, 0), voluntary: members.reduce((n, t) => n + t.drops.voluntary, 0) },
  };
}

function threadRow(thread: ThreadStats, sampled: boolean, tid = String(thread.tid), name = thread.name): string[] {
  const life = thread.lifetime_ns;
  const percentile = (ns: number) => (thread.wait.count && Number.isFinite(ns) ? formatDuration(ns) : '-');
  if (sampled) {
    const samples = thread.samples ?? 0;
    return [
      tid, name, formatDuration(life),
      formatPercent(thread.held_ns, life), formatPercent(thread.wait_ns, life), formatPercent(thread.no_gil_ns, life),
      formatDuration(thread.held_off_cpu_ns), formatPercent(thread.running_ns, life), formatPercent(thread.runnable_ns, life),
      String(samples), `${(shareError(samples) * 100).toFixed(1)}`,
    ];
  }
  return [
    tid,
    name,
    formatDuration(life),
    formatPercent(thread.held_ns, life),
    formatPercent(thread.wait_ns, life),
    formatPercent(thread.no_gil_ns, life),
    formatDuration(thread.held_off_cpu_ns),
    formatPercent(thread.running_ns, life),
    formatPercent(thread.runnable_ns, life),
    percentile(thread.wait.p50_ns),
    percentile(thread.wait.p99_ns),
    String(thread.acquisitions),
    String(thread.drops.forced),
    String(thread.drops.voluntary),
  ];
}

function functionRow(fn: FunctionStats): string[] {
  return [
    fn.name,
    fn.file ? `${fn.file.split('/').pop()}:${fn.line}` : '',
    formatDuration(fn.held_ns),
    formatDuration(fn.held_while_others_wait_ns),
    formatDuration(fn.forced_held_while_others_wait_ns),
    formatDuration(fn.wait_ns),
    String(fn.waits),
    String(fn.forced_drops),
    formatDuration(fn.longest_hold_ns),
    formatLineShares(lineShares(fn, 1)),
    formatLineShares(waitLineShares(fn, 1)),
  ];
}

/** Aligned columns; the first row is the (dim) header, whose names say which columns are text. */
function table(rows: readonly string[][], style: Style): string[] {
  return alignedTable(rows, style, LEFT_ALIGNED);
}

/** Share of the run above which the tracing's own cost is called out: waits then look longer than untraced. */
const TRACING_COST_NOTABLE = 0.1;

/** What the tracing itself added to the run (estimated from its GIL cycles), when measured. */
function tracingCostLine(process: ProcessStats, style: Style): string[] {
  const cost = process.tracing_cost;
  if (!cost || process.duration_ns <= 0) return [];
  const share = cost.added_ns / process.duration_ns;
  const text = `tracing added about ${formatDuration(cost.added_ns)} (${cost.gil_cycles} GIL cycles × ${formatDuration(cost.ns_per_gil_cycle)}), ${formatPercent(cost.added_ns, process.duration_ns)} of the run`;
  if (share < TRACING_COST_NOTABLE) return [`  ${style.dim(text)}`];
  return [`  ${style.yellow(`${text}: the program ran slower than untraced and its waits look longer than they are`)}`];
}
