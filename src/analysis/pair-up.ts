/**
 * Pairs the items of two lists by keys tried in turn (the strictest first), keeping A's order and
 * putting B's unmatched items last. The one matcher behind `giltrace diff`'s processes, thread
 * rows and functions, so all three treat "only in A / only in B" the same way.
 */

export interface Pair<T> {
  readonly a?: T;
  readonly b?: T;
  /** Index of the key that matched the pair; undefined for an item of one run only. */
  readonly pass?: number;
}

export interface KeyPass<T> {
  /** undefined: this item takes no part in this pass. */
  readonly key: (item: T) => string | undefined;
  /** Match only keys that occur once on each side (a looser key must not guess between candidates). */
  readonly unique?: boolean;
}

export function pairUp<T>(as: readonly T[], bs: readonly T[], passes: readonly KeyPass<T>[]): Pair<T>[] {
  const partnerOfA = new Map<number, number>();
  const passOfA = new Map<number, number>();
  const takenB = new Set<number>();
  passes.forEach((pass, passIndex) => {
    const freeA = as.map((_, i) => i).filter((i) => !partnerOfA.has(i));
    const freeB = bs.map((_, i) => i).filter((i) => !takenB.has(i));
    const bByKey = indexByKey(freeB, (i) => pass.key(bs[i]));
    const aCount = indexByKey(freeA, (i) => pass.key(as[i]));
    for (const i of freeA) {
      const key = pass.key(as[i]);
      if (key === undefined) continue;
      const candidates = bByKey.get(key)?.filter((j) => !takenB.has(j));
      if (!candidates?.length) continue;
      if (pass.unique && (candidates.length > 1 || aCount.get(key)!.length > 1)) continue;
      partnerOfA.set(i, candidates[0]);
      passOfA.set(i, passIndex);
      takenB.add(candidates[0]);
    }
  });
  const pairs: Pair<T>[] = as.map((a, i) => {
    const j = partnerOfA.get(i);
    return j === undefined ? { a } : { a, b: bs[j], pass: passOfA.get(i) };
  });
  bs.forEach((b, j) => {
    if (!takenB.has(j)) pairs.push({ b });
  });
  return pairs;
}

function indexByKey(indexes: readonly number[], key: (index: number) => string | undefined): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const index of indexes) {
    const k = key(index);
    if (k === undefined) continue;
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(index);
  }
  return byKey;
}
