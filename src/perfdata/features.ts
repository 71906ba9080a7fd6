import { ByteView } from './byte-view.js';
import { Feature } from './constants.js';
import type { PerfFeatures } from './types.js';

export type MutableFeatures = { -readonly [K in keyof PerfFeatures]: PerfFeatures[K] } & { present: number[]; otherSections?: Map<number, Uint8Array> };

/** One EVENT_DESC entry: perf's name of an event and the sample ids that belong to it. */
export interface EventDesc {
  readonly name: string;
  readonly ids: readonly number[];
}

const MAX_STRING = 1 << 20;
const MAX_COUNT = 1 << 20;

/**
 * Parses one header feature section (file mode) or HEADER_FEATURE payload (pipe mode) into
 * `out`. Features we do not use are skipped; unknown ids keep their bytes in `otherSections` (a
 * tool's own section, e.g. giltrace's recording manifest) and return false so the caller counts them.
 */
export function parseFeature(id: number, view: ByteView, out: MutableFeatures, eventDescs: EventDesc[]): boolean {
  if (!out.present.includes(id)) out.present.push(id);
  switch (id) {
    case Feature.HOSTNAME: out.hostname = readString(view, 0).value; return true;
    case Feature.OSRELEASE: out.osRelease = readString(view, 0).value; return true;
    case Feature.VERSION: out.perfVersion = readString(view, 0).value; return true;
    case Feature.ARCH: out.arch = readString(view, 0).value; return true;
    case Feature.CPUDESC: out.cpuDesc = readString(view, 0).value; return true;
    case Feature.CPUID: out.cpuId = readString(view, 0).value; return true;
    case Feature.NRCPUS:
      out.nrCpusAvailable = view.u32(0, 'nr_cpus_available');
      out.nrCpus = view.u32(4, 'nr_cpus_online');
      return true;
    case Feature.TOTAL_MEM: out.totalMemKb = view.u64(0, 'total memory'); return true;
    case Feature.CMDLINE: {
      const n = count(view, 0, 'cmdline argument count');
      const args: string[] = [];
      let p = 4;
      for (let i = 0; i < n; i++) {
        const s = readString(view, p);
        args.push(s.value);
        p = s.next;
      }
      out.cmdline = args;
      return true;
    }
    case Feature.EVENT_DESC: parseEventDesc(view, eventDescs); return true;
    case Feature.CLOCKID: out.clockResolutionNs = view.u64(0, 'clockid resolution'); return true;
    case Feature.CLOCK_DATA:
      out.clockData = { clockId: view.u32(4, 'clock data clockid'), todNs: view.u64big(8, 'clock data tod'), clockNs: view.u64big(16, 'clock data clock') };
      return true;
    case Feature.SAMPLE_TIME:
      out.sampleTime = { firstNs: view.u64big(0, 'first sample time'), lastNs: view.u64big(8, 'last sample time') };
      return true;
    case Feature.COMPRESSED:
      out.compression = { type: view.u32(4, 'compression type'), level: view.u32(8, 'compression level'), ratio: view.u32(12, 'compression ratio') };
      return true;
    default:
      if (id > 0 && id <= Feature.LAST_KNOWN) return true;
      (out.otherSections ??= new Map()).set(id, view.bytes.slice());
      return false;
  }
}

function parseEventDesc(view: ByteView, out: EventDesc[]): void {
  const n = count(view, 0, 'event count');
  const attrSize = view.u32(4, 'event desc attr size');
  let p = 8;
  for (let i = 0; i < n; i++) {
    view.need(p, attrSize, 'event desc attr');
    p += attrSize;
    const nrIds = count(view, p, 'event desc id count');
    p += 4;
    const name = readString(view, p);
    p = name.next;
    const ids: number[] = [];
    for (let k = 0; k < nrIds; k++) ids.push(view.u64(p + 8 * k, 'event id'));
    p += 8 * nrIds;
    out.push({ name: name.value, ids });
  }
}

function count(view: ByteView, p: number, field: string): number {
  const n = view.u32(p, field);
  if (n > MAX_COUNT) view.fail(p, `${field} ${n} is implausibly large`);
  return n;
}

/** perf's header string: u32 length (padded, with NULs) then the bytes. */
export function readString(view: ByteView, p: number): { value: string; next: number } {
  const len = view.u32(p, 'string length');
  if (len > MAX_STRING) view.fail(p, `string length ${len} is implausibly large`);
  return { value: view.cstring(p + 4, len, 'string'), next: p + 4 + len };
}
