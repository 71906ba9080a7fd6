/**
 * Okabe–Ito palette: distinguishable with every common colour-vision deficiency. GIL and CPU
 * rows never share a hue, and "waiting" (the thing to look for) is the loudest colour.
 */
export const GIL_COLORS = ['#e4e7eb', '#d55e00', '#0072b2'] as const; // none, waiting, holding
export const GIL_LABELS = ['no GIL', 'waiting for the GIL', 'holding the GIL'] as const;
// runnable is Okabe–Ito yellow, not orange: orange sits too close to the vermillion of 'waiting'.
export const CPU_COLORS = ['#009e73', '#f0e442', '#c5ced8', '#cc79a7'] as const; // running, runnable, sleeping, blocked
export const CPU_LABELS = ['running on a CPU', 'runnable (waiting for a CPU)', 'sleeping', 'blocked (uninterruptible)'] as const;
export const GIL_STATE_NAMES = ['none', 'waiting', 'holding'] as const;
export const CPU_STATE_NAMES = ['running', 'runnable', 'sleeping', 'blocked'] as const;
/** Holder row: shades of the "holding" blue, alternating per thread; labels tell threads apart. */
export const HOLDER_COLORS = ['#0072b2', '#56b4e9', '#005a8c', '#3d9bd6', '#1b4f72', '#7fc4ee'] as const;
export const NOBODY_COLOR = '#eef0f3';
export const WAITERS_COLOR = '#d55e00';
export const HANDOFF_COLOR = '#1f2328';
export const FORCED_DROP_COLOR = '#1f2328';
export const UNKNOWN_DROP_COLOR = '#8c959f';
export const SELECTION_COLOR = '#f0e442';
