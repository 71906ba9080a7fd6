/**
 * `record --sample` / `run --sample`: the sampled mode's request from the command line. No
 * probes, so no root needed: reading a process's memory needs only the right to ptrace it.
 */
import { statSync } from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import type { AttachedProcess } from '../../contract/recording-manifest.js';
import { readRunningProcess } from '../../probe/running-process.js';
import { sampleTarget, type SampleResult } from '../../record/sample-target.js';
import { DEFAULT_SAMPLER_CPU_PERCENT } from '../../contract/sampled-recording.js';

export interface SampleCliOptions {
  readonly sample: number;
  /** The most of one CPU the sampler's thread may use, percent (--sample-cpu). */
  readonly sampleCpu?: number;
  readonly pid?: readonly number[];
  readonly duration?: number;
  readonly python?: readonly string[];
  readonly compress?: boolean;
}

export interface Sampled {
  readonly command: readonly string[];
  readonly result: SampleResult;
}

/** What a live view (top --sample) adds: its stop, a call once sampling began, and where the end's messages go (default: stderr). */
export interface SampleHooks {
  readonly stop?: AbortSignal;
  readonly onSampling?: () => void;
  readonly say?: (line: string) => void;
}

export async function sampleToFile(command: readonly string[], options: SampleCliOptions & { data: string }, hooks: SampleHooks = {}): Promise<Sampled> {
  const attaching = (options.pid ?? []).length > 0;
  if (attaching && command.length > 0) throw new GiltraceError('give either a command to run or -p PID to attach to, not both');
  if (!attaching && command.length === 0) throw new GiltraceError('nothing to sample: give a command (giltrace record --sample -- python3 app.py) or -p PID');
  if (!attaching && options.duration !== undefined) throw new GiltraceError('--duration is for attaching (-p PID): a command is sampled until it ends');
  if ((options.python ?? []).length > 0) throw new GiltraceError('--python is for exact tracing: --sample finds every Python of the command by itself');
  if (options.compress) throw new GiltraceError('--compress is for exact tracing: a sampled recording is small already');
  const processes: AttachedProcess[] = attaching
    ? options.pid!.map((pid) => {
        const p = readRunningProcess(pid);
        return { pid, command: p.argv };
      })
    : [];
  const sayAttached = () => {
    const what = processes.map((p) => `${p.pid} (${p.command.join(' ').slice(0, 60)})`).join(', ');
    const until = options.duration !== undefined ? `for ${options.duration} s` : 'until Ctrl-C or until it exits';
    console.error(`giltrace: sampling ${what} ${options.sample} times a second; ${until}`);
  };
  const result = await sampleTarget({
    onSampling: () => {
      if (attaching) sayAttached();
      hooks.onSampling?.();
    },
    ...(hooks.stop ? { stop: hooks.stop } : {}),
    command: attaching ? processes[0].command : command,
    ...(attaching ? { attach: { processes, ...(options.duration !== undefined ? { durationMs: options.duration * 1000 } : {}) } } : {}),
    hz: options.sample,
    cpuBudget: (options.sampleCpu ?? DEFAULT_SAMPLER_CPU_PERCENT) / 100,
    output: options.data,
  });
  const say = hooks.say ?? ((line: string) => console.error(line));
  for (const { pid, why } of result.notSampled) say(`giltrace: not sampled: process ${pid}: ${why}`);
  if (result.sampled.length === 0 && result.notSampled.length === 0) say('giltrace: warning: no Python process was seen while sampling (did it start and end within a tick?)');
  return { command: attaching ? processes[0].command : command, result };
}

export async function sampleCommand(command: readonly string[], options: SampleCliOptions & { data: string }): Promise<number> {
  const { result } = await sampleToFile(command, options);
  const size = (statSync(options.data).size / 1e6).toFixed(1);
  console.error(`giltrace: wrote ${options.data} (${size} MB, ${result.ticks} ticks); see it with: giltrace stats ${options.data}`);
  return result.exitCode;
}
