/**
 * The per-function table: the stats' `functions` of every process (see FunctionStats in
 * contract/stats.ts for what is charged where), sortable like the thread table, most GIL time
 * held while others waited first. Recordings without function context have no such list, and
 * then the page has no such card.
 */
import { heaviestPath, lineShares, waitLineShares } from '../contract/function-lines.js';
import type { FunctionStats, ProcessStats, StatsJson } from '../contract/stats.js';
import { escapeHtml, formatCount, formatDuration } from './format.js';
import { fullWhere, isSpecial, shortWhere } from './python-stack.js';
import { renderSortableTable, type Column } from './sortable-table.js';

type FunctionRow = {
  readonly f: FunctionStats;
  readonly p: ProcessStats;
  /** The process' totals of the barred columns, so a bar shows the function's share. */
  readonly totals: { readonly others: number; readonly wait: number };
};

/** True when some process of the recording has per-function numbers. */
export function hasFunctionTable(stats: StatsJson): boolean {
  return stats.processes.some((p) => (p.functions?.length ?? 0) > 0);
}

/** The card around the table, or '' when the recording has no function context. */
export function functionCardHtml(stats: StatsJson): string {
  if (!hasFunctionTable(stats)) return '';
  const samples = stats.recording.holder_samples;
  const held = samples && samples.in_holds > 0
    ? `held time as ${samples.in_holds} samples of the GIL's holder (${samples.hz} a second) saw it running (the timeline's holding
      slices name the function each hold ended in: a hold that ends in a blocking call did its work before)`
    : 'a hold counts for the function that released the GIL (a forced drop catches a CPU-bound function in the act)';
  return `<section class="card" id="gt-functions-card"><h2>Python functions</h2>
    <p class="card-note">GIL time by the Python function a thread was in: ${held}, a wait for the function that asked for it.
      <em>held while others waited</em> is what the function cost the other threads${samples && samples.in_holds > 0 ? '; <em>most at line</em> the line the samples saw it run most' : ''}${
        stats.processes.some((p) => p.functions?.some((f) => f.wait_lines?.length)) ? '; <em>waited at line</em> where its threads let the GIL go before they waited for it' : ''
      }. Hover a name for its call paths, a line for the others.</p>
    <div class="table-wrap tall" id="gt-functions"></div></section>`;
}

export function renderFunctionTable(host: HTMLElement, stats: StatsJson): void {
  const processes = stats.processes.filter((p) => (p.functions?.length ?? 0) > 0);
  const rows = processes.flatMap((p) => {
    const functions = p.functions!;
    const totals = { others: sum(functions, (f) => f.held_while_others_wait_ns), wait: sum(functions, (f) => f.wait_ns) };
    return functions.map((f): FunctionRow => ({ f, p, totals }));
  });
  // the line column after `where`, when holder samples read lines; the wait's line after the
  // waits, when the probes read where each drop was; the time asleep without the GIL at the end
  const has = (of: (f: FunctionStats) => unknown) => rows.some(({ f }) => of(f) !== undefined);
  const withLines = FUNCTION_COLUMNS.flatMap((c) => [
    ...(c.title === 'held' && has((f) => f.lines?.length || undefined) ? [LINE_COLUMN] : []),
    c,
    ...(c.title === 'waits' && has((f) => f.wait_lines?.length || undefined) ? [WAIT_LINE_COLUMN] : []),
  ]);
  const all = [...withLines, ...(has((f) => f.released_asleep_ns) ? [ASLEEP_COLUMN] : [])];
  const columns = processes.length > 1 ? [PID_COLUMN, ...all] : all;
  renderSortableTable(host, {
    id: 'gt-function-table',
    className: 'sortable functions',
    columns,
    rows,
    sortColumn: columns.findIndex((c) => c.title === 'held while others waited'),
    emptyHtml: '<p class="muted">No Python function was seen at a GIL event.</p>',
  });
}

const PID_COLUMN: Column<FunctionRow> = { title: 'pid', value: ({ p }) => p.pid, show: ({ p }) => String(p.pid) };

const FUNCTION_COLUMNS: readonly Column<FunctionRow>[] = [
  {
    title: 'function',
    value: ({ f }) => f.name,
    show: ({ f }) => (isSpecial(f) ? `<span class="muted">${escapeHtml(f.name)}</span>` : escapeHtml(f.name)),
    text: true,
    cellTitle: ({ f }) => callPaths(f),
  },
  { title: 'where', hint: 'file and line of the def (sort by file)', value: ({ f }) => fullWhere(f), show: ({ f }) => escapeHtml(shortWhere(f)), text: true, cellTitle: ({ f }) => fullWhere(f) || undefined },
  { title: 'held', hint: 'GIL held by threads in this function', value: ({ f }) => f.held_ns, show: ({ f }) => formatDuration(f.held_ns) },
  {
    title: 'held while others waited',
    hint: 'the part of held during which another thread waited for the GIL: what this function cost the others',
    value: ({ f }) => f.held_while_others_wait_ns,
    show: ({ f }) => formatDuration(f.held_while_others_wait_ns),
    bar: { kind: 'holding', fraction: ({ f, totals }) => ratio(f.held_while_others_wait_ns, totals.others) },
  },
  {
    title: 'wait',
    hint: 'time threads waited for the GIL, asking for it in this function',
    value: ({ f }) => f.wait_ns,
    show: ({ f }) => formatDuration(f.wait_ns),
    bar: { kind: 'waiting', fraction: ({ f, totals }) => ratio(f.wait_ns, totals.wait) },
  },
  { title: 'waits', value: ({ f }) => f.waits, show: ({ f }) => formatCount(f.waits) },
  { title: 'forced drops', hint: 'holds ended by the switch interval: the function was running Python when another thread wanted the GIL', value: ({ f }) => f.forced_drops, show: ({ f }) => formatCount(f.forced_drops) },
  { title: 'longest hold', hint: 'the longest single hold', value: ({ f }) => f.longest_hold_ns, show: ({ f }) => formatDuration(f.longest_hold_ns) },
  {
    title: 'longest contended run',
    hint: 'of one hold, the longest time on a CPU while another thread waited: far beyond the switch interval (5 ms) is C code that kept the GIL',
    value: ({ f }) => f.longest_contended_run_ns,
    show: ({ f }) => formatDuration(f.longest_contended_run_ns),
  },
];

/** Characters of a line's text shown in its cell (all of it on hover). */
const LINE_TEXT_CHARS = 48;

/** Where in the function: the line its holder samples saw run most (recordings with holder samples). */
const LINE_COLUMN: Column<FunctionRow> = {
  title: 'most at line',
  hint: 'the source line the samples of the GIL holder saw this function run most, and its share of the function\'s held-while-others-waited time (hover: its other lines)',
  value: ({ f }) => lineShares(f, 1)[0]?.share ?? -1,
  text: true,
  show: ({ f }) => lineCell(lineShares(f, 1)[0], f.lines),
  cellTitle: ({ f }) =>
    lineList(f, f.lines, lineShares(f, f.lines?.length ?? 0), (l) => `held ${formatDuration(l.held_ns)}, ${formatDuration(l.held_while_others_wait_ns)} while others waited${l.samples ? `, ${formatCount(l.samples)} of ${formatCount(f.held_samples ?? l.samples)} samples` : ''}`),
};

/** Where its threads let the GIL go before they waited for it (exact recordings since 12-07). */
const WAIT_LINE_COLUMN: Column<FunctionRow> = {
  title: 'waited at line',
  hint: 'the source line the threads let the GIL go at before they waited to get it back (the call that released it, or where a forced switch caught them), and its share of the function\'s wait (hover: its other lines)',
  value: ({ f }) => waitLineShares(f, 1)[0]?.share ?? -1,
  text: true,
  show: ({ f }) => lineCell(waitLineShares(f, 1)[0], f.wait_lines),
  cellTitle: ({ f }) =>
    lineList(f, f.wait_lines, waitLineShares(f, f.wait_lines?.length ?? 0), (l) => `${formatDuration(l.wait_ns)} waited after it, ${formatCount(l.waits)} waits${mostlyFrom(l.paths)}`),
};

/** What its threads did without the GIL after letting it go here: asleep (a lock, I/O, a sleep) or on a CPU. */
const ASLEEP_COLUMN: Column<FunctionRow> = {
  title: 'asleep without GIL',
  hint: 'time the threads slept or were blocked without the GIL after letting it go in this function (a lock, I/O, a sleep), up to their next wait for it (hover: by line)',
  value: ({ f }) => f.released_asleep_ns ?? 0,
  show: ({ f }) => formatDuration(f.released_asleep_ns ?? 0),
  cellTitle: ({ f }) =>
    lineList(f, f.released_lines, undefined, (l) => `${formatDuration(l.released_asleep_ns)} asleep without the GIL after it (${formatDuration(l.released_ns)} without it)${mostlyFrom(l.paths, (p) => p.released_asleep_ns)}`),
};

/**
 * `; mostly called from A ← B`: the call path most of a line's time came by (the first of its
 * paths, or the heaviest by `weight`), when the stats have its paths.
 */
function mostlyFrom<P extends { readonly callers: readonly string[] }>(paths: readonly P[] | undefined, weight?: (path: P) => number): string {
  const top = weight ? heaviestPath(paths, weight) : paths?.[0];
  return top?.callers.length ? `; mostly called from ${top.callers.slice(0, 3).join(' ← ')}` : '';
}

/** A line cell: its number, its text (cut), its share. */
function lineCell(top: { readonly line: number; readonly share: number } | undefined, lines: readonly { readonly line: number; readonly text?: string }[] | undefined): string {
  if (!top) return '';
  const text = lines?.find((l) => l.line === top.line)?.text;
  const code = text ? ` <code class="source-line">${escapeHtml(text.length > LINE_TEXT_CHARS ? `${text.slice(0, LINE_TEXT_CHARS - 1)}…` : text)}</code>` : '';
  return `${top.line}${code} <span class="muted">${(100 * top.share).toFixed(1)}%</span>`;
}

/** The function's lines as the stats keep them (the busiest few), one per line, each said by `say`. */
function lineList<L extends { readonly line: number; readonly text?: string }>(
  f: FunctionStats,
  lines: readonly L[] | undefined,
  shareList: readonly { readonly line: number; readonly share: number }[] | undefined,
  say: (l: L) => string,
): string | undefined {
  if (!lines?.length) return undefined;
  const shares = new Map((shareList ?? []).map((l) => [l.line, l.share]));
  const said = lines.map((l) => {
    const share = shares.get(l.line);
    return `line ${l.line}: ${say(l)}${share !== undefined ? ` (${(100 * share).toFixed(1)}%)` : ''}${l.text ? `\n    ${l.text}` : ''}`;
  });
  return `${shortWhere(f)}, by line:\n${said.join('\n')}`;
}

/** The function's call paths as the stats keep them (the busiest few), one per line. */
function callPaths(f: FunctionStats): string | undefined {
  const paths = f.stacks.filter((s) => s.callers.length > 0);
  if (paths.length === 0) return undefined;
  const lines = paths.map((s) => `${s.callers.join(' ← ')} (held ${formatDuration(s.held_ns)}, waited ${formatDuration(s.wait_ns)})`);
  return `called from:\n${lines.join('\n')}`;
}

function sum(functions: readonly FunctionStats[], of: (f: FunctionStats) => number): number {
  return functions.reduce((n, f) => n + of(f), 0);
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}
