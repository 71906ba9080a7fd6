/**
 * The `perf record` command line giltrace uses. System-wide (-a) because per-task recording
 * misses the switch-ins and wake-ups of other tasks that explain why a thread waited; the
 * traced process tree is picked out later. CLOCK_MONOTONIC so times equal Python's
 * time.monotonic() and VizTracer's timestamps.
 */

/** Scheduler tracepoints the model needs (fork/exec/exit also arrive as perf task records). */
export const SCHED_EVENTS = [
  'sched:sched_switch',
  'sched:sched_waking',
  'sched:sched_process_fork',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
] as const;

export interface PerfRecordArgs {
  readonly output: string;
  readonly probeEvents: readonly string[];
  /** Per-CPU ring buffer, perf's -m syntax (e.g. '16M'). Large enough that bursts lose nothing. */
  readonly bufferSize: string;
  readonly compress: boolean;
  /** File descriptors (in perf's process) of the control and ack channels; none: perf records from its start. */
  readonly controlFd?: number;
  readonly ackFd?: number;
  /** Record the scheduler tracepoints too (default); an extra recorder of late probes leaves them to the main one. */
  readonly schedEvents?: boolean;
}

export function perfRecordArgs(options: PerfRecordArgs): string[] {
  // -N -B: no build-id cache and no build-ids at all: perf would copy every library it saw into
  // ~/.debug, and to find them it reads the whole recording again when it stops. giltrace's own
  // manifest says what the reader needs of the traced interpreter.
  // --no-bpf-event: perf spends most of a second synthesizing BPF program events at start
  // (0.47 s for `perf record -a -- true` here, 1.13 s with them); giltrace reads none.
  const args = ['record', '-a', '-k', 'CLOCK_MONOTONIC', '-N', '-B', '--no-bpf-event', '-m', options.bufferSize];
  for (const event of [...options.probeEvents, ...(options.schedEvents === false ? [] : SCHED_EVENTS)]) args.push('-e', event);
  // Start with events disabled; giltrace enables them over the control channel and starts the
  // target only after perf acknowledged, so nothing the target does is missed.
  if (options.controlFd !== undefined) args.push('-D', '-1', '--control', `fd:${options.controlFd},${options.ackFd ?? options.controlFd}`);
  if (options.compress) args.push('-z');
  args.push('-o', options.output);
  return args;
}
