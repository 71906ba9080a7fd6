/**
 * perf.data → time-ordered typed records. Knows nothing of Python or the GIL.
 *
 * Contract for consumers:
 * - `openPerfData(path)` reads file or pipe form (auto-detected from the header, zstd `-z` data
 *   included; '-' is stdin). Bad input throws a GiltraceError naming the file, the byte offset and
 *   what was expected vs found; nothing else is thrown for input data.
 * - `records()` may be called once. Records come out in non-decreasing `time`, merged by a
 *   streaming sorter (FINISHED_ROUND rounds, bounded memory); a record that arrives after its time
 *   was already passed is still delivered and counted in `stats.outOfOrder`.
 * - LIFETIME: the iterator reuses ONE SampleRecord object for every sample, and `raw` is a view
 *   into the reader's buffer. A sample (and its `raw`) is valid only until the next `next()`
 *   call: convert it immediately, never keep it. Other record kinds are fresh objects.
 * - `time` is float64 ns relative to `timeBaseNs` (the first timed record in file order); it is
 *   exact to the ns and may be negative for records earlier than that one. Records without a
 *   timestamp (perf's synthesized COMM/MMAP/FORK, time 0, or events without PERF_SAMPLE_TIME)
 *   get the time of the last timed record before them in the file; those before any timed record
 *   get the earliest time released with them (0 if none).
 * - `callchain` holds the instruction pointers with the PERF_CONTEXT_* markers removed; it is a
 *   fresh array. Addresses >= 2^53 (kernel space) are rounded by float64.
 * - `stats` counters are final once the iteration has ended.
 */
export { openPerfData, type OpenOptions } from './open.js';
export { readTracepointInt, readTracepointString } from './tracepoint-read.js';
export type {
  CommRecord,
  EventType,
  LostRecord,
  MmapRecord,
  PerfData,
  PerfFeatures,
  PerfReadStats,
  PerfRecord,
  SampleRecord,
  TaskRecord,
  TracepointField,
} from './types.js';
