import { ByteView } from './byte-view.js';
import { u64RoundedFromHalves } from '../base/u64.js';
import { ReadFormat, SampleType, PERF_SAMPLE_BRANCH_HW_INDEX } from './constants.js';
import type { EventTypeImpl } from './event-type.js';

const ATTR_SIZE_VER0 = 64;

/**
 * One perf_event_attr plus everything precomputed from it that the hot path needs:
 * where id/time/tid/cpu/ip sit in a SAMPLE, and where the sample_id_all trailer fields sit,
 * counted from the end of a non-sample record.
 */
export class PerfAttr {
  eventType: EventTypeImpl | undefined = undefined;
  // SAMPLE layout: byte offsets from the record start, -1 when absent
  readonly ipPos: number;
  readonly tidPos: number;
  readonly timePos: number;
  readonly idPos: number;
  readonly cpuPos: number;
  /** End of the fixed-size prefix (IDENTIFIER..PERIOD); variable parts follow. */
  readonly fixedEnd: number;
  /** Where the RAW size sits when nothing variable precedes it (no group READ, no CALLCHAIN), else -1. */
  readonly rawFixedPos: number;
  // sample_id_all trailer: byte offsets from the record END, -1 when absent
  readonly trailerSize: number;
  readonly trailerTid: number;
  readonly trailerTime: number;
  readonly trailerId: number;
  readonly trailerCpu: number;

  constructor(
    readonly type: number,
    readonly config: number,
    readonly sampleType: number,
    readonly readFormat: number,
    readonly sampleIdAll: boolean,
    readonly useClockid: boolean,
    readonly clockid: number,
    readonly regsUserCount: number,
    readonly regsIntrCount: number,
    readonly branchHwIndex: boolean,
    readonly ids: readonly number[],
  ) {
    const st = sampleType;
    let pos = 8;
    let idPos = -1;
    if (st & SampleType.IDENTIFIER) { idPos = pos; pos += 8; }
    this.ipPos = st & SampleType.IP ? ((pos += 8), pos - 8) : -1;
    this.tidPos = st & SampleType.TID ? ((pos += 8), pos - 8) : -1;
    this.timePos = st & SampleType.TIME ? ((pos += 8), pos - 8) : -1;
    if (st & SampleType.ADDR) pos += 8;
    if (st & SampleType.ID) { if (idPos < 0) idPos = pos; pos += 8; }
    if (st & SampleType.STREAM_ID) pos += 8;
    this.cpuPos = st & SampleType.CPU ? ((pos += 8), pos - 8) : -1;
    if (st & SampleType.PERIOD) pos += 8;
    this.idPos = idPos;
    this.fixedEnd = pos;
    const readFixed = (readFormat & ReadFormat.GROUP) === 0;
    const readBytes = st & SampleType.READ ? 8 * (1 + popcount(readFormat & (ReadFormat.TOTAL_TIME_ENABLED | ReadFormat.TOTAL_TIME_RUNNING | ReadFormat.ID | ReadFormat.LOST))) : 0;
    this.rawFixedPos = st & SampleType.RAW && !(st & SampleType.CALLCHAIN) && (readFixed || !(st & SampleType.READ)) ? pos + readBytes : -1;

    if (!sampleIdAll) {
      this.trailerSize = 0;
      this.trailerTid = this.trailerTime = this.trailerId = this.trailerCpu = -1;
      return;
    }
    // forward order: TID TIME ID STREAM_ID CPU IDENTIFIER
    let t = 0;
    const tid = st & SampleType.TID ? ((t += 8), t - 8) : -1;
    const time = st & SampleType.TIME ? ((t += 8), t - 8) : -1;
    let id = st & SampleType.ID ? ((t += 8), t - 8) : -1;
    if (st & SampleType.STREAM_ID) t += 8;
    const cpu = st & SampleType.CPU ? ((t += 8), t - 8) : -1;
    if (st & SampleType.IDENTIFIER) { id = t; t += 8; }
    this.trailerSize = t;
    this.trailerTid = tid < 0 ? -1 : t - tid;
    this.trailerTime = time < 0 ? -1 : t - time;
    this.trailerId = id < 0 ? -1 : t - id;
    this.trailerCpu = cpu < 0 ? -1 : t - cpu;
  }

  /** Fixed size of the READ part, or -1 when it depends on the group's member count. */
  get readSize(): number {
    const rf = this.readFormat;
    if (rf & ReadFormat.GROUP) return -1;
    return 8 * (1 + popcount(rf & (ReadFormat.TOTAL_TIME_ENABLED | ReadFormat.TOTAL_TIME_RUNNING | ReadFormat.ID | ReadFormat.LOST)));
  }
}

export function popcount(x: number): number {
  let n = 0;
  while (x !== 0) { x &= x - 1; n++; }
  return n;
}

function popcount64(view: ByteView, offset: number): number {
  return popcount(view.u32(offset, 'register mask')) + popcount(view.u32(offset + 4, 'register mask'));
}

/**
 * Parses a perf_event_attr at `offset`, of which `available` bytes belong to it (file-mode attr
 * entries and HEADER_ATTR records bound it). Fields beyond the attr's own `size` read as absent,
 * as in older perf versions.
 */
export function parseAttr(view: ByteView, offset: number, available: number, ids: readonly number[]): PerfAttr {
  const type = view.u32(offset, 'attr.type');
  let size = view.u32(offset + 4, 'attr.size');
  if (size === 0) size = ATTR_SIZE_VER0;
  if (size < ATTR_SIZE_VER0) view.fail(offset + 4, `attr.size ${size} is smaller than the oldest attr layout (${ATTR_SIZE_VER0})`);
  if (size > available) view.fail(offset + 4, `attr.size ${size} is larger than the ${available} bytes the attr occupies`);
  const has = (end: number): boolean => end <= size;
  // a bit pattern, not a size: every bit may be set (raw PMU events)
  const config = u64RoundedFromHalves(view.u32(offset + 12, 'attr.config'), view.u32(offset + 8, 'attr.config'));
  const stLo = view.u32(offset + 24, 'attr.sample_type');
  const stHi = view.u32(offset + 28, 'attr.sample_type');
  if (stHi !== 0 || (stLo & ~SampleType.KNOWN) !== 0) {
    view.fail(offset + 24, `sample_type 0x${u64RoundedFromHalves(stHi, stLo).toString(16)} has bits this reader does not know (known: 0x${SampleType.KNOWN.toString(16)})`);
  }
  const readFormat = view.u32(offset + 32, 'attr.read_format');
  const flagsLo = view.u32(offset + 40, 'attr flags');
  const sampleIdAll = (flagsLo & (1 << 18)) !== 0;
  const useClockid = (flagsLo & (1 << 25)) !== 0;
  const branchHwIndex = has(80) && (view.u32(offset + 72, 'attr.branch_sample_type') & PERF_SAMPLE_BRANCH_HW_INDEX) !== 0;
  const regsUserCount = has(88) ? popcount64(view, offset + 80) : 0;
  const clockid = has(96) ? view.i32(offset + 92, 'attr.clockid') : 0;
  const regsIntrCount = has(104) ? popcount64(view, offset + 96) : 0;
  return new PerfAttr(type, config, stLo, readFormat, sampleIdAll, useClockid, clockid, regsUserCount, regsIntrCount, branchHwIndex, ids);
}
