/**
 * The records of several recordings of the same machine and clock, as one time-ordered stream:
 * the main recording and extra ones made beside it (giltrace's recorders for interpreters found
 * while recording). Times are moved onto the first recording's time base. Each record is valid
 * until the next one is asked for, as with one recording: only the reader whose record went out
 * is advanced. Event types of different recordings are different objects (their indexes overlap).
 */
import type { PerfData, PerfRecord } from './types.js';

export function* mergedRecords(recordings: readonly PerfData[]): Generator<PerfRecord> {
  if (recordings.length === 0) return;
  const base = recordings[0].timeBaseNs;
  const sources = recordings.map((data) => ({ records: data.records(), shift: Number(data.timeBaseNs - base), current: undefined as PerfRecord | undefined }));
  const advance = (source: (typeof sources)[number]) => {
    const next = source.records.next();
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

function shifted(record: PerfRecord, shift: number): PerfRecord {
  if (shift !== 0) (record as { time: number }).time += shift;
  return record;
}
