/**
 * `giltrace top`'s screen: per process, the GIL now (held, contended, who holds it), one row per
 * thread (alike threads as one ×N row) with held / wait / no-GIL over the last tick and since the
 * start, then the functions that held the GIL while others waited. Fits 80 columns; `rows` caps
 * the height (a terminal's), the thread table giving way first.
 */
import { formatDuration, formatPercent } from '../base/time.js';
import { lineShares, waitLineShares } from '../contract/function-lines.js';
import { THREAD_GROUP_ROW_MIN, type ProcessStats } from '../contract/stats.js';
import type { FunctionTotals, LiveTick, ThreadTotals } from './live-analysis.js';
import { runSplitText } from './run-split-line.js';
import { cut, table, type Style } from './terminal-table.js';

const COLUMNS = ['thread', 'tid', 'held', 'wait', 'no GIL', 'held ', 'wait ', 'no GIL '];
const LEFT = new Set(['thread', 'function', 'where']);
const FUNCTION_COLUMNS = ['function', 'where', 'held', 'others waited', 'wait'];
const TOP_FUNCTIONS = 5;
const NAME_WIDTH = 22;

export interface TopViewOptions {
  readonly style: Style;
  /** Screen height; the thread rows are cut to fit. */
  readonly rows?: number;
  /** A line about how to quit, or undefined. */
  readonly hint?: string;
}

export function formatTop(tick: LiveTick, options: TopViewOptions): string[] {
  const { style } = options;
  const out: string[] = [];
  const head = `giltrace top · ${formatDuration(tick.elapsedNs)} · last ${formatDuration(tick.windowNs)}`;
  out.push(style.bold(head) + (options.hint ? style.dim(`  ${options.hint}`) : ''));
  if (tick.sampledHz !== undefined) {
    const cost = tick.samplerShare !== undefined ? ` (giltrace: ${formatPercent(tick.samplerShare, 1)} of a CPU)` : '';
    out.push(`sampled ${tick.sampledHz} times a second${cost}: the shares are estimates`);
  }
  if (tick.lostEvents > 0) out.push(style.red(`perf lost ${tick.lostEvents} events: numbers near the gaps are uncertain`));
  if (tick.window.processes.length === 0) out.push('waiting for GIL activity…');
  const budget = Math.max(4, (options.rows ?? Infinity) - out.length - 2);
  const perProcess = Math.max(4, Math.floor(budget / Math.max(1, tick.window.processes.length)));
  for (const process of tick.window.processes) out.push('', ...formatProcess(process, tick, style, perProcess));
  return out;
}

function formatProcess(process: ProcessStats, tick: LiveTick, style: Style, maxLines: number): string[] {
  const gil = process.gil;
  const holders = tick.holders.filter((h) => h.pid === process.pid);
  const holder = holders.length
    ? holders.map((h) => `${cut(h.name, 24)} (${h.tid}) for ${formatDuration(h.sinceNs)}`).join(', ')
    : 'nobody';
  const pid = `PID ${process.pid}${process.pid_in_namespace !== undefined ? ` (${process.pid_in_namespace} in its container)` : ''}`;
  const cost = process.tracing_cost;
  const tracing = cost && process.duration_ns > 0 ? ` · tracing ≈${formatPercent(cost.added_ns, process.duration_ns)}` : '';
  const splitText = runSplitText(process);
  const split = splitText ? [`  ${splitText}`] : [];
  const lines = [
    `${style.bold(pid)} ${cut(process.command, Math.max(10, 79 - pid.length))}`,
    `  GIL held ${formatPercent(gil.held_ns, process.duration_ns)} · contended ${formatPercent(gil.contended_ns, process.duration_ns)}${tracing}`,
    ...split,
    `  held now by ${holder}`,
  ];
  const functions = functionRows(tick.functions.get(process.pid));
  const lineNotes = [hotLineOf(tick.functions.get(process.pid)), waitLineOf(tick.functions.get(process.pid))].filter((l) => l !== undefined);
  const threadRoom = Math.max(1, maxLines - lines.length - 2 - (functions.length ? functions.length + 2 + lineNotes.length : 0));
  const rows = threadRows(process, tick.threads);
  const shown = rows.slice(0, threadRoom);
  const header = [COLUMNS, ...shown];
  const tableLines = table(header, style, LEFT, [
    { label: '', columns: 2 },
    { label: `last ${formatDuration(tick.windowNs)}`, columns: 3 },
    { label: 'since start', columns: 3 },
  ]);
  lines.push(...tableLines.map((line) => `  ${line}`));
  if (rows.length > shown.length) lines.push(style.dim(`  … ${rows.length - shown.length} more threads`));
  if (functions.length) {
    lines.push(style.dim('  Python functions by GIL time held while other threads waited, since the start:'));
    lines.push(...table([FUNCTION_COLUMNS, ...functions], style, LEFT).map((line, i) => `  ${i === 0 ? style.dim(line) : line}`));
    lines.push(...lineNotes);
  }
  return lines;
}

/**
 * The line the top function held the GIL at most (holder samples' lines), with its text, in 80
 * columns: `  worker mostly at line 18 (92.6%): blob = zlib.compress(…`; undefined without lines.
 */
function hotLineOf(functions: ReadonlyMap<string, FunctionTotals> | undefined): string | undefined {
  const top = topFunctions(functions)[0];
  if (!top) return undefined;
  const [line] = lineShares({ held_ns: top.heldNs, held_while_others_wait_ns: top.heldWhileOthersWaitNs, lines: [...top.lines].map(([at, l]) => ({ line: at, ...l })) }, 1);
  if (!line) return undefined;
  const text = top.lines.get(line.line)?.text;
  const head = `  ${cut(top.name, 24)} mostly at line ${line.line} (${formatPercent(line.share, 1)})`;
  return text ? `${head}: ${cut(text, Math.max(10, 79 - head.length - 2))}` : head;
}

/**
 * The line threads waited after most, in the function they waited in most (the probes' drop
 * lines): `  waiter: waits mostly after line 19 (73.6%): time.sleep(0.0002)`; undefined without.
 */
function waitLineOf(functions: ReadonlyMap<string, FunctionTotals> | undefined): string | undefined {
  const top = [...(functions?.values() ?? [])].filter((f) => f.waitLines.size > 0).sort((a, b) => b.waitNs - a.waitNs)[0];
  if (!top) return undefined;
  const [line] = waitLineShares({ wait_ns: top.waitNs, wait_lines: [...top.waitLines].map(([at, l]) => ({ line: at, ...l })) }, 1);
  if (!line) return undefined;
  const text = top.waitLines.get(line.line)?.text;
  const head = `  ${cut(top.name, 24)}: waits mostly after line ${line.line} (${formatPercent(line.share, 1)})`;
  return text ? `${head}: ${cut(text, Math.max(10, 79 - head.length - 2))}` : head;
}

/** Threads by what they want (held + wait) in the last tick; alike threads as one row. */
function threadRows(process: ProcessStats, totals: ReadonlyMap<string, ThreadTotals>): string[][] {
  const groups = process.thread_groups.filter((g) => g.tids.length >= THREAD_GROUP_ROW_MIN);
  const grouped = new Set(groups.flatMap((g) => g.tids));
  const entries: Array<{ weight: number; row: string[] }> = [];
  for (const group of groups) {
    const since = sumTotals(group.tids.map((tid) => totals.get(`${process.pid}:${tid}`)));
    entries.push({
      weight: group.held_ns + group.wait_ns,
      row: [`${cut(group.name, NAME_WIDTH - 4)} ×${group.tids.length}`, '-', ...shares(group.held_ns, group.wait_ns, group.no_gil_ns, group.lifetime_ns), ...sinceShares(since)],
    });
  }
  for (const thread of process.threads) {
    if (grouped.has(thread.tid)) continue;
    const since = totals.get(`${process.pid}:${thread.tid}`);
    entries.push({
      weight: thread.held_ns + thread.wait_ns,
      row: [cut(thread.name, NAME_WIDTH), String(thread.tid), ...shares(thread.held_ns, thread.wait_ns, thread.no_gil_ns, thread.lifetime_ns), ...sinceShares(since)],
    });
  }
  entries.sort((a, b) => b.weight - a.weight);
  return entries.map((e) => e.row);
}

function sumTotals(parts: ReadonlyArray<ThreadTotals | undefined>): Pick<ThreadTotals, 'heldNs' | 'waitNs' | 'noGilNs' | 'lifetimeNs'> {
  const sum = { heldNs: 0, waitNs: 0, noGilNs: 0, lifetimeNs: 0 };
  for (const t of parts) {
    if (!t) continue;
    sum.heldNs += t.heldNs;
    sum.waitNs += t.waitNs;
    sum.noGilNs += t.noGilNs;
    sum.lifetimeNs += t.lifetimeNs;
  }
  return sum;
}

function shares(held: number, wait: number, noGil: number, life: number): string[] {
  return [formatPercent(held, life), formatPercent(wait, life), formatPercent(noGil, life)];
}

function sinceShares(t: Pick<ThreadTotals, 'heldNs' | 'waitNs' | 'noGilNs' | 'lifetimeNs'> | undefined): string[] {
  return t ? shares(t.heldNs, t.waitNs, t.noGilNs, t.lifetimeNs) : ['-', '-', '-'];
}

/** The functions that held the GIL longest while others waited, since the start (their order in the table). */
function topFunctions(functions: ReadonlyMap<string, FunctionTotals> | undefined): FunctionTotals[] {
  if (!functions) return [];
  return [...functions.values()]
    .filter((f) => f.heldWhileOthersWaitNs + f.waitNs > 0)
    .sort((a, b) => b.heldWhileOthersWaitNs - a.heldWhileOthersWaitNs || b.waitNs - a.waitNs)
    .slice(0, TOP_FUNCTIONS);
}

/** Their rows. */
function functionRows(functions: ReadonlyMap<string, FunctionTotals> | undefined): string[][] {
  return topFunctions(functions).map((f) => [
    // 2 + 20 + 2 + 20 + 2 + 7 + 2 + 13 + 2 + 7: 77 columns at most
    cut(f.name, 20),
    f.file ? where(f.file, f.line, 20) : '',
    formatDuration(f.heldNs),
    formatDuration(f.heldWhileOthersWaitNs),
    formatDuration(f.waitNs),
  ]);
}

/** `file.py:line`, the file name shortened from its start so that the line number stays. */
function where(file: string, line: number, width: number): string {
  const name = [...(file.split('/').pop() ?? file)];
  const tail = `:${line}`;
  const room = width - tail.length;
  return (name.length <= room ? name.join('') : `…${name.slice(name.length - room + 1).join('')}`) + tail;
}
