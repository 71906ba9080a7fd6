/** Hover and click descriptions of what is under the pointer, as small HTML fragments. */
import { CPU_STATE_NAMES, GIL_STATE_NAMES } from './colors.js';
import { stepAt, type Track, type UiData } from './data.js';
import { escapeHtml, formatDuration, formatInstant, formatMonotonic, formatPercent, NO_VALUE } from './format.js';
import { isGilRow, type Row } from './layout.js';
import { GROUP_CPU_GAP, GROUP_GIL_GAP } from './group-tracks.js';
import { groupSpanText, groupTitle, memberFacts, membersTooltipHtml } from './group-details.js';
import { DROP_FORCED, DROP_KNOWN, type ReportFunctionContext } from '../contract/report-data.js';
import { fullWhere, stackDetailsHtml, stackOf, stackTooltipHtml, type UiStack } from './python-stack.js';

/** One step of a track under the pointer: [start, end) and its state. */
export interface Hit {
  readonly row: Row;
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly state: number;
}

export function hitStep(row: Row, t: number): Hit | undefined {
  const { track, start, end } = trackOf(row);
  if (!track || t < start || t >= end) return undefined;
  const index = stepAt(track.times, t);
  if (index < 0) return undefined;
  const state = track.states[index];
  // A group's row where none of its threads lived shows nothing, like a thread's row outside its life.
  if ((row.kind === 'group' && state === GROUP_GIL_GAP) || (row.kind === 'group-cpu' && state === GROUP_CPU_GAP)) return undefined;
  const stop = index + 1 < track.times.length ? track.times[index + 1] : end;
  return { row, index, start: track.times[index], end: Math.min(stop, end), state };
}

export function trackOf(row: Row): { track: Track | undefined; start: number; end: number } {
  const { thread, gil, process, group } = row;
  switch (row.kind) {
    case 'group':
      return { track: group!.gil, start: group!.start, end: group!.end };
    case 'group-cpu':
      return { track: group!.cpu, start: group!.start, end: group!.end };
    case 'gil':
      return { track: thread!.gil, start: thread!.start, end: thread!.end };
    case 'cpu':
      return { track: thread!.cpu, start: thread!.start, end: thread!.end };
    case 'holder':
      return { track: gil!.holders, start: process.start, end: process.end };
    case 'waiters':
      return { track: gil!.waiters, start: process.start, end: process.end };
    case 'process':
      return { track: undefined, start: process.start, end: process.end };
  }
}

export function stateName(hit: Hit): string {
  switch (hit.row.kind) {
    case 'gil':
      return GIL_STATE_NAMES[hit.state] ?? `state ${hit.state}`;
    case 'group':
      return ['none of them holds or waits for the GIL', 'waiting (none of them holds the GIL)', 'holding (one of them)'][hit.state] ?? `state ${hit.state}`;
    case 'group-cpu':
      return ['running (some of them)', 'runnable (none running)', 'sleeping (all of them)', 'blocked (none running or runnable)'][hit.state] ?? `state ${hit.state}`;
    case 'cpu':
      return CPU_STATE_NAMES[hit.state] ?? `state ${hit.state}`;
    case 'holder':
      return hit.state === 0 ? 'nobody holds the GIL' : `${holderName(hit)} holds the GIL`;
    case 'waiters':
      return `${hit.state} thread${hit.state === 1 ? '' : 's'} waiting`;
    default:
      return '';
  }
}

function holderName(hit: Hit): string {
  return hit.row.process.threads[hit.state - 1]?.name ?? '?';
}

export function rowTitle(row: Row): string {
  if (row.thread) return `${row.thread.name} · tid ${row.thread.tid}`;
  if (row.group) return groupTitle(row.group);
  const gil = row.process.gils.length > 1 && row.gil ? ` ${row.gil.key}` : '';
  if (row.kind === 'holder') return `GIL holder${gil} · pid ${row.process.pid}`;
  if (row.kind === 'waiters') return `GIL waiters${gil} · pid ${row.process.pid}`;
  return `pid ${row.process.pid}`;
}

/**
 * The Python stack of a GIL step: a thread's own holding or waiting step (GIL row), or the
 * holder's holding step at `t` (holder row). Undefined without function context or when unknown.
 */
export function stackAtHit(hit: Hit, context: ReportFunctionContext | undefined, t: number): UiStack | undefined {
  if (!context || hit.state === 0) return undefined;
  if (hit.row.kind === 'gil') return stackOf(context, hit.row.thread!.gilStacks?.[hit.index]);
  if (hit.row.kind !== 'holder') return undefined;
  const holder = hit.row.process.threads[hit.state - 1];
  if (!holder?.gilStacks) return undefined;
  const i = stepAt(holder.gil.times, Math.max(t, hit.start));
  return i >= 0 && holder.gil.states[i] === 2 ? stackOf(context, holder.gilStacks[i]) : undefined;
}

/** Tooltip: what, in which Python function, exact start, duration; plus what a zoomed-out pixel column hides. */
export function tooltipHtml(hit: Hit, column: { t0: number; t1: number }, origin: number, context?: ReportFunctionContext): string {
  const stack = stackAtHit(hit, context, column.t0);
  const { row } = hit;
  const members = row.group && !row.thread ? membersTooltipHtml(row.group, row.kind === 'group' ? 'gil' : 'cpu', column.t0, column.t1, context) : '';
  const lines = [
    `<div class="tt-title">${escapeHtml(rowTitle(hit.row))}</div>`,
    `<div class="tt-state">${escapeHtml(stateName(hit))}</div>`,
    ...(members ? [members] : []),
    ...(stack ? [stackTooltipHtml(stack)] : []),
    `<div>duration <b>${formatDuration(hit.end - hit.start)}</b></div>`,
    `<div class="tt-times">${formatInstant(hit.start - origin)} → ${formatInstant(hit.end - origin)}</div>`,
  ];
  const summary = columnSummary(hit.row, column.t0, column.t1);
  if (summary) lines.push(`<div class="tt-column">${summary}</div>`);
  return lines.join('');
}

/** When a pixel hides several steps, say how many and how the time splits. */
function columnSummary(row: Row, t0: number, t1: number): string | undefined {
  if (row.kind === 'process' || row.kind === 'holder' || row.kind === 'waiters') return undefined;
  const { track, start, end } = trackOf(row);
  if (!track) return undefined;
  const names = isGilRow(row) ? GIL_STATE_NAMES : CPU_STATE_NAMES;
  const cover = new Array<number>(names.length).fill(0);
  let steps = 0;
  const lo = Math.max(t0, start);
  const hi = Math.min(t1, end);
  for (let i = Math.max(0, stepAt(track.times, lo)); i < track.times.length && track.times[i] < hi; i++) {
    const s = Math.max(track.times[i], lo);
    const e = Math.min(i + 1 < track.times.length ? track.times[i + 1] : end, hi);
    if (e > s && track.states[i] < names.length) (cover[track.states[i]] += e - s), steps++;
  }
  if (steps < 2) return undefined;
  const total = cover.reduce((a, b) => a + b, 0);
  const parts = names.map((n, i) => (cover[i] > 0 ? `${n} ${formatPercent(cover[i], total, NO_VALUE)}` : '')).filter(Boolean);
  return `this pixel (${formatDuration(hi - lo)}): ${steps} intervals · ${parts.join(' · ')}`;
}

/** The details panel for a clicked step (`t`: where it was clicked, for the holder row's function). */
export function detailsHtml(hit: Hit, data: UiData, t = hit.start): string {
  const { row } = hit;
  const facts: [string, string | { html: string }][] = [
    ['state', stateName(hit)],
    ['duration', `${formatDuration(hit.end - hit.start)} (${Math.round(hit.end - hit.start).toLocaleString('en-US')} ns)`],
    ['start', `${formatInstant(hit.start - data.origin)} from the recording start · CLOCK_MONOTONIC ${formatMonotonic(data.timeBaseNs, hit.start)} s`],
    ['end', `${formatInstant(hit.end - data.origin)} · CLOCK_MONOTONIC ${formatMonotonic(data.timeBaseNs, hit.end)} s`],
    ['process', `pid ${row.process.pid}${row.process.command ? ` · ${row.process.command}` : ''}`],
  ];
  if (row.thread) facts.push(['thread', `${row.thread.name} · tid ${row.thread.tid}`]);
  let groupStack: UiStack | undefined;
  if (row.group && !row.thread) {
    facts.push(['threads', groupSpanText(row.group)]);
    const members = memberFacts(row.group, row.kind === 'group' ? 'gil' : 'cpu', t, data.functionContext);
    facts.push(...members.facts);
    groupStack = members.stack;
  }
  if (row.kind === 'gil' && row.thread) {
    facts.push(['CPU meanwhile', cpuBreakdown(row.thread.cpu, hit.start, hit.end, row.thread.end)]);
    if (hit.state === 2) facts.push(['released', dropAt(row.thread.dropTimes, row.thread.dropFlags, hit.end)]);
    if (hit.state === 2 && hit.index > 0 && row.thread.gil.states[hit.index - 1] === 1) {
      facts.push(['waited before', formatDuration(hit.start - row.thread.gil.times[hit.index - 1])]);
    }
  }
  const stack = stackAtHit(hit, data.functionContext, t) ?? groupStack;
  if (stack) {
    const where = fullWhere(stack.fn);
    // a holding slice names where its hold ended, a waiting one where the thread asked
    const label = row.kind === 'gil' && hit.state === 2 ? 'released the GIL in' : row.kind === 'gil' && hit.state === 1 ? 'asked for the GIL in' : 'Python function';
    facts.push([label, `${stack.fn.name}${where ? ` · ${where}` : ''}`]);
    facts.push(['call stack', { html: stackDetailsHtml(stack) }]);
  }
  if (row.kind === 'holder' && hit.state !== 0 && hit.index > 0) {
    const { times, states } = row.gil!.holders;
    if (states[hit.index - 1] === 0) facts.push(['hand-off gap', `${formatDuration(hit.start - times[hit.index - 1])} with nobody holding`]);
  }
  return (
    `<h3>${escapeHtml(rowTitle(row))}</h3><dl>` +
    facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${typeof v === 'string' ? escapeHtml(v) : v.html}</dd>`).join('') +
    '</dl>'
  );
}

function cpuBreakdown(cpu: Track, s: number, e: number, end: number): string {
  const cover = [0, 0, 0, 0];
  for (let i = Math.max(0, stepAt(cpu.times, s)); i < cpu.times.length && cpu.times[i] < e; i++) {
    const a = Math.max(cpu.times[i], s);
    const b = Math.min(i + 1 < cpu.times.length ? cpu.times[i + 1] : end, e);
    if (b > a) cover[cpu.states[i]] += b - a;
  }
  const total = e - s;
  const parts = CPU_STATE_NAMES.map((n, i) => (cover[i] > 0 ? `${n} ${formatPercent(cover[i], total, NO_VALUE)} (${formatDuration(cover[i])})` : '')).filter(Boolean);
  return parts.length ? parts.join(' · ') : 'unknown';
}

function dropAt(times: Float64Array, flags: ArrayLike<number>, t: number): string {
  const i = stepAt(times, t);
  if (i < 0 || times[i] !== t) return 'at the end of its life or of the recording';
  const f = flags[i];
  if (!(f & DROP_KNOWN)) return 'dropped (reason unknown)';
  return f & DROP_FORCED ? 'forced drop (another thread asked for the GIL)' : 'voluntary drop (blocking call or thread end)';
}
