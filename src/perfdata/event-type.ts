import type { EventType, TracepointField } from './types.js';

/** EventType with a name → field map; one per attr, shared by all its samples. */
export class EventTypeImpl implements EventType {
  private readonly byName = new Map<string, TracepointField>();
  /** Bytes every payload of this tracepoint must have: the end of its last field. */
  readonly minRawSize: number;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly system: string,
    readonly tracepoint: string,
    readonly fields: readonly TracepointField[],
  ) {
    let min = 0;
    for (const f of fields) {
      this.byName.set(f.name, f);
      min = Math.max(min, f.offset + f.size);
    }
    this.minRawSize = min;
  }

  field(name: string): TracepointField | undefined {
    return this.byName.get(name);
  }
}
