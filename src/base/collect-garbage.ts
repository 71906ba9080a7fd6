/**
 * A full garbage collection on demand, for the few places that know a large amount of memory has
 * just become garbage and that the next allocations would otherwise come on top of it (V8
 * collects by heap growth; typed arrays' memory lies outside the heap and hardly counts).
 * `gc` is made reachable once through V8's own flag, as `node --expose-gc` would; where a node
 * does not allow that, nothing is collected early (memory, not results, is what changes).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    gc = typeof exposed === 'function' ? (exposed as () => void) : () => undefined;
  }
  gc();
}
