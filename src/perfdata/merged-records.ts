/**
 * The records of several recordings of the same machine and clock, as one time-ordered stream:
 * the main recording and extra ones made beside it (giltrace's recorders for interpreters found
 * while recording). Times are moved onto the first recording's time base. Each record is valid
 * until the next one is asked for, as with one recording: only the reader whose record went out
 * is advanced. Event types of different recordings are different objects (their indexes overlap).
 *
 * The processes' and threads' births, deaths and names (fork, exit, comm records) come from the
 * first recording only: each recorder records the whole machine's (perf -a), and the extra
 * ones' copies made every thread started after they began start and end twice (a thread per
 * task beside a late interpreter: `duplicate_thread_start` and `events_after_exit` for each).
 */
import type { PerfData, PerfRecord } from './types.js';

export function* mergedRecords(recordings: readonly PerfData[]): Generator<PerfRecord> {
  if (recordings.length === 0) return;
  const base = recordings[0].timeBaseNs;
  const sources = recordings.map((data) => ({ records: data.records(), shift: Number(data.timeBaseNs - base), current: undefined as PerfRecord | undefined }));
  const advance = (source: (typeof sources)[number]) => {
    let next = source.records.next();
    while (!next.done && source !== sources[0] && TASK_RECORDS.has(next.value.type)) next = source.records.next();
    source.current = next.done ? undefined : shifted(next.value, source.shift);
  };
  for (const source of sources) advance(source);
  for (;;) {
    let first: (typeof sources)[number] | undefined;
    for (const source of sources) {
      if (source.current !== undefined && (first === undefined || source.current.time < first.current!.time)) first = source;
    }
    if (first === undefined) return;
    yield first.current!;
    advance(first);
  }
}

/** Record types the first recording alone gives (see above). */
const TASK_RECORDS: ReadonlySet<PerfRecord['type']> = new Set(['fork', 'exit', 'comm']);

function shifted(record: PerfRecord, shift: number): PerfRecord {
  if (shift !== 0) (record as { time: number }).time += shift;
  return record;
}
