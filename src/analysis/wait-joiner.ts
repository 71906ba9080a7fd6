/**
 * A thread's waits put together across the windows of a recording: a wait that crosses a cut
 * comes in parts (ThreadTimeline.window says which), carried over here and handed on once, whole,
 * when its last part comes; a whole timeline's waits are handed on as they are.
 */
import type { ThreadTimeline } from '../model/timeline.js';

export class WaitJoiner {
  /** The parts so far of a wait that goes on in the next window. */
  private open: number | undefined = undefined;

  /**
   * Each whole wait that ends in this window, in order: its length, and its index in the
   * window's wait lists (its start's stack). `last`: the recording's last window (a wait still
   * open ends in it).
   */
  add(thread: ThreadTimeline, last: boolean, each: (length: number, i: number) => void): void {
    const n = thread.waits.length;
    const window = thread.window;
    for (let i = 0; i < n; i++) {
      let length = thread.waits[i];
      if (i === 0 && window?.waitContinues && this.open !== undefined) {
        length += this.open;
        this.open = undefined;
      }
      if (i === n - 1 && window?.waitOpen && !last) {
        this.open = length;
        continue;
      }
      each(length, i);
    }
  }
}
