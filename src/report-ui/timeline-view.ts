/**
 * The timeline: one canvas, redrawn at most once per animation frame, rows laid out by
 * layout.ts, each squeezed to pixel columns by lod.ts. Input (timeline-input.ts) zooms, pans
 * and points; hover shows a tooltip, click selects a step and fills the details panel.
 */
import {
  CPU_COLORS,
  FORCED_DROP_COLOR,
  UNKNOWN_DROP_COLOR,
  GIL_COLORS,
  HANDOFF_COLOR,
  HOLDER_COLORS,
  NOBODY_COLOR,
  WAITERS_COLOR,
} from './colors.js';
import { stepAt, type UiData, type UiGil, type UiProcess } from './data.js';
import { detailsHtml, hitStep, tooltipHtml, type Hit } from './details.js';
import { DROP_FORCED, DROP_KNOWN } from '../contract/report-data.js';
import { ColumnScratch, MIXED, TrackSummary, UNCOVERED, dominantStates, forEachRun, maxPerColumn, type View } from './lod.js';
import type { Track } from './data.js';
import { CPU_H, GIL_H, GUTTER, RULER_H, layoutRows, type Row } from './layout.js';
import { computeTicks } from './ruler.js';
import { installTimelineInput } from './timeline-input.js';
import { rowTitle } from './details.js';
import { escapeHtml } from './format.js';

const MIN_SPAN_NS = 200;
/** Below this many steps a track is drawn from its steps at any zoom: already fast. */
const SUMMARY_MIN_STEPS = 20_000;
/** Stacking order of mixed columns, bottom up: GIL holding, waiting, none; CPU running, runnable, blocked, sleeping. */
const STACK_ORDER = [
  [2, 1, 0],
  [0, 1, 3, 2],
] as const;
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export class TimelineView {
  readonly canvas: HTMLCanvasElement;
  /** The context being drawn on: the tracks layer while it is rebuilt, else the visible canvas. */
  private ctx: CanvasRenderingContext2D;
  private readonly screen: CanvasRenderingContext2D;
  /** Tracks are drawn here once per view; hover and selection only repaint on top of it. */
  private readonly layer = document.createElement('canvas');
  private readonly layerCtx: CanvasRenderingContext2D;
  private layerKey = '';
  private readonly rows: Row[];
  private readonly height: number;
  private readonly fullStart: number;
  private readonly fullEnd: number;
  private viewStart: number;
  private viewEnd: number;
  private width = 0;
  private frame = 0;
  private hover: { x: number; y: number } | undefined;
  private selected: Hit | undefined;
  private dragging = false;
  private readonly scratch = new ColumnScratch();
  private columns = new Int32Array(0);
  private readonly rowsByThread = new Map<number, Row>();
  private readonly rangeListeners: ((start: number, end: number) => void)[] = [];
  private readonly summaries = new Map<Track, TrackSummary>();

  constructor(
    private readonly host: HTMLElement,
    private readonly data: UiData,
    private readonly tooltip: HTMLElement,
    private readonly details: HTMLElement,
  ) {
    const layout = layoutRows(data);
    this.rows = layout.rows;
    this.height = layout.height;
    for (const row of this.rows) if (row.kind === 'gil' && row.thread) this.rowsByThread.set(row.thread.tid, row);
    const span = Math.max(data.end - data.start, MIN_SPAN_NS);
    this.fullStart = data.start;
    this.fullEnd = data.start + span;
    this.viewStart = this.fullStart;
    this.viewEnd = this.fullEnd;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'gt-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'GIL and CPU state timeline of every thread');
    // Accessible fallback (and what tests read): the rows as text.
    const list = document.createElement('ul');
    for (const row of this.rows) {
      if (row.kind === 'cpu') continue;
      const item = document.createElement('li');
      item.textContent = row.kind === 'process' ? processTitle(row.process) : rowTitle(row);
      list.appendChild(item);
    }
    this.canvas.appendChild(list);
    this.screen = this.canvas.getContext('2d')!;
    this.ctx = this.screen;
    this.layerCtx = this.layer.getContext('2d')!;
    host.appendChild(this.canvas);
    installTimelineInput(this.canvas, this);
    new ResizeObserver(() => this.resize()).observe(host);
    this.resize();
  }

  /** Visible range (ns, relative); tests read it to check zoom and pan. */
  get range(): { start: number; end: number } {
    return { start: this.viewStart, end: this.viewEnd };
  }

  /** Where a thread's GIL row is and which x a time maps to (for tests and keyboard users). */
  locate(tid: number, time: number): { x: number; y: number } | undefined {
    const row = this.rowsByThread.get(tid);
    if (!row) return undefined;
    const x = GUTTER + ((time - this.viewStart) / (this.viewEnd - this.viewStart)) * this.width;
    return { x, y: row.y + row.h / 2 };
  }

  setRange(start: number, end: number): void {
    let span = Math.min(Math.max(end - start, MIN_SPAN_NS), this.fullEnd - this.fullStart);
    const slack = span * 0.05;
    start = Math.min(Math.max(start, this.fullStart - slack), this.fullEnd + slack - span);
    this.viewStart = start;
    this.viewEnd = start + span;
    this.canvas.dataset.viewStart = String(this.viewStart);
    this.canvas.dataset.viewEnd = String(this.viewEnd);
    this.requestDraw();
    for (const listener of this.rangeListeners) listener(this.viewStart, this.viewEnd);
  }

  /** Called after every change of the visible range (the overview and the range label follow it). */
  onRangeChange(listener: (start: number, end: number) => void): void {
    this.rangeListeners.push(listener);
  }

  /** The whole recording's range, as the view can show it. */
  get fullRange(): { start: number; end: number } {
    return { start: this.fullStart, end: this.fullEnd };
  }

  zoom(factor: number, anchorX = this.width / 2): void {
    const span = this.viewEnd - this.viewStart;
    const anchor = this.viewStart + (anchorX / this.width) * span;
    const next = span * factor;
    this.setRange(anchor - (anchorX / this.width) * next, anchor + (1 - anchorX / this.width) * next);
  }

  pan(fraction: number): void {
    const shift = (this.viewEnd - this.viewStart) * fraction;
    this.setRange(this.viewStart + shift, this.viewEnd + shift);
  }

  reset(): void {
    this.setRange(this.fullStart, this.fullEnd);
  }

  private resize(): void {
    const cssWidth = Math.max(this.host.clientWidth, GUTTER + 200);
    this.width = cssWidth - GUTTER;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.style.width = `${cssWidth}px`;
    this.canvas.style.height = `${this.height}px`;
    this.canvas.width = this.layer.width = Math.round(cssWidth * dpr);
    this.canvas.height = this.layer.height = Math.round(this.height * dpr);
    this.screen.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.layerCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.layerKey = '';
    if (this.columns.length < this.width) this.columns = new Int32Array(this.width);
    this.setRange(this.viewStart, this.viewEnd);
    this.draw();
  }

  requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw(): void {
    const view: View = { start: this.viewStart, nsPerPx: (this.viewEnd - this.viewStart) / this.width, width: this.width };
    const key = `${this.viewStart}|${this.viewEnd}|${this.width}`;
    if (key !== this.layerKey) {
      this.drawTracks(view);
      this.layerKey = key;
    }
    const { screen } = this;
    screen.save();
    screen.setTransform(1, 0, 0, 1, 0, 0);
    screen.clearRect(0, 0, this.canvas.width, this.canvas.height);
    screen.drawImage(this.layer, 0, 0);
    screen.restore();
    this.drawSelection(view);
    this.drawHover();
  }

  /** Everything that depends only on the view, into the layer. */
  private drawTracks(view: View): void {
    this.ctx = this.layerCtx;
    try {
      const { ctx } = this;
      ctx.clearRect(0, 0, GUTTER + this.width, this.height);
      ctx.font = FONT;
      ctx.textBaseline = 'middle';
      this.drawGrid(view);
      this.drawGutterEdge(); // first, so process headers run across it
      for (const row of this.rows) this.drawRow(row, view);
      for (const process of this.data.processes) for (const gil of process.gils) this.drawHandoffs(process, gil, view);
    } finally {
      this.ctx = this.screen;
    }
  }

  private xOf(t: number, view: View): number {
    return GUTTER + (t - view.start) / view.nsPerPx;
  }

  private drawGrid(view: View): void {
    const { ctx } = this;
    ctx.fillStyle = '#f7f8fa';
    ctx.fillRect(GUTTER, 0, this.width, RULER_H);
    ctx.strokeStyle = '#d0d5dc';
    ctx.beginPath();
    ctx.moveTo(GUTTER, RULER_H + 0.5);
    ctx.lineTo(GUTTER + this.width, RULER_H + 0.5);
    ctx.stroke();
    ctx.fillStyle = '#57606a';
    ctx.textAlign = 'left';
    // Labels count from the recording's start, whatever the model's time 0 is.
    const origin = this.fullStart;
    for (const tick of computeTicks(view.start - origin, view.start - origin + view.nsPerPx * this.width, this.width)) {
      const x = Math.round(this.xOf(tick.time + origin, view)) + 0.5;
      ctx.fillStyle = '#eef0f3';
      ctx.fillRect(x - 0.5, RULER_H, 1, this.height - RULER_H);
      ctx.fillStyle = '#8c959f';
      ctx.fillRect(x - 0.5, RULER_H - 7, 1, 7);
      ctx.fillStyle = '#57606a';
      ctx.fillText(tick.label, x + 4, RULER_H / 2 - 1);
    }
    ctx.fillStyle = '#57606a';
    ctx.textAlign = 'right';
    ctx.fillText('time since start', GUTTER - 10, RULER_H / 2 - 1);
  }

  private drawRow(row: Row, view: View): void {
    const { ctx } = this;
    const { y, h } = row;
    ctx.textAlign = 'left';
    switch (row.kind) {
      case 'process': {
        ctx.fillStyle = '#f0f3f6';
        ctx.fillRect(0, y, GUTTER + this.width, h);
        ctx.fillStyle = '#1f2328';
        ctx.font = `600 ${FONT}`;
        ctx.fillText(fitText(ctx, processTitle(row.process), GUTTER + this.width - 20), 10, y + h / 2);
        ctx.font = FONT;
        return;
      }
      case 'holder':
        // Subinterpreters with their own GIL (3.12+) get one holder row each, told apart by key.
        this.label(row, row.process.gils.length > 1 ? `GIL holder ${row.gil!.key}` : 'GIL holder', '#1f2328');
        this.drawHolder(row, view);
        return;
      case 'waiters':
        this.label(row, `waiters (max ${row.gil!.maxWaiters})`, '#57606a');
        this.drawWaiters(row, view);
        return;
      case 'gil':
        this.label(row, row.thread!.name, '#1f2328', `${row.thread!.tid}`);
        this.drawStates(row, view, 3, GIL_COLORS);
        this.drawDrops(row, view);
        return;
      case 'cpu':
        this.drawStates(row, view, 4, CPU_COLORS);
        return;
    }
  }

  private label(row: Row, text: string, color: string, suffix?: string): void {
    const { ctx } = this;
    const mid = row.kind === 'gil' ? row.y + (GIL_H + CPU_H + 1) / 2 : row.y + row.h / 2;
    ctx.fillStyle = color;
    ctx.textAlign = 'left';
    const maxWidth = GUTTER - 24 - (suffix ? 52 : 0);
    ctx.fillText(fitText(ctx, text, maxWidth), 12, mid);
    if (suffix) {
      ctx.fillStyle = '#8c959f';
      ctx.textAlign = 'right';
      ctx.fillText(suffix, GUTTER - 10, mid);
    }
  }

  private drawStates(row: Row, view: View, stateCount: number, colors: readonly string[]): void {
    const thread = row.thread!;
    const track = row.kind === 'gil' ? thread.gil : thread.cpu;
    this.fillColumns(track, thread.start, thread.end, view, stateCount, 'dominant', true);
    const { ctx } = this;
    const mix = this.scratch.mix;
    forEachRun(this.columns, this.width, (state, x0, x1) => {
      if (state === UNCOVERED) return;
      if (state !== MIXED) {
        ctx.fillStyle = colors[state] ?? '#000';
        ctx.fillRect(GUTTER + x0, row.y, x1 - x0, row.h);
        return;
      }
      // Zoomed out over mixed time: stack the states' shares (first state at the bottom).
      for (let c = x0; c < x1; c++) {
        let y = row.y + row.h;
        for (const s of STACK_ORDER[row.kind === 'gil' ? 0 : 1]) {
          const h = mix[c * stateCount + s] * row.h;
          if (h <= 0) continue;
          ctx.fillStyle = colors[s];
          ctx.fillRect(GUTTER + c, y - h, 1, h);
          y -= h;
        }
      }
    });
  }

  /** Per-column states of a track: from its bucket summary when zoomed out, else from its steps. */
  private fillColumns(track: Track, start: number, end: number, view: View, stateCount: number, mode: 'dominant' | 'max', withMix = false): void {
    let summary = this.summaries.get(track);
    if (!summary && track.times.length > SUMMARY_MIN_STEPS && view.nsPerPx * 8192 > this.fullEnd - this.fullStart) {
      // Worth building only for long tracks, zoomed out far enough to use it; built once per track.
      summary = new TrackSummary(track, start, end, this.fullStart, this.fullEnd, stateCount, mode);
      this.summaries.set(track, summary);
    }
    if (summary?.columns(view, this.columns, this.scratch, withMix)) return;
    if (mode === 'max') maxPerColumn(track, start, end, view, this.columns);
    else dominantStates(track, start, end, view, stateCount, this.scratch, this.columns, withMix);
  }

  private drawHolder(row: Row, view: View): void {
    const { process, gil } = row;
    this.fillColumns(gil!.holders, process.start, process.end, view, process.threads.length + 1, 'dominant');
    const { ctx } = this;
    forEachRun(this.columns, this.width, (index, x0, x1) => {
      if (index === UNCOVERED) return;
      ctx.fillStyle = index === 0 ? NOBODY_COLOR : HOLDER_COLORS[(index - 1) % HOLDER_COLORS.length];
      ctx.fillRect(GUTTER + x0, row.y, x1 - x0, row.h);
      if (index > 0 && x1 - x0 > 46) {
        ctx.fillStyle = (index - 1) % 2 === 0 ? '#ffffff' : '#0b1f33';
        ctx.textAlign = 'left';
        const holder = process.threads[index - 1];
        const label = holder ? `${holder.name} · ${holder.tid}` : '';
        ctx.fillText(fitText(ctx, label, x1 - x0 - 8), GUTTER + x0 + 4, row.y + row.h / 2);
      }
    });
  }

  private drawWaiters(row: Row, view: View): void {
    const { process, gil } = row;
    this.fillColumns(gil!.waiters, process.start, process.end, view, 0, 'max');
    const { ctx } = this;
    ctx.fillStyle = '#fbfbfc';
    ctx.fillRect(GUTTER, row.y, this.width, row.h);
    const scale = (row.h - 2) / Math.max(1, gil!.maxWaiters);
    ctx.fillStyle = WAITERS_COLOR;
    forEachRun(this.columns, this.width, (count, x0, x1) => {
      if (count <= 0) return;
      const bar = Math.max(2, count * scale);
      ctx.fillRect(GUTTER + x0, row.y + row.h - bar, x1 - x0, bar);
    });
    ctx.fillStyle = '#d0d5dc';
    ctx.fillRect(GUTTER, row.y + row.h - 0.5, this.width, 0.5);
  }

  /** Forced drops as small dark triangles on the GIL row, once they are few enough to tell apart. */
  private drawDrops(row: Row, view: View): void {
    const { dropTimes, dropFlags } = row.thread!;
    const first = Math.max(0, stepAt(dropTimes, view.start));
    const last = stepAt(dropTimes, view.start + view.nsPerPx * this.width);
    if (last - first > this.width / 8) return;
    const { ctx } = this;
    for (let i = first; i <= last; i++) {
      if (dropTimes[i] < view.start) continue;
      const x = this.xOf(dropTimes[i], view);
      ctx.fillStyle = FORCED_DROP_COLOR;
      ctx.beginPath();
      ctx.moveTo(x - 4, row.y - 1);
      ctx.lineTo(x + 4, row.y - 1);
      ctx.lineTo(x, row.y + 5);
      ctx.closePath();
      if (!(dropFlags[i] & DROP_KNOWN)) {
        ctx.strokeStyle = UNKNOWN_DROP_COLOR;
        ctx.stroke();
      } else if (dropFlags[i] & DROP_FORCED) {
        ctx.fill();
      } else {
        ctx.strokeStyle = FORCED_DROP_COLOR;
        ctx.stroke();
      }
    }
  }

  /** Hand-offs (drop by one thread → take by another) as arrows between their GIL rows, when zoomed in enough. */
  private drawHandoffs(process: UiProcess, gil: UiGil, view: View): void {
    const { times, states } = gil.holders;
    const end = view.start + view.nsPerPx * this.width;
    const first = Math.max(0, stepAt(times, view.start));
    const last = stepAt(times, end);
    if (last - first > this.width / 12) return;
    const { ctx } = this;
    ctx.strokeStyle = HANDOFF_COLOR;
    ctx.fillStyle = HANDOFF_COLOR;
    ctx.lineWidth = 1.25;
    let previous = 0;
    let dropAt = 0;
    for (let i = Math.max(0, first - 2); i <= last + 1 && i < states.length; i++) {
      const holder = states[i];
      if (holder === 0) {
        dropAt = times[i];
        continue;
      }
      if (previous !== 0 && previous !== holder && times[i] >= view.start) {
        const from = this.rowsByThread.get(process.threads[previous - 1].tid);
        const to = this.rowsByThread.get(process.threads[holder - 1].tid);
        if (from && to) this.arrow(this.xOf(dropAt, view), from.y + GIL_H / 2, this.xOf(times[i], view), to.y + GIL_H / 2);
      }
      previous = holder;
      dropAt = times[i];
    }
    ctx.lineWidth = 1;
  }

  private arrow(x0: number, y0: number, x1: number, y1: number): void {
    const { ctx } = this;
    if (x1 < GUTTER || x0 > GUTTER + this.width) return;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.bezierCurveTo(x0 + 12, y0, x1 - 12, y1, x1, y1);
    ctx.stroke();
    const dir = y1 > y0 ? 1 : -1;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - 6, y1 - 3 * dir);
    ctx.lineTo(x1 - 2, y1 - 6 * dir);
    ctx.closePath();
    ctx.fill();
  }

  private drawSelection(view: View): void {
    const hit = this.selected;
    if (!hit) return;
    const x0 = Math.max(GUTTER, this.xOf(hit.start, view));
    const x1 = Math.min(GUTTER + this.width, this.xOf(hit.end, view));
    if (x1 < GUTTER || x0 > GUTTER + this.width) return;
    const { ctx } = this;
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#1f2328';
    ctx.strokeRect(x0 - 1, hit.row.y - 1, Math.max(2, x1 - x0) + 2, hit.row.h + 2);
    ctx.lineWidth = 1;
  }

  private drawHover(): void {
    if (!this.hover || this.dragging) return;
    const x = Math.round(this.hover.x) + 0.5;
    if (x < GUTTER) return;
    const { ctx } = this;
    ctx.strokeStyle = 'rgba(31,35,40,0.35)';
    ctx.beginPath();
    ctx.moveTo(x, RULER_H);
    ctx.lineTo(x, this.height);
    ctx.stroke();
  }

  private drawGutterEdge(): void {
    const { ctx } = this;
    ctx.fillStyle = '#d0d5dc';
    ctx.fillRect(GUTTER - 1, 0, 1, this.height);
  }

  private rowAt(y: number): Row | undefined {
    return this.rows.find((r) => y >= r.y && y < r.y + r.h + (r.kind === 'gil' ? 1 : 0));
  }

  private timeAt(x: number): number {
    return this.viewStart + ((x - GUTTER) / this.width) * (this.viewEnd - this.viewStart);
  }

  private hitAt(x: number, y: number): Hit | undefined {
    if (x < GUTTER) return undefined;
    const row = this.rowAt(y);
    return row ? hitStep(row, this.timeAt(x)) : undefined;
  }

  private updateTooltip(clientX: number, clientY: number): void {
    const hover = this.hover;
    const hit = hover && !this.dragging ? this.hitAt(hover.x, hover.y) : undefined;
    const gutterRow = hover && hover.x < GUTTER ? this.rowAt(hover.y) : undefined;
    if (gutterRow && gutterRow.kind !== 'process') {
      this.tooltip.innerHTML = `<div class="tt-title">${escapeHtml(rowTitle(gutterRow))}</div>`;
      this.tooltip.hidden = false;
      this.tooltip.style.left = `${clientX + 16}px`;
      this.tooltip.style.top = `${clientY + 18}px`;
      return;
    }
    if (!hit || !hover) {
      this.tooltip.hidden = true;
      return;
    }
    const nsPerPx = (this.viewEnd - this.viewStart) / this.width;
    const t0 = this.timeAt(Math.floor(hover.x));
    this.tooltip.innerHTML = tooltipHtml(hit, { t0, t1: t0 + nsPerPx }, this.fullStart);
    this.tooltip.hidden = false;
    const box = this.tooltip.getBoundingClientRect();
    const left = clientX + 16 + box.width > window.innerWidth ? clientX - box.width - 12 : clientX + 16;
    const top = clientY + 18 + box.height > window.innerHeight ? clientY - box.height - 10 : clientY + 18;
    this.tooltip.style.left = `${Math.max(4, left)}px`;
    this.tooltip.style.top = `${Math.max(4, top)}px`;
  }

  /** Pointer moved over the canvas (or left it: undefined), from timeline-input.ts. */
  pointer(local: { x: number; y: number } | undefined, client?: { x: number; y: number }): void {
    this.hover = local;
    if (local && client) this.updateTooltip(client.x, client.y);
    else this.tooltip.hidden = true;
    this.requestDraw();
  }

  /** Dragging started (true) or ended (false): hide the hover line and tooltip meanwhile. */
  setDragging(dragging: boolean): void {
    this.dragging = dragging;
    this.canvas.classList.toggle('dragging', dragging);
    if (dragging) this.tooltip.hidden = true;
  }

  clickAt(x: number, y: number): void {
    this.select(this.hitAt(x, y));
  }

  clearSelection(): void {
    this.select(undefined);
  }

  /** Where zooming by keyboard is anchored: under the pointer when it is on the tracks. */
  get zoomAnchor(): number {
    return this.hover && this.hover.x >= GUTTER ? this.hover.x - GUTTER : this.width / 2;
  }

  get trackWidth(): number {
    return this.width;
  }

  private select(hit: Hit | undefined): void {
    this.selected = hit;
    if (hit) {
      this.details.innerHTML = detailsHtml(hit, this.data);
      this.details.classList.add('has-selection');
    } else {
      this.details.innerHTML = '<p class="muted">Click a slice to see its details.</p>';
      this.details.classList.remove('has-selection');
    }
    this.requestDraw();
  }
}

/** Cuts text with an ellipsis to fit (canvas' maxWidth squeezes glyphs instead, unreadably). */
function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : '';
}

function processTitle(process: UiProcess): string {
  return `${process.command || 'process'} · pid ${process.pid} · ${process.threads.length} thread${process.threads.length === 1 ? '' : 's'}`;
}
