/**
 * Synthetic thread ids for giltrace's own tracks in Chrome traces. VizTracer draws each real
 * tid's call stack as nested slices, so GIL and CPU slices must live on other tids or they
 * would break its nesting. Linux tids stay below 2^22 (pid_max), so offsets of 10^8 cannot
 * collide with real threads and keep the real tid readable in the fake one.
 */
export const GIL_TRACK_TID_OFFSET = 100_000_000;
export const CPU_TRACK_TID_OFFSET = 200_000_000;
export const HOLDER_TRACK_TID_OFFSET = 300_000_000;

export const gilTrackTid = (tid: number) => GIL_TRACK_TID_OFFSET + tid;
export const cpuTrackTid = (tid: number) => CPU_TRACK_TID_OFFSET + tid;
/** One holder row per interpreter of a process, numbered in the order of `ProcessTimeline.gils`. */
export const holderTrackTid = (gilIndex: number) => HOLDER_TRACK_TID_OFFSET + gilIndex;
