/** The summary around the timeline: verdict, recording facts, per-process GIL figures, the sortable thread table. */
import type { ProcessStats, StatsJson, ThreadStats } from '../contract/stats.js';
import type { ReportData } from '../contract/report-data.js';
import { escapeHtml, formatCount, formatDuration, formatPercent, NO_VALUE } from './format.js';
import { renderSortableTable, type Column } from './sortable-table.js';
import { shownGroups, sumThreadStats } from './thread-groups.js';

export function verdictHtml(data: ReportData): string {
  const v = data.verdict;
  if (!v) return '';
  const details = v.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('');
  return `<section class="card verdict verdict-${escapeHtml(v.kind.replace(/[^a-z0-9-]/gi, '-'))}" id="gt-verdict">
    <div class="verdict-kind">${escapeHtml(v.kind)}</div>
    <h2>${escapeHtml(v.headline)}</h2>${details ? `<ul>${details}</ul>` : ''}</section>`;
}

export function factsHtml(data: ReportData): string {
  const { stats } = data;
  const rec = stats.recording;
  const lost = rec.lost_events > 0 ? `<span class="bad">${formatCount(rec.lost_events)}</span>` : '0';
  const cells: [string, string][] = [
    ['duration', formatDuration(rec.duration_ns)],
    ['events', formatCount(rec.events)],
    ['lost events', lost],
    ['processes', String(stats.processes.length)],
    ['threads', String(stats.processes.reduce((a, p) => a + p.threads.length, 0))],
  ];
  const sampling = rec.sampling;
  if (sampling) {
    // a sampled recording: every figure is an estimate from ticks
    const bound = (sampling.share_error_95 * 100).toFixed(1);
    const slowed = sampling.slowest_hz !== undefined && sampling.cpu_budget !== undefined
      ? ` (at times ${Math.round(sampling.slowest_hz)}/s, to keep the sampler within ${+(sampling.cpu_budget * 100).toFixed(1)} % of a CPU)`
      : '';
    cells.push(['sampled', `${formatCount(sampling.ticks)} ticks at ${Math.round(sampling.effective_hz)}/s${slowed} · shares ±${bound} points (95 %)`]);
  }
  const warnings = rec.warnings.length
    ? `<ul class="warnings">${rec.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
    : '';
  return `<section class="card facts" id="gt-facts"><h2>Recording</h2>
    <div class="fact-grid">${cells.map(([k, v]) => `<div><span class="k">${k}</span><span class="v">${v}</span></div>`).join('')}</div>
    ${warnings}${stats.processes.map((p) => processHtml(p, sampling !== undefined)).join('')}</section>`;
}

/** @param sampled hand-offs and drops are left out of a sampled recording's: the ticks see only what outlasts a tick */
function processHtml(p: ProcessStats, sampled: boolean): string {
  const g = p.gil;
  const anomalies = Object.entries(p.anomalies).filter(([, n]) => n > 0);
  const cells: [string, string][] = [
    ['python', `${escapeHtml(p.python.version)} · GIL ${escapeHtml(p.python.gil)}`],
    ['executable', escapeHtml(p.python.executable)],
    ['GIL held', `${formatDuration(g.held_ns)} (${formatPercent(g.held_ns, p.duration_ns, NO_VALUE)})`],
    ['contended', `${formatDuration(g.contended_ns)} (${formatPercent(g.contended_ns, p.duration_ns, NO_VALUE)})`],
  ];
  if (!sampled) {
    cells.push(
      ['hand-offs', `${formatCount(g.handoff.count)} · p50 ${formatDuration(g.handoff.p50_ns)} · p95 ${formatDuration(g.handoff.p95_ns)} · p99 ${formatDuration(g.handoff.p99_ns)} · max ${formatDuration(g.handoff.max_ns)}`],
      ['drops', `${formatCount(g.drops.forced)} forced · ${formatCount(g.drops.voluntary)} voluntary`],
    );
  }
  const split = runSplitHtml(p);
  const anomalyText = anomalies.length
    ? `<p class="anomalies">Events that did not fit the state machine: ${anomalies.map(([k, n]) => `${escapeHtml(k)} ${formatCount(n)}`).join(', ')}</p>`
    : '';
  return `<div class="process"><h3>${escapeHtml(p.command || 'process')} <span class="muted">pid ${p.pid} · ${formatDuration(p.duration_ns)}</span></h3>
    <div class="fact-grid">${cells.map(([k, v]) => `<div><span class="k">${k}</span><span class="v">${v}</span></div>`).join('')}</div>${split}${anomalyText}</div>`;
}

/**
 * The process's run instant by instant (time_split): a thread held the GIL, C code ran with nobody
 * holding it, every thread slept, it changed hands; as a bar and in words. What is not the GIL limits a program the
 * GIL does not bind: the bar shows which at a glance.
 */
function runSplitHtml(p: ProcessStats): string {
  const split = p.time_split;
  if (!split || p.duration_ns <= 0) return '';
  const parts = [
    { cls: 'split-held', label: 'a thread held the GIL', ns: split.held_ns },
    { cls: 'split-free', label: 'C code ran with nobody holding it', ns: split.free_ns },
    { cls: 'split-idle', label: 'every thread asleep', ns: split.idle_ns },
    // (older recordings' stats have no such part: the bar's rest is blank there)
    ...(split.handover_ns !== undefined ? [{ cls: 'split-handover', label: 'changing hands (nobody held it while threads were on their way to it)', ns: split.handover_ns }] : []),
  ];
  const share = (ns: number): string => formatPercent(ns, p.duration_ns, NO_VALUE);
  const width = (ns: number): string => `${Math.max(0, Math.min(100, (ns / p.duration_ns) * 100)).toFixed(2)}%`;
  const bar = parts.map((x) => `<span class="${x.cls}" style="width:${width(x.ns)}" title="${escapeHtml(`${x.label}: ${share(x.ns)}`)}"></span>`).join('');
  const legend = parts.map((x) => `<span class="split-key"><i class="${x.cls}"></i>${escapeHtml(x.label)} ${share(x.ns)}</span>`).join('');
  return `<div class="run-split" data-gt-run-split><span class="k">the run, instant by instant</span><div class="split-bar" role="img" aria-label="${escapeHtml(parts.map((x) => `${x.label} ${share(x.ns)}`).join(', '))}">${bar}</div><div class="split-legend">${legend}</div></div>`;
}

/**
 * A thread, or a group of alike threads (`t` their sums, `group` its name and members' rows), or
 * a member of one (`memberOf`).
 */
type ThreadRow = {
  readonly t: ThreadStats;
  readonly p: ProcessStats;
  readonly group?: { readonly name: string; readonly members: readonly ThreadRow[] };
  readonly memberOf?: string;
};

const pct = (f: (t: ThreadStats) => number) => ({ t }: ThreadRow) => formatPercent(f(t), t.lifetime_ns, NO_VALUE);
const share = (f: (t: ThreadStats) => number) => ({ t }: ThreadRow) => ratio(f(t), t);
const THREAD_COLUMNS: readonly Column<ThreadRow>[] = [
  { title: 'pid', value: ({ p }) => p.pid, show: ({ p }) => String(p.pid) },
  // A group sorts by its lowest tid and its pattern, and says how many threads it stands for.
  { title: 'tid', value: ({ t, group }) => (group ? Math.min(...group.members.map((m) => m.t.tid)) : t.tid), show: ({ t, group }) => (group ? `×${group.members.length}` : String(t.tid)) },
  {
    title: 'thread',
    value: ({ t, group }) => group?.name ?? t.name,
    show: ({ t, group, memberOf }) => (group ? escapeHtml(group.name) : memberOf ? `<span class="member-name">${escapeHtml(t.name)}</span>` : escapeHtml(t.name)),
    text: true,
    expander: true,
  },
  { title: 'lifetime', value: ({ t }) => t.lifetime_ns, show: ({ t }) => formatDuration(t.lifetime_ns) },
  { title: 'held', hint: 'share of the thread’s life holding the GIL', value: share((t) => t.held_ns), show: pct((t) => t.held_ns), bar: { kind: 'holding', fraction: share((t) => t.held_ns) } },
  { title: 'waiting', hint: 'share of the thread’s life waiting for the GIL', value: share((t) => t.wait_ns), show: pct((t) => t.wait_ns), bar: { kind: 'waiting', fraction: share((t) => t.wait_ns) } },
  { title: 'no GIL', value: share((t) => t.no_gil_ns), show: pct((t) => t.no_gil_ns) },
  { title: 'held off-CPU', hint: 'GIL held while the thread was not running', value: ({ t }) => t.held_off_cpu_ns, show: ({ t }) => formatDuration(t.held_off_cpu_ns) },
  { title: 'running', value: share((t) => t.running_ns), show: pct((t) => t.running_ns) },
  { title: 'runnable', value: share((t) => t.runnable_ns), show: pct((t) => t.runnable_ns) },
  { title: 'sleeping', value: share((t) => t.sleeping_ns), show: pct((t) => t.sleeping_ns) },
  { title: 'blocked', value: share((t) => t.blocked_ns), show: pct((t) => t.blocked_ns) },
  { title: 'takes', hint: 'GIL acquisitions', value: ({ t }) => t.acquisitions, show: ({ t }) => formatCount(t.acquisitions) },
  { title: 'wait p50', value: ({ t }) => t.wait.p50_ns, show: ({ t }) => dur(t.wait.count, t.wait.p50_ns), cellTitle: groupPercentile },
  { title: 'wait p95', value: ({ t }) => t.wait.p95_ns, show: ({ t }) => dur(t.wait.count, t.wait.p95_ns), cellTitle: groupPercentile },
  { title: 'wait p99', value: ({ t }) => t.wait.p99_ns, show: ({ t }) => dur(t.wait.count, t.wait.p99_ns), cellTitle: groupPercentile },
  { title: 'wait max', value: ({ t }) => t.wait.max_ns, show: ({ t }) => dur(t.wait.count, t.wait.max_ns) },
  { title: 'forced drops', value: ({ t }) => t.drops.forced, show: ({ t }) => formatCount(t.drops.forced) },
  { title: 'voluntary drops', value: ({ t }) => t.drops.voluntary, show: ({ t }) => formatCount(t.drops.voluntary) },
];

function ratio(part: number, t: ThreadStats): number {
  return t.lifetime_ns > 0 ? part / t.lifetime_ns : 0;
}

function dur(count: number, ns: number): string {
  return count > 0 && Number.isFinite(ns) ? formatDuration(ns) : NO_VALUE;
}

function groupPercentile({ group }: ThreadRow): string | undefined {
  return group ? 'percentiles do not add up over threads: expand the row for each thread’s' : undefined;
}

/** The thread table, waiting threads first (the ones that suffer); alike threads one expandable row. */
export function renderThreadTable(host: HTMLElement, stats: StatsJson): void {
  renderSortableTable(host, {
    id: 'gt-thread-table',
    className: 'sortable threads',
    columns: THREAD_COLUMNS,
    rows: stats.processes.flatMap(threadRows),
    sortColumn: 5, // waiting
    emptyHtml: '<p class="muted">No thread used the GIL in this recording.</p>',
    membersOf: (row) => row.group?.members,
  });
}

/** One row per thread, except a shown group's members: one row for them all, their rows under it. */
function threadRows(p: ProcessStats): ThreadRow[] {
  const groupOf = new Map<number, string>();
  for (const group of shownGroups(p)) for (const tid of group.tids) groupOf.set(tid, group.name);
  const rows: ThreadRow[] = [];
  const members = new Map<string, ThreadRow[]>();
  for (const t of p.threads) {
    const name = groupOf.get(t.tid);
    if (name === undefined) rows.push({ t, p });
    else if (members.has(name)) members.get(name)!.push({ t, p, memberOf: name });
    else members.set(name, [{ t, p, memberOf: name }]);
  }
  for (const [name, list] of members) rows.push({ t: sumThreadStats(list.map((m) => m.t)), p, group: { name, members: list } });
  return rows;
}
