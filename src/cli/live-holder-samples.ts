/**
 * An exact live view's holder samples (`giltrace top`): the sampler's thread appends its lines
 * (contract/sampled-recording.ts, H lines) to a file as it goes (record/holder-sampling.ts, every
 * 200 ms); each tick reads what came and hands the window's samples to its stats, so that the
 * live view shares held time among the functions that ran, as `stats` does on the recording
 * (analysis/held-attribution.ts), instead of charging it where holds ended. Its O lines name the
 * drop probe's code addresses, and its D lines say how far into perf's bytes they are named.
 */
import type { SampledHeader } from '../contract/sampled-recording.js';
import type { CodeNames } from '../model/code-names.js';
import { HolderSamplesBuilder, NO_STACK_SAMPLE, readHolderSampleLine, type HolderSamples } from '../model/holder-samples.js';
import type { PythonStacks } from '../model/python-stacks.js';
import { parseSampledHeader } from '../model/sampled-lines.js';
import { AppendedLines } from '../record/appended-lines.js';

export class LiveHolderSamples {
  private readonly lines: AppendedLines;
  private headerLines: string[] = [];
  private header: SampledHeader | undefined;
  private readonly stackIds = new Map<number, number>([[0, NO_STACK_SAMPLE]]);
  /** The samples read and not yet in a window. */
  private samples: HolderSamplesBuilder | undefined;
  /** Lines read before the timeline's time base was known. */
  private backlog: string[] = [];
  private through: number | undefined;
  /** Not holder samples after all (its header): read no more. */
  private broken = false;

  /** `codes`: where the O lines' namings go (the live view's adapter names drops from it). */
  constructor(path: string, private readonly stacks: PythonStacks, private readonly codes: CodeNames) {
    this.lines = new AppendedLines(path, 'latin1');
    // at once (the file is made before the sampler starts): the recording removes it as it ends,
    // maybe before the first tick reads it (a program shorter than the interval, `top --once`:
    // its one tick came after the file was gone, 3 runs in 10, and had no samples nor lines)
    this.lines.open();
  }

  /**
   * Reads the lines written since the last call; `timeBaseNs`: the timeline's time 0 (absolute
   * ns), once known (before, lines are kept, and only the D lines read).
   */
  read(timeBaseNs: bigint | undefined): void {
    if (this.broken) return;
    let lines: string[];
    try {
      lines = this.lines.read();
    } catch {
      return; // samples are worth no risk to the view: without them, holds are charged where they ended
    }
    for (const line of lines) if (line[0] === 'D') this.through = Number(line.slice(2));
    if (timeBaseNs === undefined) {
      this.backlog.push(...lines);
      return;
    }
    if (this.backlog.length > 0) lines = [...this.backlog.splice(0), ...lines];
    let i = 0;
    if (!this.header) {
      while (this.headerLines.length < 2 && i < lines.length) this.headerLines.push(lines[i++]);
      if (this.headerLines.length < 2) return;
      try {
        this.header = parseSampledHeader(this.headerLines, 'holder samples');
        this.samples = new HolderSamplesBuilder(this.header.hz, this.codes);
      } catch {
        this.broken = true;
        this.lines.close();
        return;
      }
    }
    // exact in doubles: the offset between the two time bases is small next to 2^53 ns
    const shift = Number(BigInt(this.header.timeBaseNs) - timeBaseNs);
    for (; i < lines.length; i++) readHolderSampleLine(lines[i], shift, this.stacks, this.stackIds, this.samples!);
  }

  /**
   * How far into the recording the drops' code addresses are named (D lines): undefined before
   * any, -1 when the naming stopped (or these are no holder samples: nothing to wait for).
   */
  get namedThrough(): number | undefined {
    return this.broken ? -1 : this.through;
  }

  /** The latest tick read (ns after the timeline's time base); -Infinity before any. */
  get latest(): number {
    return this.samples?.latest ?? -Infinity;
  }

  /** The samples taken up to `end` not given before (undefined before the header came): a window's. */
  take(end: number): HolderSamples | undefined {
    return this.samples?.take(end);
  }

  close(): void {
    this.lines.close();
  }
}
