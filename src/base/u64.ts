/**
 * The one way giltrace turns a little-endian u64 into a JavaScript number. A number holds every
 * integer below 2^53 exactly; above that it depends on what the value is:
 * - sizes, counts, ids, offsets (`readU64`): a value of 2^53 or more cannot be real, so it reads
 *   as Infinity — every "does it fit" check then fails, every lookup misses, and no rounded value
 *   ever passes for a real one. Callers that must name the fault compare with Infinity.
 * - addresses and other bit patterns (`readU64Rounded`): kernel addresses lie above 2^53 and are rounded by float64, as the
 *   reader's contract says (they are shown, never used as sizes).
 * Both are tiny so that V8 inlines them; the few hot loops that spell the same sum out say why.
 */

export const TWO_POW_32 = 4294967296;
/** The high half of the smallest u64 that a float64 no longer holds exactly (2^53 = 0x200000 << 32). */
const HIGH_OF_2_POW_53 = 0x200000;

/** The u64 at `at` as an exact number, or Infinity when it is 2^53 or more. */
export function readU64(dv: DataView, at: number): number {
  const hi = dv.getUint32(at + 4, true);
  return hi < HIGH_OF_2_POW_53 ? hi * TWO_POW_32 + dv.getUint32(at, true) : Infinity;
}

/** The u64 at `at` as a number, rounded by float64 at 2^53 and above (addresses). */
export function readU64Rounded(dv: DataView, at: number): number {
  return dv.getUint32(at + 4, true) * TWO_POW_32 + dv.getUint32(at, true);
}

/** readU64 of halves read elsewhere. */
export function u64FromHalves(hi: number, lo: number): number {
  return hi < HIGH_OF_2_POW_53 ? hi * TWO_POW_32 + lo : Infinity;
}

/** readU64Rounded of halves read elsewhere; a signed `hi` (int32) gives the signed 64-bit value. */
export function u64RoundedFromHalves(hi: number, lo: number): number {
  return hi * TWO_POW_32 + lo;
}
