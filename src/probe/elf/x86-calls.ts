/**
 * The few x86-64 encodings giltrace needs, in one place: calls and branches with a rel32
 * displacement (to see what a function reaches), and the calls that can stand just before a
 * return address (to tell a return address on a stack copy from other numbers). x86-64 only,
 * and deliberately crude: no instruction decoding, only byte patterns; callers say why that is
 * enough for them.
 */

const CALL_REL32 = 0xe8;
const JMP_REL32 = 0xe9;
const TWO_BYTE_ESCAPE = 0x0f;
/** 0F 80..8F: Jcc rel32. */
const JCC_REL32_FIRST = 0x80;
const JCC_REL32_LAST = 0x8f;
/** FF /2: call r/m64 (the ModRM reg field is 2). */
const INDIRECT = 0xff;
const MODRM_REG_CALL = 2;
/** The longest indirect call with prefixes and displacements is 7 bytes; `call rel32` is 5. */
export const LONGEST_CALL = 7;
const REL32_CALL_LENGTH = 5;

/** Targets of every rel32 call/jump encoding in the bytes of a function starting at `vaddr`. */
export function branchTargets(code: Uint8Array, vaddr: number): number[] {
  const out: number[] = [];
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  for (let i = 0; i + 5 <= code.length; i++) {
    const op = code[i];
    if (op === CALL_REL32 || op === JMP_REL32) {
      out.push(vaddr + i + 5 + view.getInt32(i + 1, true));
    } else if (op === TWO_BYTE_ESCAPE && i + 6 <= code.length && code[i + 1] >= JCC_REL32_FIRST && code[i + 1] <= JCC_REL32_LAST) {
      out.push(vaddr + i + 6 + view.getInt32(i + 2, true));
    }
  }
  return out;
}

/**
 * Could these LONGEST_CALL bytes, the ones just before an address, end with a call? A return
 * address always follows one: `call rel32`, or `call r/m64` of 2 to 7 bytes.
 */
export function endsWithCall(before: Uint8Array): boolean {
  if (before.length !== LONGEST_CALL) throw new RangeError(`endsWithCall takes the ${LONGEST_CALL} bytes before an address`);
  if (before[LONGEST_CALL - REL32_CALL_LENGTH] === CALL_REL32) return true;
  for (let length = 2; length <= LONGEST_CALL; length++) {
    const at = LONGEST_CALL - length;
    if (before[at] === INDIRECT && ((before[at + 1] >> 3) & 7) === MODRM_REG_CALL) return true;
  }
  return false;
}
