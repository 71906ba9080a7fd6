/**
 * Public types of the perf.data reader. See index.ts for the contract (record lifetime,
 * time convention) that goes with them.
 */

export interface TracepointField {
  readonly name: string;
  /** Declared C type without the field name, array suffix kept: 'pid_t', 'char[16]', '__data_loc char[]'. */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  /** Element count for fixed arrays (`char prev_comm[16]` → 16). */
  readonly arrayLength?: number;
  /** Bytes of one element: `size`, or `size / arrayLength` for arrays. */
  readonly width: number;
  /** `__data_loc` field: a u32 whose low 16 bits are the payload offset and high 16 bits the length. */
  readonly dataLoc?: boolean;
  /** `__rel_loc` field: like dataLoc, but the offset counts from the end of this field. */
  readonly relLoc?: boolean;
}

export interface EventType {
  readonly index: number;
  /** 'sched:sched_switch', 'probe_libpython3:take_gil', or perf's name for non-tracepoints ('dummy:HG'). */
  readonly name: string;
  /** Tracepoint system and name; '' when not a tracepoint (or its format is missing). */
  readonly system: string;
  readonly tracepoint: string;
  /** From the tracepoint `format` text in the recording's tracing data. */
  readonly fields: readonly TracepointField[];
  field(name: string): TracepointField | undefined;
}

export interface PerfFeatures {
  readonly hostname?: string;
  readonly osRelease?: string;
  readonly perfVersion?: string;
  readonly arch?: string;
  /** CPUs online when recorded. */
  readonly nrCpus?: number;
  readonly nrCpusAvailable?: number;
  readonly cpuDesc?: string;
  readonly cpuId?: string;
  readonly totalMemKb?: number;
  readonly cmdline?: readonly string[];
  /** Clock of the sample timestamps (attr.clockid when use_clockid; 1 = CLOCK_MONOTONIC). */
  readonly clockId?: number;
  /** CLOCKID feature: resolution of that clock in ns. */
  readonly clockResolutionNs?: number;
  /** CLOCK_DATA feature: one instant in both wall-clock (TOD) and the sampling clock. */
  readonly clockData?: { readonly clockId: number; readonly todNs: bigint; readonly clockNs: bigint };
  /** SAMPLE_TIME feature: first and last sample time (absolute ns). */
  readonly sampleTime?: { readonly firstNs: bigint; readonly lastNs: bigint };
  /** COMPRESSED feature (`perf record -z`). */
  readonly compression?: { readonly type: number; readonly level: number; readonly ratio: number };
  /** Feature bit numbers present (HEADER_* ids from perf's header.h). */
  readonly present: readonly number[];
  /** Sections of feature bits perf does not define, by bit: another tool's own data. */
  readonly otherSections?: ReadonlyMap<number, Uint8Array>;
  /**
   * The file's header still says its data is empty: perf was stopped (killed) before it finished
   * the file. Its records run to the end of the file; no feature section follows them (no event
   * names, tracepoint formats or other tools' data).
   */
  readonly unfinished?: boolean;
}

export interface PerfReadStats {
  /** Records read from the data (kernel and perf-synthesized), including skipped ones. */
  records: number;
  samples: number;
  /** Sum of LOST.lost and LOST_SAMPLES.lost. */
  lostEvents: number;
  lostRecords: number;
  unknownRecordTypes: number;
  /** Known record types giltrace does not deliver (THROTTLE, SWITCH, KSYMBOL, ...). */
  skippedRecords: number;
  /** Samples whose id matches no attr (perf's nr_unknown_id); skipped. */
  unknownIds: number;
  /** Records that arrived after the sorter had already delivered later times; still delivered. */
  outOfOrder: number;
  /** Records without a timestamp; they get the time of the last delivered timed record. */
  untimed: number;
  finishedRounds: number;
  /** Times the sorter hit its memory bound and flushed without a FINISHED_ROUND. */
  forcedFlushes: number;
  unknownFeatures: number;
  /** Bytes of record data read (after decompression for zstd data). */
  bytes: number;
  /** Compressed bytes read from COMPRESSED records. */
  compressedBytes: number;
  /**
   * Decompressed bytes at the very end of zstd data that make no whole record: perf 6.1 can leave
   * its compressed stream unfinished (record-cutter.ts); dropped, as perf script drops them, and
   * said (the events in them are lost).
   */
  zstdTailBytes: number;
}

export interface SampleRecord {
  readonly type: 'sample';
  readonly time: number;
  readonly event: EventType;
  readonly pid: number;
  readonly tid: number;
  readonly cpu: number;
  readonly ip: number;
  /**
   * Tracepoint payload (PERF_SAMPLE_RAW), starting at common_type: a copy made when first asked
   * for. readSampleInt / readSampleString / readSampleBytes / readSamplePayload read it where
   * it lies instead, without the copy.
   */
  readonly raw: Uint8Array | undefined;
  /** Instruction pointers, PERF_CONTEXT_* markers removed. Addresses >= 2^53 (kernel) are rounded. */
  readonly callchain: Float64Array | undefined;
  /**
   * The copy of the user stack from the user stack pointer up (PERF_SAMPLE_STACK_USER, as
   * `--call-graph dwarf` records it), only the bytes the kernel filled (dyn_size); undefined when
   * the event has no stack copy or it is empty. A view of a reused buffer: valid like `raw`.
   */
  readonly userStack?: Uint8Array | undefined;
}
export interface CommRecord {
  readonly type: 'comm';
  readonly time: number;
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  readonly exec: boolean;
}
export interface TaskRecord {
  readonly type: 'fork' | 'exit';
  readonly time: number;
  readonly pid: number;
  readonly ppid: number;
  readonly tid: number;
  readonly ptid: number;
}
export interface MmapRecord {
  readonly type: 'mmap';
  readonly time: number;
  readonly pid: number;
  readonly tid: number;
  readonly start: number;
  readonly length: number;
  readonly pgoff: number;
  readonly filename: string;
  readonly executable: boolean;
  readonly buildId?: string;
}
export interface LostRecord {
  readonly type: 'lost';
  readonly time: number;
  readonly count: number;
}
export type PerfRecord = SampleRecord | CommRecord | TaskRecord | MmapRecord | LostRecord;

export interface PerfData {
  readonly path: string;
  readonly form: 'file' | 'pipe';
  readonly eventTypes: readonly EventType[];
  readonly timeBaseNs: bigint;
  readonly features: PerfFeatures;
  records(): IterableIterator<PerfRecord>;
  readonly stats: PerfReadStats;
  /** Bytes of the data read so far (compressed ones for zstd data), live while records() is read (`stats` is filled in at its end). */
  readonly bytesRead: number;
}

/**
 * A perf.data stream in pipe form that is fed bytes as they arrive (createPerfFeed); see index.ts
 * for the contract. It reads with the same parser as openPerfData and gives the same records.
 */
export interface PerfFeed {
  /** Appends the next bytes of a perf.data stream in PIPE form (as `perf record -o -` writes it), any split: may cut a record or the 16-byte pipe header anywhere. Keeps what it needs (the caller may reuse its buffer). */
  push(bytes: Uint8Array): void;
  /** No more bytes will come: the next available() releases everything still queued (and fails with a GiltraceError if the data ends inside a record). */
  end(): void;
  /** True once the pipe header and the header records before the first timed record were read: eventTypes, features and timeBaseNs are valid from then on. */
  readonly ready: boolean;
  /** The records that can be released in time order now (up to the last FINISHED_ROUND the sorter may release; after end(), all). The iterator ends when more bytes are needed; call again after the next push(). Same record lifetime rules as PerfData.records() (one reused sample object). */
  available(): IterableIterator<PerfRecord>;
  readonly eventTypes: readonly EventType[];
  readonly features: PerfFeatures;
  readonly stats: PerfReadStats;
  readonly timeBaseNs: bigint;
}
