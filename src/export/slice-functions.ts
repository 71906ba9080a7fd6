/**
 * The Python function a GIL slice of the Chrome and Perfetto traces is labelled with: per step of
 * a thread's GIL track, the stack the function stats charge it to (analysis' gilStepStacks), and
 * per stack the texts the slice's args show. Built once per stack, not per slice.
 */
import { gilStepStacks, hasFunctionContext } from '../analysis/index.js';
import { UNKNOWN_STACK } from '../model/python-stacks.js';
import type { ThreadTimeline, Timeline } from '../model/timeline.js';

export interface SliceFunction {
  /** co_qualname / co_name, or `<no Python frame>`. */
  readonly function: string;
  /** co_filename; '' when there is none (then not shown). */
  readonly file: string;
  /** First line of the def; 0 when not known (then not shown). */
  readonly line: number;
  /** The function and its callers, innermost first: `some_computation <- Thread.run <- ...`. */
  readonly stack: string;
  /**
   * The line the stack was read at, when known: the drop's (a holding slice's end, or where a
   * waiting slice's thread let the GIL go before it).
   */
  readonly dropLine?: number;
}

export class SliceFunctions {
  private readonly labels: (SliceFunction | undefined)[] = [];

  private constructor(private readonly timeline: Pick<Timeline, 'functions' | 'stacks'>) {}

  /** Undefined when the recording read no Python stacks: the slices then carry no function. */
  static of(timeline: Pick<Timeline, 'functions' | 'stacks'>): SliceFunctions | undefined {
    return hasFunctionContext(timeline) ? new SliceFunctions(timeline) : undefined;
  }

  /** Stack id per step of the thread's GIL track (0 = none known). */
  stepStacks(thread: ThreadTimeline): Int32Array {
    return gilStepStacks(thread, this.timeline.stacks);
  }

  /** What a slice in stack `id` shows; undefined for the unknown stack. */
  label(id: number): SliceFunction | undefined {
    if (id === UNKNOWN_STACK || id < 0 || id >= this.timeline.stacks.length) return undefined;
    let label = this.labels[id];
    if (label === undefined) {
      const stack = this.timeline.stacks[id];
      const fn = this.timeline.functions[stack.leaf];
      label = { function: fn.name, file: fn.file, line: fn.line, stack: [fn.name, ...stack.callers].join(' <- '), ...(stack.at ? { dropLine: stack.at } : {}) };
      this.labels[id] = label;
    }
    return label;
  }
}
