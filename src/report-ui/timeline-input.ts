/**
 * Mouse and keyboard for the timeline: wheel zooms around the pointer (shift+wheel or a
 * horizontal wheel pans), drag pans, a click without drag selects; W/S/+/- zoom, A/D/arrows
 * pan, 0/Home reset, Escape clears the selection.
 */
import { GUTTER } from './layout.js';

/**
 * What the input drives: timeline-view.ts's TimelineView is one. Declared here, so that the view
 * can install its input without the input importing the view (no cycle).
 */
export interface TimelineControls {
  /** Visible range (ns, relative). */
  readonly range: { readonly start: number; readonly end: number };
  /** Width of the track area in px, beside the gutter. */
  readonly trackWidth: number;
  /** Where keyboard zoom centres, in track px. */
  readonly zoomAnchor: number;
  setRange(start: number, end: number): void;
  zoom(factor: number, anchorX?: number): void;
  pan(fraction: number): void;
  reset(): void;
  setDragging(dragging: boolean): void;
  clickAt(x: number, y: number): void;
  pointer(local: { x: number; y: number } | undefined, client?: { x: number; y: number }): void;
  clearSelection(): void;
}

const DRAG_THRESHOLD_PX = 3;
const KEY_ZOOM = 0.7;
const KEY_PAN = 0.2;

export function installTimelineInput(canvas: HTMLCanvasElement, view: TimelineControls): void {
  const local = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  let drag: { x: number; start: number; end: number; moved: boolean } | undefined;

  canvas.addEventListener(
    'wheel',
    (e) => {
      const { x } = local(e);
      if (x < GUTTER) return;
      e.preventDefault();
      const lines = e.deltaMode === 1 ? 16 : 1;
      const dx = e.deltaX * lines;
      const dy = e.deltaY * lines;
      if (e.shiftKey || Math.abs(dx) > Math.abs(dy)) view.pan((e.shiftKey ? dy || dx : dx) / view.trackWidth);
      else view.zoom(Math.exp(dy * 0.0025), x - GUTTER);
    },
    { passive: false },
  );
  canvas.addEventListener('mousedown', (e) => {
    if (local(e).x < GUTTER || e.button !== 0) return;
    const { start, end } = view.range;
    drag = { x: e.clientX, start, end, moved: false };
    e.preventDefault();
  });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (!drag.moved && Math.abs(dx) > DRAG_THRESHOLD_PX) {
      drag.moved = true;
      view.setDragging(true);
    }
    if (drag.moved) {
      const shift = (-dx / view.trackWidth) * (drag.end - drag.start);
      view.setRange(drag.start + shift, drag.end + shift);
    }
  });
  window.addEventListener('mouseup', (e) => {
    if (!drag) return;
    const moved = drag.moved;
    drag = undefined;
    view.setDragging(false);
    if (!moved) view.clickAt(local(e).x, local(e).y);
  });
  canvas.addEventListener('mousemove', (e) => view.pointer(local(e), { x: e.clientX, y: e.clientY }));
  canvas.addEventListener('mouseleave', () => view.pointer(undefined));
  window.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const zoomIn = () => view.zoom(KEY_ZOOM, view.zoomAnchor);
    const zoomOut = () => view.zoom(1 / KEY_ZOOM, view.zoomAnchor);
    const actions: Record<string, () => void> = {
      w: zoomIn,
      '+': zoomIn,
      '=': zoomIn,
      s: zoomOut,
      '-': zoomOut,
      a: () => view.pan(-KEY_PAN),
      ArrowLeft: () => view.pan(-KEY_PAN),
      d: () => view.pan(KEY_PAN),
      ArrowRight: () => view.pan(KEY_PAN),
      '0': () => view.reset(),
      Home: () => view.reset(),
      Escape: () => view.clearSelection(),
    };
    const action = actions[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    if (!action) return;
    e.preventDefault();
    action();
  });
}
