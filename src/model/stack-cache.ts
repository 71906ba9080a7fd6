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

// hot path: FNV-1a over the bytes taken four at a time (a quarter of the multiplications of a
// byte-wise loop: a stack's bytes are ~200 per drop), then the tail byte by byte
function hash(bytes: Uint8Array): number {
  const n = bytes.length;
  let h = 0x811c9dc5 ^ n;
  let i = 0;
  for (; i + 4 <= n; i += 4) h = Math.imul(h ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)), 0x01000193);
  for (; i < n; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h ^ (h >>> 16)) >>> 0;
}

// hot path: four bytes a step too, folded into one comparison
function equal(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    if (((a[i] ^ b[i]) | (a[i + 1] ^ b[i + 1]) | (a[i + 2] ^ b[i + 2]) | (a[i + 3] ^ b[i + 3])) !== 0) return false;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
