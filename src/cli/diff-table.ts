/**
 * The terminal view of `giltrace diff`: per process, the two runs' numbers side by side (A, B,
 * change) for every row of threads and the top Python functions, then both verdicts and the notes
 * that make the runs unlike. Durations change in percent, shares in percentage points.
 */
import { formatDuration } from '../base/time.js';
import type { Compared, DiffJson, FunctionDiff, ProcessDiff, ProcessSide, ThreadNumbers, ThreadRowDiff } from '../contract/diff.js';
import { cut, styleFor, table, type ColumnGroup, type Style } from './terminal-table.js';

/** Functions listed per process (all of them are in --json). */
const TOP_FUNCTIONS = 8;
/** Thread and function names are cut to this, so the table stays within ~120 columns. */
const NAME_WIDTH = 28;
const WHERE_WIDTH = 28;
const SIDES = ['A', 'B', 'change'];
const LEFT_ALIGNED = new Set(['thread', 'function', 'where']);

export function formatDiff(diff: DiffJson, color: boolean): string {
  const style = styleFor(color);
  const out = [`${style.bold('A')}  ${diff.a.label}`, `${style.bold('B')}  ${diff.b.label}`, ''];
  // a sampled run counts no takes, waits or forced drops: its side of them is '-', with no change
  const counts: CountCells = diff.a.sampled || diff.b.sampled ? uncountedCells : (value) => cells(value, String);
  for (const process of diff.processes) out.push(...formatProcess(process, style, counts), '');
  if (diff.processes.length === 0) out.push('Neither recording has a Python process with GIL activity.', '');
  out.push(...formatVerdicts(diff, style));
  for (const note of diff.notes) out.push(style.yellow(`note: ${note}`));
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function formatProcess(process: ProcessDiff, style: Style, counts: CountCells): string[] {
  const lines = [...processHeader(process, style)];
  const facts = [
    `wall ${sideBySide(process.duration_ns, formatDuration)}`,
    `GIL held ${sideBySide(process.gil_held_ns, formatDuration)}`,
    `contended ${sideBySide(process.gil_contended_ns, formatDuration)}`,
  ];
  lines.push(`  ${facts.join(' · ')}`);
  // what limits a program the GIL does not bind: C code without it, or every thread asleep
  if (process.c_without_gil_ns.a !== undefined || process.c_without_gil_ns.b !== undefined) {
    const handover = process.handover_ns.a !== undefined || process.handover_ns.b !== undefined ? ` · changing hands ${sideBySide(process.handover_ns, formatDuration)}` : '';
    lines.push(`  nobody held it: C code ran ${sideBySide(process.c_without_gil_ns, formatDuration)} · all asleep ${sideBySide(process.all_asleep_ns, formatDuration)}${handover}`);
  }
  lines.push(...threadTable(process).map((line) => `  ${line}`));
  // the table's columns are what others paid and what it paid: a function with neither in both
  // runs (start-up's imports, held with nobody waiting) is a row of zeros there (--json has it)
  const functions = process.functions.filter(contendedInEither);
  if (functions.length > 0) {
    const shown = functions.slice(0, TOP_FUNCTIONS);
    const without = (['a', 'b'] as const).filter((side) => process[side]?.function_context === false).map((side) => side.toUpperCase());
    const remarks = [
      ...(functions.length > shown.length ? [`top ${shown.length} of ${functions.length}`] : []),
      ...(process.functions.length > shown.length ? [`--json has all${process.functions.length > functions.length ? ` ${process.functions.length}` : ''}`] : []),
      ...(without.length === 1 ? [`none in ${without[0]}: no function context`] : []),
    ];
    const aside = remarks.length ? ` (${remarks.join('; ')})` : '';
    lines.push('', `  ${style.dim(`Python functions, by GIL time held while others waited plus waited${aside}:`)}`);
    lines.push(...functionTable(shown, style, counts).map((line) => `  ${line}`));
  }
  return lines;

  function threadTable(p: ProcessDiff): string[] {
    const header = ['thread', 'threads', ...SIDES, ...SIDES, ...SIDES, ...SIDES];
    const groups: ColumnGroup[] = [
      { label: '', columns: 2 },
      { label: 'wait share of active', columns: 3 },
      { label: 'wait', columns: 3 },
      { label: 'held', columns: 3 },
      { label: 'takes', columns: 3 },
    ];
    const all = threadNumberCells('all threads', threadCount(compareCount(p.a, p.b)), p.all_threads, counts);
    return table([header, all, ...p.threads.map((row) => threadRow(row, counts))], style, LEFT_ALIGNED, groups);
  }
}

function contendedInEither(fn: FunctionDiff): boolean {
  return [fn.held_while_others_wait_ns, fn.wait_ns].some((c) => (c.a ?? 0) > 0 || (c.b ?? 0) > 0);
}

function compareCount(a: ProcessSide | undefined, b: ProcessSide | undefined): Compared {
  return { ...(a && { a: a.threads }), ...(b && { b: b.threads }) };
}

function processHeader(process: ProcessDiff, style: Style): string[] {
  const side = (label: string, p: ProcessSide | undefined) =>
    p ? `${label} PID ${p.pid}  ${p.command}  ${style.dim(`(Python ${p.python.version}${p.python.gil === 'disabled' ? ', free-threaded' : ''})`)}` : `${label} -`;
  const how: Record<ProcessDiff['match'], string> = {
    'same-command': 'same command',
    'same-script': 'same script, other arguments',
    position: 'different commands, paired by position',
    'only-a': 'only in A',
    'only-b': 'only in B',
  };
  return [`${style.bold('Process')} ${style.dim(`(${how[process.match]})`)}`, `  ${side('A', process.a)}`, `  ${side('B', process.b)}`];
}

function threadRow(row: ThreadRowDiff, counts: CountCells): string[] {
  const name = row.a && row.b && row.a.name !== row.b.name ? row.key : (row.a ?? row.b)!.name;
  return threadNumberCells(cut(name, NAME_WIDTH), threadCount(row.threads), row, counts);
}

/** `4`, or `1→4` when the runs had different numbers of them. */
function threadCount(count: Compared): string {
  const show = (n: number | undefined) => (n === undefined ? '-' : String(n));
  return count.a === count.b ? show(count.a) : `${show(count.a)}→${show(count.b)}`;
}

function threadNumberCells(name: string, threads: string, numbers: ThreadNumbers, counts: CountCells): string[] {
  return [
    name,
    threads,
    ...cells(numbers.wait_share, formatShare, formatPointChange),
    ...cells(numbers.wait_ns, formatDuration),
    ...cells(numbers.held_ns, formatDuration),
    ...counts(numbers.acquisitions),
  ];
}

function functionTable(functions: readonly FunctionDiff[], style: Style, counts: CountCells): string[] {
  const header = ['function', 'where', ...SIDES, ...SIDES, ...SIDES];
  const groups: ColumnGroup[] = [
    { label: '', columns: 2 },
    { label: 'held while others waited', columns: 3 },
    { label: 'wait', columns: 3 },
    { label: 'forced drops', columns: 3 },
  ];
  const rows = functions.map((fn) => {
    return [
      cut(fn.name, NAME_WIDTH),
      where(fn),
      ...cells(fn.held_while_others_wait_ns, formatDuration),
      ...cells(fn.wait_ns, formatDuration),
      ...counts(fn.forced_drops),
    ];
  });
  return table([header, ...rows], style, LEFT_ALIGNED, groups);
}

/** `threading.py:323`, or `threading.py:323→327` when the line moved between the runs; long ones lose their start. */
function where(fn: FunctionDiff): string {
  const site = (fn.a ?? fn.b)!;
  if (!site.file) return '';
  const frozen = /^<frozen (.*)>$/.exec(site.file);
  const file = frozen ? frozen[1].slice(frozen[1].lastIndexOf('.') + 1) : site.file.slice(site.file.lastIndexOf('/') + 1);
  const lines = fn.a && fn.b && fn.a.line !== fn.b.line ? `${fn.a.line}→${fn.b.line}` : String(site.line);
  const text = [...`${file}:${lines}`];
  return text.length <= WHERE_WIDTH ? text.join('') : '…' + text.slice(text.length - WHERE_WIDTH + 1).join('');
}

/** A, B and change cells; a side the row is not in shows '-', and the change says which run has it. */
/** A count's three cells (A, B, change). */
type CountCells = (value: Compared) => string[];

/** A count beside a sampled run, which has none: '-' for its side and no change (not "only A": the row is in both). */
function uncountedCells(value: Compared): string[] {
  const show = (n: number | undefined) => (n === undefined ? '-' : String(n));
  return [show(value.a), show(value.b), ''];
}

function cells(value: Compared, format: (n: number) => string, formatChange: (c: Compared, format: (n: number) => string) => string = formatRelativeChange): string[] {
  const show = (n: number | undefined) => (n === undefined ? '-' : format(n));
  const only = value.a === undefined ? (value.b === undefined ? '' : 'only B') : value.b === undefined ? 'only A' : undefined;
  return [show(value.a), show(value.b), only ?? formatChange(value, format)];
}

/** `276 ms | 308 ms (+11.4%)`, for the one-line facts. */
function sideBySide(value: Compared, format: (n: number) => string): string {
  const show = (n: number | undefined) => (n === undefined ? '-' : format(n));
  const change = formatRelativeChange(value, format);
  return `${show(value.a)} | ${show(value.b)}${change ? ` (${change})` : ''}`;
}

export function formatRelativeChange(value: Compared, format: (n: number) => string): string {
  if (value.change === undefined) return '';
  if (value.change === 0) return '=';
  // From nothing, a percentage says nothing: the amount says what appeared.
  if (value.relative_change === undefined) return `+${format(value.change)}`;
  // Tenfold and more reads better as a factor than as +219051%.
  if (value.relative_change >= 9) return `×${(1 + value.relative_change).toFixed(0)}`;
  const percent = 100 * value.relative_change;
  return `${percent > 0 ? '+' : ''}${percent.toFixed(Math.abs(percent) < 10 ? 1 : 0)}%`;
}

function formatShare(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

export function formatPointChange(value: Compared): string {
  if (value.change === undefined) return '';
  if (value.change === 0) return '=';
  const points = 100 * value.change;
  return `${points > 0 ? '+' : ''}${points.toFixed(1)} pt`;
}

function formatVerdicts(diff: DiffJson, style: Style): string[] {
  const line = (label: string, verdict: DiffJson['a']['verdict']) => `  ${label}: ${verdict ? verdict.headline : 'no verdict'}`;
  const kinds = diff.verdict_kind_changed
    ? `${diff.a.verdict?.kind ?? 'none'} → ${diff.b.verdict?.kind ?? 'none'}`
    : `both ${diff.a.verdict?.kind ?? 'none'}`;
  return [style.bold(`Verdict (${kinds})`), line('A', diff.a.verdict), line('B', diff.b.verdict)];
}
