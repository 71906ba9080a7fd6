/**
 * The timeline: one canvas, redrawn at most once per animation frame, rows laid out by
 * layout.ts, each squeezed to pixel columns by lod.ts. Input (timeline-input.ts) zooms, pans
 * and points; hover shows a tooltip, click selects a step and fills the details panel. Groups
 * of alike threads start collapsed into one row each; a button over the row's label (a real
 * button: mouse, Tab, Enter, Space) expands it to its members' rows and back.
 */
import type { UiData } from './data.js';
import { detailsHtml, hitStep, rowTitle, tooltipHtml, type Hit } from './details.js';
import { escapeHtml } from './format.js';
import { GUTTER, RULER_H, isGilRow, layoutRows, type Row } from './layout.js';
import { GroupToggles } from './group-toggles.js';
import type { UiThreadGroup } from './group-tracks.js';
import type { View } from './lod.js';
import { installTimelineInput, type TimelineControls } from './timeline-input.js';
import { FONT, TrackPainter, processTitle } from './track-painter.js';

const MIN_SPAN_NS = 200;

export class TimelineView implements TimelineControls {
  readonly canvas: HTMLCanvasElement;
  /** The visible canvas (overlays are drawn here). */
  private readonly ctx: CanvasRenderingContext2D;
  private readonly screen: CanvasRenderingContext2D;
  /** Tracks are drawn here once per view; hover and selection only repaint on top of it. */
  private readonly layer = document.createElement('canvas');
  private readonly layerCtx: CanvasRenderingContext2D;
  private layerKey = '';
  private rows: Row[];
  private height: number;
  private readonly expanded = new Set<string>();
  private readonly rowList = document.createElement('ul');
  private readonly toggles: GroupToggles;
  private readonly fullStart: number;
  private readonly fullEnd: number;
  private viewStart: number;
  private viewEnd: number;
  private width = 0;
  private frame = 0;
  private hover: { x: number; y: number } | undefined;
  private selected: Hit | undefined;
  private dragging = false;
  /** The GIL row that shows each thread: its own, or its group's while the group is collapsed. */
  private rowsByThread = new Map<number, Row>();
  private readonly rangeListeners: ((start: number, end: number) => void)[] = [];
  private readonly painter: TrackPainter;

  constructor(
    private readonly host: HTMLElement,
    private readonly data: UiData,
    /** Groups of alike threads (group-tracks.ts), each one row unless its key is in `expanded`. */
    readonly groups: readonly UiThreadGroup[],
    private readonly tooltip: HTMLElement,
    private readonly details: HTMLElement,
  ) {
    const layout = layoutRows(data, this.groups, this.expanded);
    this.rows = layout.rows;
    this.height = layout.height;
    this.rowsByThread = visibleRowOfThread(this.rows);
    const span = Math.max(data.end - data.start, MIN_SPAN_NS);
    this.fullStart = data.start;
    this.fullEnd = data.start + span;
    this.painter = new TrackPainter(data, this.rows, this.rowsByThread, this.height, this.fullStart, this.fullEnd);
    this.viewStart = this.fullStart;
    this.viewEnd = this.fullEnd;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'gt-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'GIL and CPU state timeline of every thread');
    // Accessible fallback (and what tests read): the rows as text.
    this.fillRowList();
    this.canvas.appendChild(this.rowList);
    this.screen = this.canvas.getContext('2d')!;
    this.ctx = this.screen;
    this.ctx.font = FONT;
    this.layerCtx = this.layer.getContext('2d')!;
    host.appendChild(this.canvas);
    this.toggles = new GroupToggles(host, this.groups, (key) => this.toggleGroup(key));
    this.toggles.place(this.rows);
    installTimelineInput(this.canvas, this);
    new ResizeObserver(() => this.resize()).observe(host);
    this.resize();
  }

  /** Visible range (ns, relative); tests read it to check zoom and pan. */
  get range(): { start: number; end: number } {
    return { start: this.viewStart, end: this.viewEnd };
  }

  /**
   * Where the GIL row showing a thread (by tid: its own, or its collapsed group's) or a group
   * (by key) is, and which x a time maps to (for tests and keyboard users).
   */
  locate(who: number | string, time: number): { x: number; y: number } | undefined {
    const row = typeof who === 'number' ? this.rowsByThread.get(who) : this.rows.find((r) => r.kind === 'group' && r.group!.key === who);
    if (!row) return undefined;
    const x = GUTTER + ((time - this.viewStart) / (this.viewEnd - this.viewStart)) * this.width;
    return { x, y: row.y + row.h / 2 };
  }

  isExpanded(key: string): boolean {
    return this.expanded.has(key);
  }

  /** Shows a group's members' rows under its row, or hides them. */
  toggleGroup(key: string, expand = !this.expanded.has(key)): void {
    if (expand === this.expanded.has(key)) return;
    if (expand) this.expanded.add(key);
    else this.expanded.delete(key);
    this.relayout();
  }

  private relayout(): void {
    const layout = layoutRows(this.data, this.groups, this.expanded);
    this.rows = layout.rows;
    this.height = layout.height;
    this.rowsByThread = visibleRowOfThread(this.rows);
    this.painter.setLayout(this.rows, this.rowsByThread, this.height);
    // The selection stays if its row is still shown (now at another height), else it goes.
    const hit = this.selected;
    if (hit) {
      const row = this.rows.find((r) => r.kind === hit.row.kind && r.thread === hit.row.thread && r.group === hit.row.group && r.gil === hit.row.gil && r.process === hit.row.process);
      if (row) this.selected = { ...hit, row };
      else this.select(undefined);
    }
    this.tooltip.hidden = true;
    this.fillRowList();
    this.toggles.place(this.rows);
    this.resize();
  }

  private fillRowList(): void {
    this.rowList.replaceChildren(
      ...this.rows
        .filter((row) => row.kind !== 'cpu' && row.kind !== 'group-cpu')
        .map((row) => {
          const item = document.createElement('li');
          const state = row.kind === 'group' ? (row.expanded ? ' (expanded)' : ' (collapsed)') : '';
          item.textContent = row.kind === 'process' ? processTitle(row.process) : `${rowTitle(row)}${state}`;
          return item;
        }),
    );
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
    this.painter.paint(this.layerCtx, view);
  }

  private xOf(t: number, view: View): number {
    return GUTTER + (t - view.start) / view.nsPerPx;
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

  private rowAt(y: number): Row | undefined {
    return this.rows.find((r) => y >= r.y && y < r.y + r.h + (isGilRow(r) ? 1 : 0));
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
    this.tooltip.innerHTML = tooltipHtml(hit, { t0, t1: t0 + nsPerPx }, this.data.origin, this.data.functionContext);
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
    this.select(this.hitAt(x, y), this.timeAt(x));
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

  private select(hit: Hit | undefined, t?: number): void {
    this.selected = hit;
    if (hit) {
      this.details.innerHTML = detailsHtml(hit, this.data, t);
      this.details.classList.add('has-selection');
    } else {
      this.details.innerHTML = '<p class="muted">Click a slice to see its details.</p>';
      this.details.classList.remove('has-selection');
    }
    this.requestDraw();
  }
}

/** tid → the GIL row showing that thread: its own when shown, else its (collapsed) group's. */
function visibleRowOfThread(rows: readonly Row[]): Map<number, Row> {
  const byTid = new Map<number, Row>();
  for (const row of rows) if (row.kind === 'group') for (const member of row.group!.members) byTid.set(member.tid, row);
  for (const row of rows) if (row.kind === 'gil' && row.thread) byTid.set(row.thread.tid, row);
  return byTid;
}
