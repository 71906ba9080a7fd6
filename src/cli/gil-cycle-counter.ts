/**
 * Counts GIL cycles (take_gil entries of giltrace's probes) in perf's streamed output, for the
 * first-second check of an attached recording: how busy the GIL is, hence what exact tracing
 * costs the process. Only decodes; builds no timeline.
 */
import { gilRoleOf } from '../model/probe-namings.js';
import { createPerfFeed, type PerfFeed } from '../perfdata/index.js';

export class GilCycleCounter {
  private readonly feed: PerfFeed = createPerfFeed({ name: '<perf>' });
  private cycles = 0;
  private failed = false;
  /** By EventType.index: is it a take_gil entry probe. */
  private readonly takes: boolean[] = [];

  push(chunk: Uint8Array): void {
    if (!this.failed) this.feed.push(chunk);
  }

  /** GIL cycles in what perf handed over so far; undefined if the stream could not be read. */
  count(): number | undefined {
    if (this.failed) return undefined;
    try {
      if (this.feed.ready) {
        for (const record of this.feed.available()) {
          if (record.type !== 'sample') continue;
          const index = record.event.index;
          this.takes[index] ??= gilRoleOf(record.event.name) === 'take';
          if (this.takes[index]) this.cycles++;
        }
      }
      return this.cycles;
    } catch {
      this.failed = true; // a check, not the recording: the file is kept whatever happens here
      return undefined;
    }
  }
}
