/**
 * What the code object addresses a drop probe read are (recordings since 12-07): the holder
 * samples' O lines name each one, in its process, with a one-frame stack (its function's name,
 * file and first line), from the moment it was read on. An address can name another code object
 * later (one freed, another made there): each naming holds from its time until the next one; a
 * drop before an address's first naming (read a moment after the drop) takes that first one,
 * unless the drop's file pointer or name bytes say its code object was another.
 */
export class CodeNames {
  private readonly byProcess = new Map<number, Map<number, { times: number[]; stacks: number[]; files: number[]; tags: string[] }>>();
  /** Addresses that name more than one code object over the recording: their drops cannot be cached by address. */
  private renamed = 0;

  /**
   * `growing`: namings still come (a live view's, read as the sampler writes them): an address
   * not named yet may be named later, so a drop left unnamed says nothing of the next ones.
   */
  constructor(readonly options: { readonly growing?: boolean } = {}) {}

  /**
   * Address `code` of process `pid` is the stack `stack` from `t` on (ns on the timeline's clock),
   * its co_filename at `file`, the first bytes of its name's text `tag` (hex).
   */
  add(pid: number, code: number, t: number, stack: number, file: number, tag: string): void {
    let codes = this.byProcess.get(pid);
    if (!codes) this.byProcess.set(pid, (codes = new Map()));
    const named = codes.get(code);
    if (!named) {
      codes.set(code, { times: [t], stacks: [stack], files: [file], tags: [tag] });
      return;
    }
    if (named.times.length === 1) this.renamed++;
    named.times.push(t);
    named.stacks.push(stack);
    named.files.push(file);
    named.tags.push(tag);
  }

  /**
   * The stack naming `code` of process `pid` at `t`; undefined when it was never named. `file`
   * and `tag` (the drop's co_filename pointer and name bytes, when the probe read them): a naming
   * that differs there was of another code object at that address (the drop's was freed before
   * it was read); another naming of the address that agrees is taken then, else none.
   */
  stackAt(pid: number, code: number, t: number, file?: number, tag?: string): number | undefined {
    const named = this.byProcess.get(pid)?.get(code);
    if (!named) return undefined;
    const { times, stacks, files, tags } = named;
    const same = (j: number): boolean => (file === undefined || files[j] === file) && (tag === undefined || tags[j] === tag);
    let i = 0;
    while (i + 1 < times.length && times[i + 1] <= t) i++;
    if (same(i)) return stacks[i];
    let nearest = -1;
    for (let j = 0; j < times.length; j++) {
      if (same(j) && (nearest < 0 || Math.abs(times[j] - t) < Math.abs(times[nearest] - t))) nearest = j;
    }
    return nearest < 0 ? undefined : stacks[nearest];
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
