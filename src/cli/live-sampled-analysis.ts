/**
 * `giltrace top --sample`'s pipeline: the sampled recording is read as the sampler writes it
 * (it flushes its lines every 200 ms), each tick takes the events that can no longer move
 * (model/sampled-recording.ts: a change is placed up to the time since its thread's previous
 * look before the tick that saw it), snapshots the window since the last tick and adds its
 * numbers to the totals, as the exact live view does (live-analysis.ts). The builder forgets
 * what is before the window: memory and work per tick follow the window, not the whole run.
 */
import { computeStats } from '../analysis/index.js';
import { TimelineBuilder } from '../model/build-timeline.js';
import { parseSampledHeader, SampledRecordingReader } from '../model/sampled-recording.js';
import { sampledProcessMeta } from './analyze-sampled-recording.js';
import { AppendedLines } from '../record/appended-lines.js';
import { holdersAtEnd, LiveTotals, type LiveTick } from './live-totals.js';

export class LiveSampledAnalysis {
  private readonly lines: AppendedLines;
  /** The header's two lines, until both came. */
  private headerLines: string[] = [];
  private lineNumber = 0;
  private reader: SampledRecordingReader | undefined;
  private readonly builder = new TimelineBuilder();
  private readonly totals = new LiveTotals();
  private windowStart = NaN;
  /** The sampler's CPU time (ns) and the time it was told at, at the last tick (it counts from t = 0). */
  private costBefore = { cpuNs: 0, at: 0 };

  constructor(private readonly path: string) {
    // as stats reads a sampled recording (analyze-sampled-recording.ts)
    this.lines = new AppendedLines(path, 'latin1');
  }

  /**
   * Reads what the sampler wrote, and returns the window since the last tick (undefined before
   * any thread was seen); `final`: the recording is complete, the window goes to its end.
   */
  tick(final = false): LiveTick | undefined {
    this.readNew();
    const reader = this.reader;
    if (!reader) return undefined;
    // what a later tick can still move stays out of this window
    const end = final ? reader.latestTime : reader.latestTime - reader.settleNs;
    const finished = final ? reader.finish() : undefined;
    for (const event of finished ? finished.events : reader.takeEvents(end)) this.builder.add(event);
    const first = this.builder.firstTime;
    if (!(first === first) || !(end > first)) return undefined;
    const from = this.windowStart === this.windowStart ? this.windowStart : first;
    if (!(end > from)) return undefined;
    const facts = reader.facts;
    const timeline = this.builder.snapshot({ from, end, stacks: facts.stacks, timeBaseNs: BigInt(facts.header.timeBaseNs) });
    // the rate ticks are due at now (lowered where the sampler kept within its CPU budget)
    const hz = Math.round(reader.tickHz);
    const window = computeStats(timeline, {
      events: reader.eventsMade,
      warnings: [],
      cpus: facts.header.cpus,
      sampling: { hz, ticks: Math.round(((end - from) * hz) / 1e9), lateTicks: 0, spanNs: end - from },
      processes: sampledProcessMeta(facts),
    }, finished ? finished.holderSamples : reader.takeHolderSamples(end));
    this.builder.forgetBefore(end);
    this.windowStart = end;
    this.totals.add(window);
    // what sampling cost since the last tick (the sampler tells its CPU time with each batch of lines)
    const cost = facts.samplerCpuNs !== undefined ? { cpuNs: facts.samplerCpuNs, at: facts.endTime } : undefined;
    const before = this.costBefore;
    const samplerShare = cost && cost.at > before.at ? (cost.cpuNs - before.cpuNs) / (cost.at - before.at) : undefined;
    if (cost && cost.at > before.at) this.costBefore = cost;
    return {
      window,
      windowNs: end - from,
      elapsedNs: end - first,
      threads: this.totals.threads,
      functions: this.totals.functions,
      holders: holdersAtEnd(timeline),
      lostEvents: 0,
      sampledHz: hz,
      ...(samplerShare !== undefined ? { samplerShare } : {}),
    };
  }

  close(): void {
    this.lines.close();
  }

  /** The lines written since the last read, each ended one to the reader. */
  private readNew(): void {
    for (const line of this.lines.read()) {
      this.lineNumber++;
      if (this.reader) this.reader.line(line, this.lineNumber);
      else if (this.headerLines.push(line) === 2) this.reader = new SampledRecordingReader(parseSampledHeader(this.headerLines, this.path), this.path);
    }
  }
}
