/**
 * perf.data → time-ordered typed records. Knows nothing of Python or the GIL.
 *
 * Contract for consumers:
 * - `openPerfData(path)` reads file or pipe form (auto-detected from the header, zstd `-z` data
 *   included; '-' is stdin). Bad input throws a GiltraceError naming the file, the byte offset and
 *   what was expected vs found; nothing else is thrown for input data.
 * - `createPerfFeed()` reads a pipe-form stream that is handed over as it arrives (`perf record
 *   -o -` read in a 'data' handler): `push(bytes)` any split, then `available()` gives the records
 *   that can be released now; `end()` when the stream is over. It is the same parser as
 *   openPerfData's (the cutter, queue and sorter stop where the bytes run out and resume on the
 *   next push), so for the same bytes it gives exactly the same records, times and stats. Until
 *   `end()`, records wait for the FINISHED_ROUND after the one they came in; perf writes rounds
 *   when it wakes up to read its buffers, by default only when a CPU's buffer is half full, so a
 *   live view must wake it: `perf record --no-buffering` wakes it at every event (costly at high
 *   rates, measured in bench/feed-latency.ts); giltrace's top instead writes `ping` on perf's
 *   control channel every 250 ms, and each wake-up reads every buffer and ends a round. Errors come from `available()`: a GiltraceError as above, thrown
 *   again by every later call. Pushed bytes wait in the feed until available() reads them.
 * - `records()` may be called once. Records come out in non-decreasing `time`, merged by a
 *   streaming sorter (FINISHED_ROUND rounds, bounded memory); a record that arrives after its time
 *   was already passed is still delivered and counted in `stats.outOfOrder`.
 * - LIFETIME: the iterator reuses ONE SampleRecord object for every sample, and `raw` is a view
 *   of one reused scratch buffer. A sample (and its `raw`) is valid only until the next `next()`
 *   call: convert it immediately, never keep it (copy `raw` with `.slice()` if you must).
 *   `raw` is copied out when first read; readSampleInt / readSampleString / readSampleBytes /
 *   readSamplePayload read the payload where the record lies and are the fast way. Other
 *   record kinds (comm, fork/exit, mmap, lost) and `callchain` arrays are fresh objects;
 *   `userStack` (the `--call-graph dwarf` stack copy) is a view of a reused buffer, like `raw`.
 * - MEMORY is bounded by the sorter's window (two FINISHED_ROUNDs, or 64 MiB of queued records
 *   when a recording has no rounds), not by the file size: a 2.4 GB recording parses in under 90 MB.
 * - `time` is float64 ns relative to `timeBaseNs` (the first timed record in file order); it is
 *   exact to the ns and may be negative for records earlier than that one. Records without a
 *   timestamp (perf's synthesized COMM/MMAP/FORK, time 0, or events without PERF_SAMPLE_TIME)
 *   get the time of the last timed record before them in the file; those before any timed record
 *   get the earliest time released with them (0 if none).
 * - `callchain` holds the instruction pointers with the PERF_CONTEXT_* markers removed; it is a
 *   fresh array. Addresses >= 2^53 (kernel space) are rounded by float64.
 * - Unknown record types and header features are skipped and counted (`stats.unknownRecordTypes`,
 *   `stats.unknownFeatures`); LOST / LOST_SAMPLES are delivered as `lost` records and summed in
 *   `stats.lostEvents`; samples whose id matches no event are skipped (`stats.unknownIds`).
 * - `stats` counters are final once the iteration has ended (a feed's: current after each
 *   available() that ran out of bytes).
 * - 8-byte integers become numbers through base/u64.ts: exact below 2^53; sizes, counts and ids
 *   at or above it are corruption (Infinity, failing every check), addresses are rounded.
 */
export { createPerfFeed } from './feed.js';
export { mergedRecords } from './merged-records.js';
export { openPerfData, type OpenOptions } from './open.js';
export { hasPayload, readSampleBytes, readSampleInt, readSamplePayload, readSampleString, readTracepointInt, readTracepointString } from './tracepoint-read.js';
export type {
  CommRecord,
  EventType,
  LostRecord,
  MmapRecord,
  PerfData,
  PerfFeatures,
  PerfFeed,
  PerfReadStats,
  PerfRecord,
  SampleRecord,
  TaskRecord,
  TracepointField,
} from './types.js';
