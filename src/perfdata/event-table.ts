import { GiltraceError } from '../base/errors.js';
import { parseAttr, type PerfAttr } from './attr.js';
import { ByteView } from './byte-view.js';
import { RecordType } from './constants.js';
import { makeEventType } from './event-names.js';
import type { EventTypeImpl } from './event-type.js';
import { parseFeature, type EventDesc, type MutableFeatures } from './features.js';
import { IdIndex } from './id-index.js';
import { parseTracingData } from './tracing-data.js';
import type { TracepointFormat } from './tracepoint-format.js';

/** perf's own records that describe events rather than carry them. */
export function isHeaderRecord(type: number): boolean {
  return type === RecordType.HEADER_ATTR || type === RecordType.HEADER_TRACING_DATA || type === RecordType.HEADER_FEATURE || type === RecordType.EVENT_UPDATE;
}

/**
 * What a recording says about its events: the attrs (with their id → attr index), tracepoint
 * formats, stored names and features, from the file header or from pipe-mode header records.
 * The record queue keeps it up to date; the decoder reads attrs and event types from it.
 */
export class EventTable {
  readonly eventTypes: EventTypeImpl[] = [];
  private readonly namesById = new Map<number, string>();
  /** Which attr each sample id belongs to. */
  ids = new IdIndex([]);
  /** One attr: every sample belongs to it, no id needed. */
  single = true;
  /** Where the id sits in a SAMPLE when several attrs exist. */
  sampleIdPos = -1;
  /** Where the id sits counted from the end of a non-sample record (sample_id_all), or -1. */
  trailerIdEnd = -1;
  unknownFeatures: number;

  constructor(
    private readonly path: string,
    readonly attrs: PerfAttr[],
    private readonly formats: Map<number, TracepointFormat>,
    private readonly eventDescs: EventDesc[],
    readonly features: MutableFeatures,
    unknownFeatures: number,
  ) {
    this.unknownFeatures = unknownFeatures;
    this.attrsChanged(0);
  }

  /** Names every attr; called once the header records (pipe mode) have been read. */
  nameAll(): void {
    for (let i = 0; i < this.attrs.length; i++) this.nameAttr(i);
    const clocked = this.attrs.find((a) => a.useClockid);
    if (clocked !== undefined && this.features.clockId === undefined) this.features.clockId = clocked.clockid;
  }

  /**
   * Applies a HEADER_ATTR, HEADER_TRACING_DATA, HEADER_FEATURE or EVENT_UPDATE record:
   * buf[pos, pos+size) is the record; for tracing data, `payload` is what follows it.
   */
  applyHeaderRecord(type: number, buf: Uint8Array, pos: number, size: number, fileOffset: number, payload: Uint8Array): void {
    const view = (): ByteView => new ByteView(buf.subarray(pos, pos + size), this.path, fileOffset, `record type ${type}`);
    switch (type) {
      case RecordType.HEADER_ATTR: {
        const v = view();
        const attrSize = Math.max(v.u32(12, 'attr.size'), 64);
        const ids: number[] = [];
        for (let q = 8 + attrSize; q + 8 <= size; q += 8) ids.push(v.u64(q, 'attr id'));
        this.attrs.push(parseAttr(v, 8, size - 8, ids));
        this.attrsChanged(fileOffset);
        if (this.eventTypes.length > 0) this.nameAttr(this.attrs.length - 1);
        return;
      }
      case RecordType.HEADER_TRACING_DATA: {
        const v = new ByteView(payload, this.path, fileOffset + size, 'tracing data');
        for (const [k, f] of parseTracingData(v)) this.formats.set(k, f);
        this.features.present.push(1);
        return;
      }
      case RecordType.HEADER_FEATURE: {
        const id = view().u64(8, 'feature id');
        const body = new ByteView(buf.subarray(pos + 16, pos + size), this.path, fileOffset + 16, `header feature ${id}`);
        if (!parseFeature(id, body, this.features, this.eventDescs)) this.unknownFeatures++;
        return;
      }
      case RecordType.EVENT_UPDATE: {
        const v = view();
        if (v.u64(8, 'event update type') === 3) this.namesById.set(v.u64(16, 'event update id'), v.cstring(24, size - 24, 'event name'));
        return;
      }
    }
  }

  /** Rebuilds the id → attr index after attrs were added; checks they agree on where ids sit. */
  private attrsChanged(offset: number): void {
    const attrs = this.attrs;
    this.single = attrs.length <= 1;
    this.ids = new IdIndex(attrs);
    if (this.single) return;
    const pos = attrs[0].idPos;
    const trailer = attrs[0].trailerId;
    for (const a of attrs) {
      if (a.idPos !== pos || pos < 0) {
        throw new GiltraceError(`events disagree on where the sample id is (sample_type ${attrs[0].sampleType.toString(16)} vs ${a.sampleType.toString(16)}), or lack PERF_SAMPLE_ID/IDENTIFIER; samples cannot be told apart`, { file: this.path, offset });
      }
    }
    this.sampleIdPos = pos;
    this.trailerIdEnd = attrs.every((a) => a.trailerId === trailer) ? trailer : -1;
  }

  private nameAttr(i: number): void {
    const type = makeEventType(i, this.attrs[i], this.formats, this.eventDescs, this.namesById);
    this.attrs[i].eventType = type;
    this.eventTypes[i] = type;
  }
}
