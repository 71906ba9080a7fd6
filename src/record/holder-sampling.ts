/**
 * An exact recording's holder samples: while perf records, the sampler's thread reads, HOLDER_SAMPLE_HZ
 * times a second, who holds each GIL of the traced processes and the Python stack it runs
 * (gil-sampler.ts `holders`: memory reads only, nothing stopped), and the lines it writes
 * (contract/sampled-recording.ts, `H` lines) go into the recording as a feature section of their
 * own. The probes say exactly where each hold ends; what ran during it they cannot say: a hold
 * that ends in a blocking call (a socket write, a queue's wait) did its work before, in code no
 * probe sees. The samples see it.
 *
 * Best effort, like the attached threads' names: whatever fails here costs the samples (said in
 * a warning), never the recording.
 */
import * as fs from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { DEFAULT_SAMPLER_CPU_PERCENT, HOLDER_SAMPLE_HZ } from '../contract/sampled-recording.js';
import { startSamplerThread, type RunningSampler } from './sampler-thread.js';
import { tempFilePath } from './temp-files.js';
import type { DropCodeSource } from './drop-codes.js';

export class HolderSampling {
  /** `file`: where the sampler's thread appends its lines while it samples (a live view reads them as they come). */
  private constructor(private readonly sampler: RunningSampler, readonly file: string) {}

  /**
   * Starts sampling the trees of `roots` (none yet: the command's, given by setRoot once it
   * runs). Nobody waits for the sampler's thread to be up (~0.1 s, a recording's fixed cost is
   * felt): the first moments of a command may have no samples, and are charged where their holds
   * ended, as without any. `watchFile`: the cleanup watcher's, to remove the samples' file if
   * giltrace is killed. `codes`: the drop probe reads code addresses, which the sampler names as
   * they come (record/drop-codes.ts).
   */
  static start(roots: readonly number[], command: readonly string[], warnings: string[], watchFile: (path: string) => void, codes?: DropCodeSource): HolderSampling | undefined {
    const file = tempFilePath('holders');
    watchFile(file);
    try {
      // made here, empty, so that a live view can open it at once (the sampler's thread only
      // opens it once it runs, and it is removed as the recording ends; live-holder-samples.ts)
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
      const sampler = startSamplerThread({ roots, command, hz: HOLDER_SAMPLE_HZ, cpuBudget: DEFAULT_SAMPLER_CPU_PERCENT / 100, output: file, holders: true, ...(codes ? { codes } : {}) });
      sampler.ready.catch(() => undefined); // said by stop()
      return new HolderSampling(sampler, file);
    } catch (e) {
      warnings.push(`no holder samples: ${(e as Error).message} (function context from the probes alone)`);
      return undefined;
    }
  }

  /**
   * Resolves once the sampler's thread ticks, or after `ms` at the most: a recording whose drops'
   * code addresses it names starts the command only then, else a short program's first code
   * objects (or all of them: a 0.1 s program) are gone before the sampler reads them.
   */
  whenTicking(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([this.sampler.ready.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  setRoot(pid: number): void {
    this.sampler.setRoot(pid);
  }

  /** How many code addresses the drops' naming found new so far. */
  newCodes(): number {
    return this.sampler.newCodes();
  }

  /** Stops sampling: the samples, deflated (undefined, with a warning, when they cannot be had). */
  async stop(warnings: string[]): Promise<Uint8Array | undefined> {
    try {
      const { codesFailure } = await this.sampler.stop();
      if (codesFailure) warnings.push(`the recording could not be read as perf wrote it (${codesFailure}): the places threads let the GIL go are <unknown>`);
      return deflateRawSync(fs.readFileSync(this.file));
    } catch (e) {
      warnings.push(`no holder samples: ${(e as Error).message} (function context from the probes alone)`);
      return undefined;
    } finally {
      fs.rmSync(this.file, { force: true });
    }
  }

  /** Stops sampling and keeps nothing (a recording that failed). */
  discard(): void {
    this.sampler.stop().catch(() => undefined).finally(() => fs.rmSync(this.file, { force: true }));
  }
}
