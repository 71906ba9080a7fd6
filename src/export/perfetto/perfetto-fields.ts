/**
 * Field numbers of the Perfetto trace protos we write (protos/perfetto/trace/*.proto and
 * protos/perfetto/common/builtin_clock.proto in google/perfetto). The tests decode our bytes
 * through protobufjs with test/fixtures/perfetto/trace-subset.proto, a schema written apart from
 * this file (its README says where each message comes from), so a wrong number here fails them.
 */
export const Trace = { packet: 1 } as const;
export const TracePacket = {
  clockSnapshot: 6,
  timestamp: 8,
  trustedPacketSequenceId: 10,
  trackEvent: 11,
  internedData: 12,
  sequenceFlags: 13,
  tracePacketDefaults: 59,
  trackDescriptor: 60,
} as const;
export const TracePacketDefaults = { timestampClockId: 58 } as const;
export const ClockSnapshot = { clocks: 1, primaryTraceClock: 2 } as const;
export const Clock = { clockId: 1, timestamp: 2 } as const;
/** BuiltinClock (common/builtin_clock.proto): ids of the POSIX clocks. */
export const BUILTIN_CLOCK_MONOTONIC = 3;
export const BUILTIN_CLOCK_BOOTTIME = 6;
export const SEQ_INCREMENTAL_STATE_CLEARED = 1;
export const SEQ_NEEDS_INCREMENTAL_STATE = 2;
export const TrackDescriptor = { uuid: 1, name: 2, process: 3, thread: 4, parentUuid: 5, counter: 8 } as const;
export const ProcessDescriptor = { pid: 1, processName: 6 } as const;
export const ThreadDescriptor = { pid: 1, tid: 2, threadName: 5 } as const;
export const TrackEvent = {
  categoryIids: 3,
  debugAnnotations: 4,
  type: 9,
  nameIid: 10,
  trackUuid: 11,
  counterValue: 30,
  flowIds: 47,
  terminatingFlowIds: 48,
} as const;
export const TYPE_SLICE_BEGIN = 1;
export const TYPE_SLICE_END = 2;
export const TYPE_COUNTER = 4;
export const InternedData = { eventCategories: 1, eventNames: 2, debugAnnotationNames: 3, debugAnnotationStringValues: 29 } as const;
export const Interned = { iid: 1, name: 2 } as const;
/** InternedString (profiling/profile_common.proto): the string is `bytes`, UTF-8 here. */
export const InternedString = { iid: 1, str: 2 } as const;
export const DebugAnnotation = { nameIid: 1, intValue: 4, stringValue: 6, stringValueIid: 17 } as const;
