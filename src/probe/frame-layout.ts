/**
 * Where a thread's Python call stack lies in memory, per CPython version, and the uprobe fetch
 * arguments that read it inside the kernel when take_gil / drop_gil are hit: the function name,
 * file and first line of each of the innermost frames. Nothing runs in the traced process.
 *
 * The offsets are those of the standard (release, non-debug) x86-64 builds; test
 * frame-layout.test.ts checks every one against the DWARF of the real builds (pyenv 3.6-3.13,
 * Debian's python3.11 with its -dbg symbols) through gdb. A debug build (Py_DEBUG, Py_TRACE_REFS)
 * moves every object field, so it gets no function context.
 *
 * Reading frame k means following k `previous` pointers. Past the bottom of the stack that chain
 * meets NULL and the kernel's read faults: the field comes back empty, but each fault costs about
 * as much as the probe hit itself (~4 µs here), hence callers' names only and a small default
 * depth (bench/tracing-overhead.ts measures it).
 */
import { FrameField } from '../contract/probe-names.js';
import type { NameBytesLayout } from '../contract/recording-manifest.js';
import type { LineTableFormat } from './line-table.js';

export interface FrameLayout {
  /** Offsets from a PyThreadState* to its innermost frame (a chain of loads). */
  readonly currentFrame: readonly number[];
  /** frame → the calling frame (f_back / previous). */
  readonly previous: number;
  /** frame → its code object (f_code / f_executable). */
  readonly code: number;
  /** code object → name: co_qualname from 3.11, co_name before. */
  readonly name: number;
  readonly filename: number;
  readonly firstLine: number;
  /** Where a compact ASCII str keeps its characters (sizeof(PyASCIIObject)). */
  readonly asciiData: number;
  /** Where a compact non-ASCII str keeps its characters (sizeof(PyCompactUnicodeObject)). */
  readonly compactData: number;
  /** Where the frame keeps the instruction it runs, and the code's line table: the line running (LineLayout). */
  readonly lines: LineLayout;
}

/**
 * The line a frame runs, read from memory by the sampler (not by the probes): the frame's
 * instruction (an offset, or from 3.11 a pointer into the code object's own copy of its
 * bytecode) and the code object's line table (a bytes object, probe/line-table.ts).
 */
export interface LineLayout {
  /** frame → f_lasti (int; to 3.10), prev_instr (3.11-3.12) or instr_ptr (3.13; pointers). */
  readonly instruction: number;
  /**
   * What that field holds: `bytes` an offset in bytes (to 3.9), `units` in 2-byte code units
   * (3.10), `pointer` the address of a code unit inside the code object (3.11+).
   */
  readonly instructionKind: 'bytes' | 'units' | 'pointer';
  /** code object → co_code_adaptive, its bytecode (`pointer` only; 0 otherwise). */
  readonly codeUnits: number;
  /** code object → co_lnotab (to 3.9) or co_linetable. */
  readonly lineTable: number;
  readonly lineTableFormat: LineTableFormat;
}

/** The str state bit field (interned, kind, compact, ascii): the same place in every version. */
const STR_STATE = 32;
/**
 * The leaf name is copied raw from its state byte on, 64 bytes. The kernel copies an array one
 * element at a time (one user-memory copy each), so it is fetched as 8 u64s rather than 64 u8s:
 * the same bytes in the sample, and measured here (a thread cycling the GIL through os.read,
 * taskset-pinned, best of 7) the leaf name cost 0.5 µs a drop instead of 1.1 µs.
 */
const NAME_BYTES = 64;
const NAME_WORDS = NAME_BYTES / 8;

/** Where the text lies in the bytes the probe copies of the leaf frame's name. */
export function nameBytesLayout(layout: FrameLayout): NameBytesLayout {
  return { asciiData: layout.asciiData - STR_STATE, compactData: layout.compactData - STR_STATE };
}

const CODE_36 = { name: 104, filename: 96, firstLine: 36 };
const CODE_38 = { name: 112, filename: 104, firstLine: 40 };
const LINES_36 = (instruction: number): LineLayout => ({ instruction, instructionKind: 'bytes', codeUnits: 0, lineTable: 112, lineTableFormat: 'lnotab' });
const LINES_38: LineLayout = { instruction: 104, instructionKind: 'bytes', codeUnits: 0, lineTable: 120, lineTableFormat: 'lnotab' };
const LINES_310: LineLayout = { instruction: 96, instructionKind: 'units', codeUnits: 0, lineTable: 120, lineTableFormat: 'linetable310' };
const LINES_311 = (codeUnits: number): LineLayout => ({ instruction: 56, instructionKind: 'pointer', codeUnits, lineTable: 136, lineTableFormat: 'locations' });
/** PyASCIIObject had a wstr pointer until 3.11. */
const STR_WITH_WSTR = { asciiData: 48, compactData: 72 };
const STR_312 = { asciiData: 40, compactData: 56 };

const LAYOUTS: Readonly<Record<number, FrameLayout>> = {
  // PyFrameObject chain: tstate->frame, f_back, f_code
  6: { currentFrame: [24], previous: 24, code: 32, ...CODE_36, ...STR_WITH_WSTR, lines: LINES_36(120) },
  7: { currentFrame: [24], previous: 24, code: 32, ...CODE_36, ...STR_WITH_WSTR, lines: LINES_36(104) },
  8: { currentFrame: [24], previous: 24, code: 32, ...CODE_38, ...STR_WITH_WSTR, lines: LINES_38 },
  9: { currentFrame: [24], previous: 24, code: 32, ...CODE_38, ...STR_WITH_WSTR, lines: LINES_38 },
  10: { currentFrame: [24], previous: 24, code: 32, ...CODE_38, ...STR_WITH_WSTR, lines: LINES_310 },
  // _PyInterpreterFrame chain: tstate->cframe->current_frame, previous, f_code; co_qualname
  11: { currentFrame: [56, 8], previous: 48, code: 32, name: 128, filename: 112, firstLine: 72, ...STR_WITH_WSTR, lines: LINES_311(184) },
  12: { currentFrame: [56, 0], previous: 8, code: 0, name: 128, filename: 112, firstLine: 68, ...STR_312, lines: LINES_311(192) },
  // tstate->current_frame, previous, f_executable (a code object for Python frames)
  13: { currentFrame: [72], previous: 8, code: 0, name: 128, filename: 112, firstLine: 68, ...STR_312, lines: LINES_311(200) },
};

export function frameLayoutFor(version: { readonly major: number; readonly minor: number }): FrameLayout | undefined {
  return version.major === 3 ? LAYOUTS[version.minor] : undefined;
}

/**
 * The kernel refuses an argument of 62 characters or more (`name=` included, `:type` not;
 * found by trying: "Argument expression is too long"), and every frame deeper adds one
 * `+OFF(...)`: this caps the depth, at 5 to 8 frames depending on the version's offsets.
 */
const MAX_ARGUMENT_LENGTH = 61;

/**
 * Fetch arguments for the stack of the thread whose PyThreadState* the expression `tstate` gives
 * (a register such as `%di`, or a global such as `@+0x656590`): name, file and first line of the
 * innermost frame, then the names of up to depth-1 callers (fewer when the kernel's argument
 * length limit is reached first). One argument per caller: each one past the bottom of the
 * stack is a fault. The innermost name is copied as raw bytes (state byte and text, see
 * nameBytesLayout), whatever its kind; callers' names are read as C strings, which only ASCII
 * names are where the probe reads them. `withInstruction` (drops): also the innermost frame's
 * instruction, so that the line a thread let the GIL go at is known (FrameField.instruction).
 */
export function frameFetchArgs(layout: FrameLayout, tstate: string, depth: number, withInstruction = false): string[] {
  const args: string[] = [];
  let frame = layout.currentFrame.reduce((expr, offset) => `+${offset}(${expr})`, tstate);
  // `:string` reads at the address the last +OFF(...) computes, instead of loading from it
  const text = (field: number, code: string): string => `+${layout.asciiData}(+${field}(${code}))`;
  for (let k = 0; k < depth; k++) {
    if (k > 0) frame = `+${layout.previous}(${frame})`;
    const code = `+${layout.code}(${frame})`;
    if (k === 0) {
      args.push(`${FrameField.name(0)}=+${STR_STATE}(+${layout.name}(${code})):u64[${NAME_WORDS}]`);
      args.push(`${FrameField.file}=${text(layout.filename, code)}:string`, `${FrameField.line}=+${layout.firstLine}(${code}):s32`);
      if (withInstruction) args.push(`${FrameField.instruction}=+${layout.lines.instruction}(${frame}):${layout.lines.instructionKind === 'pointer' ? 'u64' : 's32'}`);
      continue;
    }
    const name = `${FrameField.name(k)}=${text(layout.name, code)}`;
    if (name.length > MAX_ARGUMENT_LENGTH) break;
    args.push(`${name}:string`);
  }
  return args;
}

/**
 * Fetch arguments that read only where the stack's code objects are: frame k's code object
 * address (FrameField.code(k)) for the innermost `depth` frames with its file pointer
 * (FrameField.codeFile(k): which code object it was, should its address be reused), the first
 * bytes of the innermost one's name (FrameField.codeName(0): code compiled in a loop, its file
 * string reused too) and its instruction. What each address is (name, file, lines) the holder sampler reads from the
 * process's memory once per code object (record/drop-codes.ts): ~14 user-memory reads a drop
 * instead of ~36, measured at 1.0 → 0.2 µs a GIL cycle (12-07, pyenv 3.11, 200 k cycles).
 */
export function codeFetchArgs(layout: FrameLayout, tstate: string, depth: number): string[] {
  const args: string[] = [];
  let frame = layout.currentFrame.reduce((expr, offset) => `+${offset}(${expr})`, tstate);
  for (let k = 0; k < depth; k++) {
    if (k > 0) frame = `+${layout.previous}(${frame})`;
    const code = `${FrameField.code(k)}=+${layout.code}(${frame})`;
    const file = `${FrameField.codeFile(k)}=+${layout.filename}(+${layout.code}(${frame}))`;
    if (file.length > MAX_ARGUMENT_LENGTH) break;
    args.push(`${code}:u64`, `${file}:u64`);
    if (k > 0) continue;
    // the innermost frame's name bytes too: it is where the time goes (each argument costs ~0.2 µs a drop here)
    const name = `${FrameField.codeName(k)}=+${layout.asciiData}(+${layout.name}(+${layout.code}(${frame})))`;
    args.push(`${name}:u64`, `${FrameField.instruction}=+${layout.lines.instruction}(${frame}):${layout.lines.instructionKind === 'pointer' ? 'u64' : 's32'}`);
  }
  return args;
}
