/**
 * Draws everything of the timeline that depends only on the visible range: ruler, rows
 * (through lod.ts: per-pixel columns, bucket summaries for long tracks), drop markers and
 * hand-off arrows. TimelineView caches the result as a layer and adds hover and selection.
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
import { stepAt, type Track, type UiData, type UiGil, type UiProcess } from './data.js';
import { DROP_FORCED, DROP_KNOWN } from '../contract/report-data.js';
import { ColumnScratch, MIXED, TrackSummary, UNCOVERED, dominantStates, forEachRun, maxPerColumn, type View } from './lod.js';
import { CPU_H, GIL_H, GUTTER, RULER_H, isGilRow, type Row } from './layout.js';
import { computeTicks } from './ruler.js';

/** Below this many steps a track is drawn from its steps at any zoom: already fast. */
const SUMMARY_MIN_STEPS = 20_000;
/** How far an expanded group's member labels are indented. */
const MEMBER_INDENT = 12;
/** Stacking order of mixed columns, bottom up: GIL holding, waiting, none; CPU running, runnable, blocked, sleeping. */
const STACK_ORDER = [
  [2, 1, 0],
  [0, 1, 3, 2],
] as const;
export const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export class TrackPainter {
  private ctx!: CanvasRenderingContext2D;
  private width = 0;
  private readonly scratch = new ColumnScratch();
  private columns = new Int32Array(0);
  private readonly summaries = new Map<Track, TrackSummary>();

  constructor(
    private readonly data: UiData,
    private rows: readonly Row[],
    private rowsByThread: ReadonlyMap<number, Row>,
    private height: number,
    private readonly fullStart: number,
    private readonly fullEnd: number,
  ) {}

  /** After a group was expanded or collapsed. `rowsByThread`: the GIL row showing each thread (its group's when collapsed). */
  setLayout(rows: readonly Row[], rowsByThread: ReadonlyMap<number, Row>, height: number): void {
    this.rows = rows;
    this.rowsByThread = rowsByThread;
    this.height = height;
  }

  paint(ctx: CanvasRenderingContext2D, view: View): void {
    this.ctx = ctx;
    this.width = view.width;
    if (this.columns.length < this.width) this.columns = new Int32Array(this.width);
    ctx.clearRect(0, 0, GUTTER + this.width, this.height);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    this.drawGrid(view);
    this.drawGutterEdge(); // first, so process headers run across it
    for (const row of this.rows) this.drawRow(row, view);
    for (const process of this.data.processes) for (const gil of process.gils) this.drawHandoffs(process, gil, view);
  }

  xOf(t: number, view: View): number {
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
    // Labels count from the recording's start, whatever the model's time 0 is (a part of a recording: from the whole one's).
    const origin = this.data.origin;
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
        if (row.group) this.memberBracket(row);
        this.label(row, row.thread!.name, '#1f2328', `${row.thread!.tid}`, row.group ? MEMBER_INDENT : 0);
        this.drawStates(row, view, 3, GIL_COLORS);
        this.drawDrops(row, view);
        return;
      case 'group':
        ctx.font = `600 ${FONT}`;
        this.label(row, `${row.expanded ? '▾' : '▸'} ${row.group!.name}`, '#1f2328', `×${row.group!.members.length}`);
        ctx.font = FONT;
        this.drawStates(row, view, 3, GIL_COLORS);
        this.drawDrops(row, view);
        return;
      case 'cpu':
      case 'group-cpu':
        this.drawStates(row, view, 4, CPU_COLORS);
        return;
    }
  }

  /** A thin line left of an expanded group's member rows, so they read as the group's. */
  private memberBracket(row: Row): void {
    this.ctx.fillStyle = '#c5ced8';
    this.ctx.fillRect(14, row.y - 1, 2, GIL_H + CPU_H + 3);
  }

  private label(row: Row, text: string, color: string, suffix?: string, indent = 0): void {
    const { ctx } = this;
    const mid = isGilRow(row) ? row.y + (GIL_H + CPU_H + 1) / 2 : row.y + row.h / 2;
    ctx.fillStyle = color;
    ctx.textAlign = 'left';
    // A tid takes up to 52 px; a group's shorter `×N` leaves its (longer) name more room.
    const suffixWidth = !suffix ? 0 : row.kind === 'group' ? ctx.measureText(suffix).width + 16 : 52;
    const maxWidth = GUTTER - 24 - indent - suffixWidth;
    ctx.fillText(fitText(ctx, text, maxWidth), 12 + indent, mid);
    if (suffix) {
      ctx.fillStyle = '#8c959f';
      ctx.textAlign = 'right';
      ctx.fillText(suffix, GUTTER - 10, mid);
    }
  }

  private drawStates(row: Row, view: View, stateCount: number, colors: readonly string[]): void {
    // A thread's own tracks, or a collapsed group's merged ones (whose gap state is out of range: not drawn).
    const owner = row.thread ?? row.group!;
    const track = isGilRow(row) ? owner.gil : owner.cpu;
    this.fillColumns(track, owner.start, owner.end, view, stateCount, 'dominant', true);
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
        for (const s of STACK_ORDER[isGilRow(row) ? 0 : 1]) {
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
    const { dropTimes, dropFlags } = row.thread ?? row.group!;
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
        // Two threads of one collapsed group share its row: no arrow from the row to itself.
        if (from && to && from !== to) this.arrow(this.xOf(dropAt, view), from.y + GIL_H / 2, this.xOf(times[i], view), to.y + GIL_H / 2);
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

  private drawGutterEdge(): void {
    const { ctx } = this;
    ctx.fillStyle = '#d0d5dc';
    ctx.fillRect(GUTTER - 1, 0, 1, this.height);
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

export function processTitle(process: UiProcess): string {
  return `${process.command || 'process'} · pid ${process.pid} · ${process.threads.length} thread${process.threads.length === 1 ? '' : 's'}`;
}
