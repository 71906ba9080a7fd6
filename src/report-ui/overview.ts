/**
 * The overview strip above the timeline: GIL contention over the whole recording (how many
 * threads wait, per pixel, all interpreters summed by their maxima) with the visible window
 * outlined. Click or drag in it to move the view there; the zoom stays.
 */
import { WAITERS_COLOR } from './colors.js';
import type { UiData } from './data.js';
import { UNCOVERED, maxPerColumn } from './lod.js';
import { GUTTER } from './layout.js';
import type { TimelineView } from './timeline-view.js';

const HEIGHT = 34;

export class Overview {
  private readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private readonly layer = document.createElement('canvas');
  private width = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly data: UiData,
    private readonly view: TimelineView,
  ) {
    this.canvas.className = 'gt-overview';
    this.canvas.setAttribute('aria-label', 'overview of the whole recording: GIL waiters over time; click to move the view');
    this.ctx = this.canvas.getContext('2d')!;
    host.appendChild(this.canvas);
    view.onRangeChange(() => this.draw());
    new ResizeObserver(() => this.resize()).observe(host);
    this.installInput();
    this.resize();
  }

  private resize(): void {
    const cssWidth = Math.max(this.host.clientWidth, GUTTER + 200);
    this.width = cssWidth - GUTTER;
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.layer]) {
      c.width = Math.round(cssWidth * dpr);
      c.height = Math.round(HEIGHT * dpr);
    }
    this.canvas.style.width = `${cssWidth}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    this.drawLayer(dpr);
    this.draw();
  }

  /** Contention over the whole recording: drawn once per size. */
  private drawLayer(dpr: number): void {
    const ctx = this.layer.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#f7f8fa';
    ctx.fillRect(0, 0, GUTTER + this.width, HEIGHT);
    ctx.fillStyle = '#57606a';
    ctx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillText('overview: GIL waiters', 12, HEIGHT / 2);
    const { start, end } = this.view.fullRange;
    const view = { start, nsPerPx: (end - start) / this.width, width: this.width };
    const total = new Int32Array(this.width);
    const column = new Int32Array(this.width);
    let max = 1;
    for (const process of this.data.processes) {
      for (const gil of process.gils) {
        maxPerColumn(gil.waiters, process.start, process.end, view, column);
        for (let c = 0; c < this.width; c++) if (column[c] !== UNCOVERED) max = Math.max(max, (total[c] += column[c]));
      }
    }
    ctx.fillStyle = WAITERS_COLOR;
    const h = HEIGHT - 8;
    for (let c = 0; c < this.width; c++) {
      if (total[c] <= 0) continue;
      const bar = Math.max(1.5, (total[c] / max) * h);
      ctx.fillRect(GUTTER + c, HEIGHT - 4 - bar, 1, bar);
    }
  }

  private draw(): void {
    const { ctx } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.layer, 0, 0);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const full = this.view.fullRange;
    const { start, end } = this.view.range;
    const scale = this.width / (full.end - full.start);
    const x0 = GUTTER + Math.max(0, (start - full.start) * scale);
    const x1 = GUTTER + Math.min(this.width, (end - full.start) * scale);
    // Dim what is outside the window, outline the window (at least 3 px wide to stay visible).
    ctx.fillStyle = 'rgba(13,27,42,0.10)';
    ctx.fillRect(GUTTER, 0, Math.max(0, x0 - GUTTER), HEIGHT);
    ctx.fillRect(x1, 0, Math.max(0, GUTTER + this.width - x1), HEIGHT);
    ctx.strokeStyle = '#0d1b2a';
    ctx.lineWidth = 1.5;
    const w = Math.max(3, x1 - x0);
    ctx.strokeRect(Math.min(x0, GUTTER + this.width - w) + 0.75, 0.75, w - 1.5, HEIGHT - 1.5);
  }

  private installInput(): void {
    let dragging = false;
    const moveTo = (clientX: number) => {
      const x = clientX - this.canvas.getBoundingClientRect().left - GUTTER;
      const full = this.view.fullRange;
      const { start, end } = this.view.range;
      const center = full.start + (Math.min(Math.max(x, 0), this.width) / this.width) * (full.end - full.start);
      this.view.setRange(center - (end - start) / 2, center + (end - start) / 2);
    };
    this.canvas.addEventListener('mousedown', (e) => {
      if (e.button !== 0 || e.clientX - this.canvas.getBoundingClientRect().left < GUTTER) return;
      dragging = true;
      moveTo(e.clientX);
      e.preventDefault();
    });
    window.addEventListener('mousemove', (e) => dragging && moveTo(e.clientX));
    window.addEventListener('mouseup', () => (dragging = false));
  }
}
