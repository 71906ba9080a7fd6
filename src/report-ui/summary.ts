/** The summary under the timeline: verdict, recording facts, per-process GIL figures, the sortable thread table. */
import type { ProcessStats, StatsJson, ThreadStats } from '../contract/stats.js';
import type { ReportData } from '../contract/report-data.js';
import { escapeHtml, formatCount, formatDuration, percent } from './format.js';

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
  const warnings = rec.warnings.length
    ? `<ul class="warnings">${rec.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
    : '';
  return `<section class="card facts" id="gt-facts"><h2>Recording</h2>
    <div class="fact-grid">${cells.map(([k, v]) => `<div><span class="k">${k}</span><span class="v">${v}</span></div>`).join('')}</div>
    ${warnings}${stats.processes.map(processHtml).join('')}</section>`;
}

function processHtml(p: ProcessStats): string {
  const g = p.gil;
  const anomalies = Object.entries(p.anomalies).filter(([, n]) => n > 0);
  const cells: [string, string][] = [
    ['python', `${escapeHtml(p.python.version)} · GIL ${escapeHtml(p.python.gil)}`],
    ['executable', escapeHtml(p.python.executable)],
    ['GIL held', `${formatDuration(g.held_ns)} (${percent(g.held_ns, p.duration_ns)})`],
    ['contended', `${formatDuration(g.contended_ns)} (${percent(g.contended_ns, p.duration_ns)})`],
    ['hand-offs', `${formatCount(g.handoff.count)} · p50 ${formatDuration(g.handoff.p50_ns)} · p95 ${formatDuration(g.handoff.p95_ns)} · p99 ${formatDuration(g.handoff.p99_ns)} · max ${formatDuration(g.handoff.max_ns)}`],
    ['drops', `${formatCount(g.drops.forced)} forced · ${formatCount(g.drops.voluntary)} voluntary`],
  ];
  const anomalyText = anomalies.length
    ? `<p class="anomalies">Events that did not fit the state machine: ${anomalies.map(([k, n]) => `${escapeHtml(k)} ${formatCount(n)}`).join(', ')}</p>`
    : '';
  return `<div class="process"><h3>${escapeHtml(p.command || 'process')} <span class="muted">pid ${p.pid} · ${formatDuration(p.duration_ns)}</span></h3>
    <div class="fact-grid">${cells.map(([k, v]) => `<div><span class="k">${k}</span><span class="v">${v}</span></div>`).join('')}</div>${anomalyText}</div>`;
}

interface Column {
  readonly title: string;
  readonly hint?: string;
  readonly value: (t: ThreadStats, p: ProcessStats) => number | string;
  readonly show: (t: ThreadStats, p: ProcessStats) => string;
  readonly bar?: 'holding' | 'waiting';
}

const pct = (f: (t: ThreadStats) => number) => (t: ThreadStats) => percent(f(t), t.lifetime_ns);
const COLUMNS: readonly Column[] = [
  { title: 'pid', value: (_t, p) => p.pid, show: (_t, p) => String(p.pid) },
  { title: 'tid', value: (t) => t.tid, show: (t) => String(t.tid) },
  { title: 'thread', value: (t) => t.name, show: (t) => escapeHtml(t.name) },
  { title: 'lifetime', value: (t) => t.lifetime_ns, show: (t) => formatDuration(t.lifetime_ns) },
  { title: 'held', hint: 'share of the thread’s life holding the GIL', value: (t) => ratio(t.held_ns, t), show: pct((t) => t.held_ns), bar: 'holding' },
  { title: 'waiting', hint: 'share of the thread’s life waiting for the GIL', value: (t) => ratio(t.wait_ns, t), show: pct((t) => t.wait_ns), bar: 'waiting' },
  { title: 'no GIL', value: (t) => ratio(t.no_gil_ns, t), show: pct((t) => t.no_gil_ns) },
  { title: 'held off-CPU', hint: 'GIL held while the thread was not running', value: (t) => t.held_off_cpu_ns, show: (t) => formatDuration(t.held_off_cpu_ns) },
  { title: 'running', value: (t) => ratio(t.running_ns, t), show: pct((t) => t.running_ns) },
  { title: 'runnable', value: (t) => ratio(t.runnable_ns, t), show: pct((t) => t.runnable_ns) },
  { title: 'sleeping', value: (t) => ratio(t.sleeping_ns, t), show: pct((t) => t.sleeping_ns) },
  { title: 'blocked', value: (t) => ratio(t.blocked_ns, t), show: pct((t) => t.blocked_ns) },
  { title: 'takes', hint: 'GIL acquisitions', value: (t) => t.acquisitions, show: (t) => formatCount(t.acquisitions) },
  { title: 'wait p50', value: (t) => t.wait.p50_ns, show: (t) => dur(t.wait.count, t.wait.p50_ns) },
  { title: 'wait p95', value: (t) => t.wait.p95_ns, show: (t) => dur(t.wait.count, t.wait.p95_ns) },
  { title: 'wait p99', value: (t) => t.wait.p99_ns, show: (t) => dur(t.wait.count, t.wait.p99_ns) },
  { title: 'wait max', value: (t) => t.wait.max_ns, show: (t) => dur(t.wait.count, t.wait.max_ns) },
  { title: 'forced drops', value: (t) => t.drops.forced, show: (t) => formatCount(t.drops.forced) },
  { title: 'voluntary drops', value: (t) => t.drops.voluntary, show: (t) => formatCount(t.drops.voluntary) },
];

function ratio(part: number, t: ThreadStats): number {
  return t.lifetime_ns > 0 ? part / t.lifetime_ns : 0;
}

function dur(count: number, ns: number): string {
  return count > 0 ? formatDuration(ns) : '–';
}

/** A table whose rows re-sort when a header is clicked (again: the other direction). */
export function renderThreadTable(host: HTMLElement, stats: StatsJson): void {
  const rows = stats.processes.flatMap((p) => p.threads.map((t) => ({ t, p })));
  let sortColumn = 5; // waiting: the threads that suffer come first
  let descending = true;
  const render = () => {
    const column = COLUMNS[sortColumn];
    const sorted = [...rows].sort((a, b) => {
      const va = column.value(a.t, a.p);
      const vb = column.value(b.t, b.p);
      const order = typeof va === 'string' ? va.localeCompare(String(vb)) : va - (vb as number);
      return descending ? -order : order;
    });
    const head = COLUMNS.map((c, i) => {
      const mark = i === sortColumn ? (descending ? ' ▼' : ' ▲') : '';
      const sort = i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none';
      return `<th data-col="${i}" aria-sort="${sort}" title="${escapeHtml(c.hint ?? `sort by ${c.title}`)}">${c.title}${mark}</th>`;
    }).join('');
    const body = sorted
      .map(({ t, p }) => `<tr>${COLUMNS.map((c) => cell(c, t, p)).join('')}</tr>`)
      .join('');
    host.innerHTML = `<table class="threads" id="gt-thread-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  };
  host.addEventListener('click', (e) => {
    const th = (e.target as HTMLElement).closest('th');
    if (!th) return;
    const col = Number(th.dataset.col);
    if (col === sortColumn) descending = !descending;
    else (sortColumn = col), (descending = typeof COLUMNS[col].value(rows[0].t, rows[0].p) === 'number');
    render();
  });
  if (rows.length === 0) host.innerHTML = '<p class="muted">No thread used the GIL in this recording.</p>';
  else render();
}

function cell(c: Column, t: ThreadStats, p: ProcessStats): string {
  const text = c.show(t, p);
  const isText = c.title === 'thread';
  if (!c.bar) return `<td class="${isText ? 'text' : 'num'}">${text}</td>`;
  const width = Math.round(100 * Math.min(1, Number(c.value(t, p))));
  return `<td class="num bar-cell"><span class="bar bar-${c.bar}" style="width:${width}%"></span><span class="bar-text">${text}</span></td>`;
}
