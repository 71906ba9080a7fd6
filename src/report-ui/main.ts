/** Entry point of the report page: decode the embedded data, build the page, draw the timeline. */
import { CPU_COLORS, CPU_LABELS, GIL_COLORS, GIL_LABELS } from './colors.js';
import { readReportData, type UiData } from './data.js';
import type { ReportData } from '../contract/report-data.js';
import { escapeHtml, formatDuration, formatInstant } from './format.js';
import { histogramsHtml } from './histograms.js';
import { STYLES } from './styles.js';
import { factsHtml, renderThreadTable, verdictHtml } from './summary.js';
import { functionCardHtml, hasFunctionTable, renderFunctionTable } from './function-table.js';
import { Overview } from './overview.js';
import { TimelineView } from './timeline-view.js';
import { buildThreadGroups } from './group-tracks.js';

declare global {
  interface Window {
    /** For tests and the load benchmark: the view, and when the first paint happened. */
    giltrace?: { view: TimelineView; data: UiData; firstPaintMs: number; timings: Record<string, number> };
  }
}

async function start(): Promise<void> {
  const timings: Record<string, number> = { scriptStart: performance.now() };
  const style = document.createElement('style');
  style.textContent = STYLES;
  document.head.appendChild(style);
  let data: UiData;
  try {
    const text = document.getElementById('giltrace-data')?.textContent;
    if (!text) throw new Error('this report has no data (the giltrace-data script is missing)');
    timings.textRead = performance.now();
    data = await readReportData(text, (id) => document.getElementById(id)?.textContent ?? undefined);
    timings.decoded = performance.now();
  } catch (error) {
    document.body.innerHTML = `<div class="error">Cannot show this report: ${escapeHtml(String((error as Error).message ?? error))}</div>`;
    throw error;
  }
  const { raw } = data;
  const python = [...new Set(raw.stats.processes.map((p) => `Python ${p.python.version}`))].join(', ');
  document.body.innerHTML = `
    <header class="top"><h1>${escapeHtml(raw.title)}</h1>
      <span class="sub" id="gt-span">${spanHtml(raw)}${python ? ` · ${escapeHtml(python)}` : ''} · giltrace</span></header>
    <main>
      ${verdictHtml(raw)}
      <section class="card timeline-card">
        <div class="timeline-head"><h2>Timeline</h2>${legendHtml()}
          <div class="controls"><span id="gt-range"></span><button id="gt-zoom-in" title="zoom in (W)">+</button><button id="gt-zoom-out" title="zoom out (S)">−</button><button id="gt-reset" title="show everything (0)">Reset</button></div></div>
        ${resolutionNoteHtml(raw.resolutionNs)}
        <div class="timeline-host" id="gt-overview"></div>
        <div class="timeline-host" id="gt-timeline"></div>
        <div id="gt-details"><p class="muted">Click a slice to see its details.</p></div>
        <div class="help">Zoom: <kbd>wheel</kbd> <kbd>W</kbd>/<kbd>S</kbd> · Pan: drag, <kbd>A</kbd>/<kbd>D</kbd>, <kbd>shift</kbd>+<kbd>wheel</kbd> · Reset: <kbd>0</kbd>.
          Zoomed out, a pixel shows the state that filled its time, or the states stacked in proportion when they share it; zoom in to see hand-offs (arrows) and drops (▼ forced, ▽ voluntary, grey ▽ reason unknown).</div>
      </section>
      <section class="card"><h2>Threads</h2><div class="table-wrap" id="gt-threads"></div></section>
      ${functionCardHtml(raw.stats)}
      <section class="card"><h2>How long threads waited for the GIL</h2><div class="histograms" id="gt-histograms">${histogramsHtml(raw)}</div></section>
      ${factsHtml(raw)}
    </main>
    <div id="gt-tooltip" hidden></div>`;
  renderThreadTable(document.getElementById('gt-threads')!, raw.stats);
  if (hasFunctionTable(raw.stats)) renderFunctionTable(document.getElementById('gt-functions')!, raw.stats);
  // Alike threads' merged tracks: one pass over their steps, timed for bench/report-load.ts.
  timings.page = performance.now();
  const groups = buildThreadGroups(data);
  timings.groups = performance.now();
  const view = new TimelineView(
    document.getElementById('gt-timeline')!,
    data,
    groups,
    document.getElementById('gt-tooltip')!,
    document.getElementById('gt-details')!,
  );
  document.getElementById('gt-zoom-in')!.addEventListener('click', () => view.zoom(0.5));
  document.getElementById('gt-zoom-out')!.addEventListener('click', () => view.zoom(2));
  document.getElementById('gt-reset')!.addEventListener('click', () => view.reset());
  const rangeLabel = document.getElementById('gt-range')!;
  const showRange = () => {
    const { start, end } = view.range;
    rangeLabel.textContent = `showing ${formatDuration(end - start)}`;
  };
  view.onRangeChange(showRange);
  new Overview(document.getElementById('gt-overview')!, data, view);
  showRange();
  timings.firstPaint = performance.now();
  window.giltrace = { view, data, firstPaintMs: timings.firstPaint, timings };
}

function legendHtml(): string {
  const sw = (color: string, label: string) => `<span><span class="sw" style="background:${color}"></span>${label}</span>`;
  return `<div class="legend">
    <span class="group"><b>GIL</b>${sw(GIL_COLORS[2], GIL_LABELS[2])}${sw(GIL_COLORS[1], GIL_LABELS[1])}${sw(GIL_COLORS[0], GIL_LABELS[0])}</span>
    <span class="group"><b>CPU</b>${CPU_COLORS.map((c, i) => sw(c, CPU_LABELS[i])).join('')}</span></div>`;
}

void start();

/** A long recording's tracks are drawn coarser than they were recorded (export/coarse-steps.ts): say so where the timeline is. */
/** How long the page's timeline is: the recording, or the part of it the page shows. */
function spanHtml(raw: ReportData): string {
  const length = formatDuration(raw.end - raw.start);
  if (raw.recordingStart === undefined) return `${length} recorded`;
  return `${length} of the recording, from ${escapeHtml(formatInstant(raw.start - raw.recordingStart))} on`;
}

function resolutionNoteHtml(resolutionNs: number | undefined): string {
  if (resolutionNs === undefined) return '';
  return `<p class="muted" id="gt-resolution">This recording has more steps than a page can draw: the timeline is drawn at ${escapeHtml(formatDuration(resolutionNs))} resolution (a span with several changes shows the state that filled most of it, and one drop). Every number on this page is exact.</p>`;
}
