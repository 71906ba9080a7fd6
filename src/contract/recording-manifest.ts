/**
 * What giltrace writes into every recording it makes, so that reading it needs nothing of the
 * machine that recorded: which command and interpreters were traced, and how to tell a forced
 * GIL drop from a voluntary one. Stored as JSON (UTF-8) in a perf.data header feature section of
 * its own (RECORDING_MANIFEST_FEATURE); perf skips feature bits it does not know, so the file stays
 * an ordinary perf.data for perf script / perf report.
 */

export const RECORDING_MANIFEST_SCHEMA = 'giltrace.recording/1';

/**
 * Header feature bit of the manifest: the last of the 256 bits, far above perf's own features
 * (HEADER_LAST_FEATURE is 33 in perf 6.x), which perf iterates only up to its own last one.
 */
export const RECORDING_MANIFEST_FEATURE = 255;

/**
 * Feature bit of a streamed recording's manifest continued (`manifestRest`): what the attach found
 * (thread names, GIL users) can outgrow the room of the manifest's first record (one perf record:
 * 64 KB), so it follows perf's last record, deflated JSON, the manifest pointing at it.
 */
export const MANIFEST_REST_FEATURE = 253;

/** A [start, end) range of file offsets in one ELF file. */
export type FileRange = readonly [number, number];

export interface DropCallerTable {
  /** Functions (file-offset ranges in the GIL library) whose calls to drop_gil are forced switches. */
  readonly forced: readonly FileRange[];
  /** Functions known to release voluntarily; only needed when `otherwise` is 'unknown'. */
  readonly voluntary: readonly FileRange[];
  /** The reason for a drop_gil caller in none of the ranges (any other function, or another file). */
  readonly otherwise: 'voluntary' | 'unknown';
}

/**
 * Where a str object's text lies in the bytes the probes copy of it (the leaf frame's name is
 * copied raw, from its state byte on, so that non-ASCII names can be read too): offsets of the
 * characters of a compact ASCII str and of a compact non-ASCII one (Latin-1, UCS-2 or UCS-4 as
 * the state byte's kind says).
 */
export interface NameBytesLayout {
  readonly asciiData: number;
  readonly compactData: number;
}

export interface RecordedInterpreter {
  /** Real path of the interpreter ELF. */
  readonly executable: string;
  readonly version: string;
  readonly freeThreaded: boolean;
  /** Real path of the ELF the GIL probes sit in (libpython or the executable). */
  readonly gilLibrary: string;
  /** The same file as perf's mmap records name it, when that differs (a container's file reached through /proc/PID/root). */
  readonly mappedAs?: string;
  readonly dropCallers: DropCallerTable;
  /** What one GIL cycle cost the traced program under the probes, measured on the recording machine (ns). */
  readonly probeCostNs?: number;
  /** How to read the leaf frame's name bytes; absent when recorded without function context. */
  readonly nameBytes?: NameBytesLayout;
}

/**
 * An extra recording beside the main one: the GIL probes of an interpreter the traced tree
 * started while it was recorded (perf's events are fixed at its start), merged on read.
 */
export interface ExtraRecording {
  /** File name, in the main recording's folder. */
  readonly file: string;
  /** Index in `interpreters` of the interpreter whose probes it holds. */
  readonly interpreter: number;
}

export interface AttachedProcess {
  readonly pid: number;
  readonly command: readonly string[];
  /** Its pid inside its own pid namespace (a container), when that differs. */
  readonly namespacePid?: number;
}

/**
 * A thread of an attached process (or of a Python it started), named by giltrace while it
 * recorded: such a process never ran giltrace's hook, so its threads tell no Python names. Its
 * main thread is `MainThread`, another `<OS name> (<function it was started to run>)`, read from
 * its outermost frames (as the sampled mode names them); a thread whose start was not found
 * keeps its OS name.
 */
export interface NamedThread {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
}

/** A thread's CPU state as /proc gave it when giltrace attached (GilAtAttach). */
export type CpuAtAttach = 'running' | 'runnable' | 'sleeping' | 'blocked';

/**
 * A thread found waiting for a GIL (or `holding` it, or neither: `idle`) when giltrace attached;
 * `interp`: its interpreter's address (hex), where take_gil's probe tells interpreters apart;
 * `atNs`: when it was seen so (CLOCK_MONOTONIC ns, a decimal string).
 */
export interface GilAtAttach {
  readonly pid: number;
  readonly tid: number;
  readonly interp?: string;
  readonly holding?: true;
  /**
   * Neither holding nor waiting: its stack is where it last let the GIL go (a thread asks for the
   * GIL back where it gave it up), for its first wait once recorded.
   */
  readonly idle?: true;
  readonly atNs: string;
  /** Its CPU state then (/proc): a hold or wait begun before the probes may be asleep all along, with no scheduler event to say so. */
  readonly cpu?: CpuAtAttach;
  /** The Python function it ran (a waiter: where it asked for the GIL), as the sampled mode reads frames: the innermost first. */
  readonly stack?: { readonly name: string; readonly file: string; readonly line: number; readonly callers: readonly string[] };
}

export interface RecordingManifest {
  readonly schema: typeof RECORDING_MANIFEST_SCHEMA;
  /** Version of the giltrace that recorded. */
  readonly giltrace: string;
  /** The traced command as given. */
  readonly command: readonly string[];
  /**
   * The process whose descendants are traced: uprobes fire in every process that maps the probed
   * library, so a system-wide recording also catches Pythons giltrace did not start.
   */
  readonly recorderPid: number;
  /**
   * The traced command's own process, when known: its descendants are traced (giltrace's helpers,
   * also children of the recorder, are not). Older recordings and live streams have only recorderPid.
   */
  readonly targetPid?: number;
  /**
   * CLOCK_BOOTTIME minus CLOCK_MONOTONIC when recorded (ns, a decimal string: time suspended),
   * so that a Perfetto export can be placed on a system trace's BOOTTIME clock.
   */
  readonly boottimeMinusMonotonicNs?: string;
  /**
   * take_gil's return was not probed (giltrace's default since 12-05; `--exact-takes` probes it):
   * each take's end is placed from the drops and the scheduler events (model/take-placement.ts).
   * Absent: recorded with the return probe. Readers also tell it from the events themselves.
   */
  readonly takesPlaced?: true;
  /** Processes giltrace attached to (`-p`), with their command lines: their GIL events and their children's are traced. */
  readonly attached?: readonly AttachedProcess[];
  /**
   * Names for the attached processes' threads (NamedThread), found while recording. A streamed
   * recording's manifest is its first record: these come with its rest (`manifestRest`), after
   * perf's last record, the manifest written again in its room at the end to point at it.
   */
  readonly threadNames?: readonly NamedThread[];
  /**
   * A streamed (pipe-form) recording's holder samples (contract/sampled-recording.ts): the file's
   * bytes [offset, offset + bytes), HEADER_FEATURE records of HOLDER_SAMPLES_FEATURE after perf's
   * last record, whose contents joined are a u32 length and that many deflated bytes. (A
   * file-form recording has them as a feature section.)
   */
  readonly holderSamples?: { readonly offset: number; readonly bytes: number };
  /**
   * A streamed recording's manifest continued: the file's bytes [offset, offset + bytes),
   * HEADER_FEATURE records of MANIFEST_REST_FEATURE after perf's last record, whose contents joined
   * are a u32 length and that many deflated bytes of a JSON object whose fields (`threadNames`,
   * `gilAtAttach`) belong to this manifest.
   */
  readonly manifestRest?: { readonly offset: number; readonly bytes: number };
  /**
   * Threads of the attached processes asleep waiting for a GIL, or holding one, when giltrace
   * attached (read from outside, as the sampled mode reads): their wait or hold began before the
   * probes, so no take_gil entry says it; the recording has them so from its start when no event
   * of theirs came before the look. And the others' stacks: where their first wait asks for the GIL.
   */
  readonly gilAtAttach?: readonly GilAtAttach[];
  readonly interpreters: readonly RecordedInterpreter[];
  readonly extraRecordings?: readonly ExtraRecording[];
}
