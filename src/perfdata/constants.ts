/** Numbers from the perf.data format (linux/perf_event.h, tools/perf/util/{event,header}.h). */

export const MAGIC_LO = 0x46524550; // 'PERF' little-endian
export const MAGIC_HI = 0x32454c49; // 'ILE2'
export const FILE_HEADER_SIZE = 104;
export const PIPE_HEADER_SIZE = 16;
export const RECORD_HEADER_SIZE = 8;

export const enum RecordType {
  MMAP = 1,
  LOST = 2,
  COMM = 3,
  EXIT = 4,
  THROTTLE = 5,
  UNTHROTTLE = 6,
  FORK = 7,
  READ = 8,
  SAMPLE = 9,
  MMAP2 = 10,
  AUX = 11,
  ITRACE_START = 12,
  LOST_SAMPLES = 13,
  SWITCH = 14,
  SWITCH_CPU_WIDE = 15,
  NAMESPACES = 16,
  KSYMBOL = 17,
  BPF_EVENT = 18,
  CGROUP = 19,
  TEXT_POKE = 20,
  AUX_OUTPUT_HW_ID = 21,
  KERNEL_MAX = 22,
  // records perf itself writes (user types)
  HEADER_ATTR = 64,
  HEADER_EVENT_TYPE = 65,
  HEADER_TRACING_DATA = 66,
  HEADER_BUILD_ID = 67,
  FINISHED_ROUND = 68,
  ID_INDEX = 69,
  AUXTRACE_INFO = 70,
  AUXTRACE = 71,
  AUXTRACE_ERROR = 72,
  THREAD_MAP = 73,
  CPU_MAP = 74,
  STAT_CONFIG = 75,
  STAT = 76,
  STAT_ROUND = 77,
  EVENT_UPDATE = 78,
  TIME_CONV = 79,
  HEADER_FEATURE = 80,
  COMPRESSED = 81,
  FINISHED_INIT = 82,
  COMPRESSED2 = 83,
  USER_MAX = 84,
}

export const enum SampleType {
  IP = 1 << 0,
  TID = 1 << 1,
  TIME = 1 << 2,
  ADDR = 1 << 3,
  READ = 1 << 4,
  CALLCHAIN = 1 << 5,
  ID = 1 << 6,
  CPU = 1 << 7,
  PERIOD = 1 << 8,
  STREAM_ID = 1 << 9,
  RAW = 1 << 10,
  BRANCH_STACK = 1 << 11,
  REGS_USER = 1 << 12,
  STACK_USER = 1 << 13,
  WEIGHT = 1 << 14,
  DATA_SRC = 1 << 15,
  IDENTIFIER = 1 << 16,
  TRANSACTION = 1 << 17,
  REGS_INTR = 1 << 18,
  PHYS_ADDR = 1 << 19,
  AUX = 1 << 20,
  CGROUP = 1 << 21,
  DATA_PAGE_SIZE = 1 << 22,
  CODE_PAGE_SIZE = 1 << 23,
  WEIGHT_STRUCT = 1 << 24,
  /** Bits this reader knows how to walk past; any other bit makes the sample layout unknowable. */
  KNOWN = (1 << 25) - 1,
}

export const enum ReadFormat {
  TOTAL_TIME_ENABLED = 1 << 0,
  TOTAL_TIME_RUNNING = 1 << 1,
  ID = 1 << 2,
  GROUP = 1 << 3,
  LOST = 1 << 4,
}

export const PERF_TYPE_TRACEPOINT = 2;
export const PERF_SAMPLE_BRANCH_HW_INDEX = 1 << 17;
export const MISC_COMM_EXEC = 1 << 13;
export const MISC_MMAP_DATA = 1 << 13;
export const MISC_MMAP_BUILD_ID = 1 << 14;
export const PROT_EXEC = 4;

export const enum Feature {
  TRACING_DATA = 1,
  BUILD_ID = 2,
  HOSTNAME = 3,
  OSRELEASE = 4,
  VERSION = 5,
  ARCH = 6,
  NRCPUS = 7,
  CPUDESC = 8,
  CPUID = 9,
  TOTAL_MEM = 10,
  CMDLINE = 11,
  EVENT_DESC = 12,
  CLOCKID = 23,
  SAMPLE_TIME = 21,
  COMPRESSED = 27,
  CLOCK_DATA = 29,
  /** Highest feature bit perf 6.x defines (32 = HEADER_LAST_FEATURE, pipe mode's end marker); higher ones are counted as unknown. */
  LAST_KNOWN = 32,
}
