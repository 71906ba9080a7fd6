import type { MutableFeatures } from './features.js';
import { PushSource } from './push-source.js';
import { PerfReader } from './reader.js';
import { RecordQueue } from './record-queue.js';
import type { EventType, PerfFeed, PerfFeatures, PerfReadStats, PerfRecord } from './types.js';

/**
 * A perf.data stream in pipe form that is fed as it arrives (`perf record -o -` read in a
 * 'data' handler): the bytes go to a PushSource under the same record queue and reader that
 * openPerfData uses, so the records are exactly the ones openPerfData gives for the same bytes.
 * Where a pull source would block, the queue stops ("starved") and goes on after the next push.
 */
export function createPerfFeed(options: { name?: string } = {}): PerfFeed {
  return new Feed(options.name ?? '<pipe>');
}

class Feed implements PerfFeed {
  private readonly source = new PushSource();
  private readonly queue: RecordQueue;
  private readonly reader: PerfReader;
  private readonly released: ReleasedRecords;
  private headerRead = false;
  /** The error the stream failed with: every later available() throws it again. */
  private failure: unknown = undefined;

  constructor(name: string) {
    const features: MutableFeatures = { present: [] };
    this.queue = new RecordQueue({
      path: name, form: 'pipe', source: this.source, attrs: [], formats: new Map(), eventDescs: [], features, unknownFeatures: 0, pipeHeader: true,
    });
    this.reader = new PerfReader(name, 'pipe', this.queue);
    this.released = new ReleasedRecords(this.reader, (err) => { this.failure = err; });
  }

  push(bytes: Uint8Array): void {
    this.source.push(bytes);
    // the header is read as soon as it is there, so that `ready` tells without an available()
    // call; a corrupt one is kept for available() to throw
    if (!this.headerRead && this.failure === undefined) {
      try {
        this.readHeader();
      } catch (err) {
        this.failure = err;
      }
    }
  }

  end(): void {
    this.source.end();
  }

  get ready(): boolean {
    return this.headerRead;
  }

  available(): IterableIterator<PerfRecord> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.headerRead) {
      try {
        this.readHeader();
      } catch (err) {
        this.failure = err;
        throw err;
      }
      if (!this.headerRead) return NOTHING;
    }
    return this.released;
  }

  private readHeader(): void {
    if (!this.queue.readHeader()) return;
    this.headerRead = true;
    this.reader.records(); // rounds release records from now on
  }

  get eventTypes(): readonly EventType[] {
    return this.queue.table.eventTypes;
  }

  get features(): PerfFeatures {
    return this.queue.table.features;
  }

  get stats(): PerfReadStats {
    return this.queue.stats;
  }

  get timeBaseNs(): bigint {
    return this.queue.timeBaseNs;
  }
}

/**
 * What available() hands out: the reader's records until it needs more bytes. Breaking out of a
 * for-of loop early does not close the feed (unlike PerfData.records()): the records not taken
 * come with the next call.
 */
class ReleasedRecords implements IterableIterator<PerfRecord> {
  constructor(private readonly reader: PerfReader, private readonly onFailure: (err: unknown) => void) {}

  next(): IteratorResult<PerfRecord> {
    try {
      return this.reader.next();
    } catch (err) {
      this.onFailure(err);
      throw err;
    }
  }

  return(): IteratorResult<PerfRecord> {
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): IterableIterator<PerfRecord> {
    return this;
  }
}

const NOTHING: IterableIterator<PerfRecord> = {
  next: () => ({ done: true, value: undefined }),
  [Symbol.iterator]() {
    return this;
  },
};
