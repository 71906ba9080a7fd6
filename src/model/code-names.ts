/**
 * What the code object addresses a drop probe read are (recordings since 12-07): the holder
 * samples' O lines name each one, in its process, with a one-frame stack (its function's name,
 * file and first line), from the moment it was read on. An address can name another code object
 * later (one freed, another made there): each naming holds from its time until the next one; a
 * drop before an address's first naming (read a moment after the drop) takes that first one.
 */
export class CodeNames {
  private readonly byProcess = new Map<number, Map<number, { times: number[]; stacks: number[] }>>();
  /** Addresses that name more than one code object over the recording: their drops cannot be cached by address. */
  private renamed = 0;

  /** Address `code` of process `pid` is the stack `stack` from `t` on (ns on the timeline's clock). */
  add(pid: number, code: number, t: number, stack: number): void {
    let codes = this.byProcess.get(pid);
    if (!codes) this.byProcess.set(pid, (codes = new Map()));
    const named = codes.get(code);
    if (!named) {
      codes.set(code, { times: [t], stacks: [stack] });
      return;
    }
    if (named.times.length === 1) this.renamed++;
    named.times.push(t);
    named.stacks.push(stack);
  }

  /** The stack naming `code` of process `pid` at `t`; undefined when it was never named. */
  stackAt(pid: number, code: number, t: number): number | undefined {
    const named = this.byProcess.get(pid)?.get(code);
    if (!named) return undefined;
    const { times, stacks } = named;
    let i = 0;
    while (i + 1 < times.length && times[i + 1] <= t) i++;
    return stacks[i];
  }

  /** Whether every address names one code object all along (then a drop's stack follows from its addresses alone). */
  get stable(): boolean {
    return this.renamed === 0;
  }

  get size(): number {
    let n = 0;
    for (const codes of this.byProcess.values()) n += codes.size;
    return n;
  }
}
