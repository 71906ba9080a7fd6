/**
 * Stack ids by the raw bytes a drop probe recorded of the stack: the same stack gives the same
 * bytes (names, file, line and where the strings lie in the payload), so a hash and one
 * comparison replace decoding half a dozen strings per drop, which showed in profiles of big
 * recordings. A miss decodes as before and remembers the bytes.
 */
export class StackCache {
  private readonly byHash = new Map<number, { bytes: Uint8Array; id: number }[]>();

  /** The stack id these bytes were remembered with, or undefined. */
  find(bytes: Uint8Array): number | undefined {
    const candidates = this.byHash.get(hash(bytes));
    if (candidates === undefined) return undefined;
    for (const c of candidates) if (equal(c.bytes, bytes)) return c.id;
    return undefined;
  }

  remember(bytes: Uint8Array, id: number): void {
    const key = hash(bytes);
    let candidates = this.byHash.get(key);
    if (candidates === undefined) this.byHash.set(key, (candidates = []));
    candidates.push({ bytes: bytes.slice(), id });
  }
}

// hot path: FNV-1a over the bytes, in 32-bit integer arithmetic
function hash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
