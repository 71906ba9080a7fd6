/**
 * The sampled mode's function context: the Python stack of a thread, read from its process's
 * memory (tstate → current frame → code object → name / file / first line, and the callers'
 * names), with the offsets exact tracing uses for its probes (probe/frame-layout.ts), and the
 * line the innermost frame runs (its instruction, through its code object's line table). What a
 * code object is called, and its line table, are read once and kept: code objects live as long
 * as their function.
 */
import { isGiltraceHookFile, NOT_PYTHON_FRAMES } from '../contract/python-frames.js';
import { decodePyStrBytes } from '../contract/python-str.js';
import { frameLayoutFor, nameBytesLayout, type FrameLayout } from '../probe/frame-layout.js';
import { lineRanges } from '../probe/line-table.js';
import { lineOfInstruction, type InstructionLines } from '../contract/line-ranges.js';
import { readUpTo, u64At, type ProcessMemory } from '../probe/process-memory.js';
import type { NameBytesLayout } from '../contract/recording-manifest.js';

export interface SampledStack {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** Callers' names, innermost first. */
  readonly callers: readonly string[];
  /** The line the innermost frame runs (0: not known: its line table or instruction could not be read, or it has not begun). */
  readonly at: number;
  /** The innermost code object's lines by instruction, when its line table could be read (the same object for every stack of that code object). */
  readonly lines?: InstructionLines;
}

/**
 * A thread read as running no Python code (its current frame is null: it starts, ends, or was
 * made by C code): an empty name and file, which the recording's readers take for the
 * `<no Python frame>` exact tracing names such a moment (model/python-stacks.ts).
 */
export const NO_PYTHON_FRAME: SampledStack = { name: '', file: '', line: 0, callers: [], at: 0 };

/** Frames read: the innermost and two callers, as exact tracing's default --stack-depth. */
const DEPTH = 3;
/** giltrace's hook frames (isGiltraceHookFile) passed over at most, on top of DEPTH. */
const HOOK_FRAMES = 4;
/** Bytes of a name copied from its str's state byte on, and of a file name (as C strings are). */
const NAME_BYTES = 64;
const FILE_BYTES = 256;
const STR_STATE = 32;
/**
 * The longest line table read (bytes). The tables of real functions are far shorter (a
 * function of a few hundred lines: ~1-3 KB from 3.11); a longer one is read this far, and an
 * instruction past it has no line.
 */
const MAX_LINE_TABLE = 64 * 1024;
/** Where a bytes object keeps its size and its bytes (PyVarObject's ob_size; ob_sval after ob_shash). */
const BYTES_SIZE = 16;
const BYTES_DATA = 32;
/** Memory pages: the innermost frame is read with the rest of its page before it (see stackOf). */
const PAGE_BYTES = 4096;
/** Frames walked at most to find where a thread began (entryOf). */
const MAX_ENTRY_DEPTH = 256;
/** Code objects whose names are kept; past it the cache starts afresh. */
const MAX_CODES = 100_000;
/**
 * A code object that could not be read is tried again after this many lookups: a read that
 * failed once (the object being set up, a read that raced the process) must not hide a function
 * for the rest of the run, and a pointer that is no code object (3.13's entry frames) is not read
 * again at every tick either.
 */
const RETRY_AFTER_LOOKUPS = 1000;
/**
 * A known code object's name and file pointers are read again (to see it is still the code
 * object that was read there) once this many lookups have passed since they last were, not at
 * each: one read per frame was 1.6 of the 15.5 reads a tick beside 100 threads (12-06). A code
 * object lives as long as its function; one freed and another made at its address within that
 * while (code made at run time: exec, eval) is named as the old one for that long at most.
 */
const RECHECK_AFTER_LOOKUPS = 64;

interface CodeInfo {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** The code object's name and file pointers when it was read: a code object freed and another made at its address differ there. */
  readonly namePtr: number;
  /** The first 8 bytes where a compact ASCII str keeps its text, of its name, in hex (as a drop probe reads them: FrameField.codeName). */
  readonly nameTag: string;
  readonly filePtr: number;
  /** The lookup (PythonStackReader.lookups) at which those were last found as read. */
  checkedAt: number;
  /** Its lines by instruction (its line table decoded, probe/line-table.ts), read when it is first asked for a line; null: it could not be read. */
  lines?: InstructionLines | null;
}

export class PythonStackReader {
  private readonly layout: FrameLayout;
  private readonly strings: NameBytesLayout;
  /** Code objects read, or the lookup count at which one could not be. */
  private readonly codes = new Map<number, CodeInfo | number>();
  private lookups = 0;
  private readonly nameBuffer = Buffer.alloc(NAME_BYTES);
  /** The page the last frame read lies in, up to that frame's end (frameAt): where it begins in the process, and how many of its bytes are held. */
  private readonly pageBuffer: Buffer;
  private pageStart = 0;
  private pageBytes = 0;
  /** Bytes of a frame to read: up to the later of its code and previous pointers. */
  private readonly frameSpan: number;
  private readonly fileBuffer = Buffer.alloc(FILE_BYTES);
  private readonly pointerBuffer = Buffer.alloc(64);

  /** undefined when the version has no known frame layout. */
  static forVersion(memory: ProcessMemory, minor: number): PythonStackReader | undefined {
    const layout = frameLayoutFor({ major: 3, minor });
    return layout ? new PythonStackReader(memory, layout) : undefined;
  }

  private constructor(private readonly memory: ProcessMemory, layout: FrameLayout) {
    this.layout = layout;
    this.strings = nameBytesLayout(layout);
    const { instruction, instructionKind } = layout.lines;
    this.frameSpan = Math.max(layout.code + 8, layout.previous + 8, instruction + (instructionKind === 'pointer' ? 8 : 4));
    this.pageBuffer = Buffer.alloc(PAGE_BYTES + this.frameSpan);
  }

  /** The stack of the thread whose PyThreadState is at `tstate`: NO_PYTHON_FRAME when it has none; undefined when it cannot be read. */
  stackOf(tstate: number): SampledStack | undefined {
    let frame: number | undefined = tstate;
    for (const offset of this.layout.currentFrame) frame = frame ? this.memory.readU64(frame + offset) : frame;
    if (frame === 0) return NO_PYTHON_FRAME;
    if (!frame) return undefined;
    this.forgetPage();
    const infos: CodeInfo[] = [];
    let at = 0;
    let lines: InstructionLines | undefined;
    for (let k = 0; infos.length < DEPTH && k < DEPTH + HOOK_FRAMES && frame; k++) {
      const from = this.frameAt(frame);
      if (from === undefined) {
        if (k === 0) return undefined;
        break;
      }
      const bytes = this.pageBuffer;
      const code = u64At(bytes, from + this.layout.code);
      const info = code ? this.codeInfo(code) : undefined;
      if (info && isGiltraceHookFile(info.file)) {
        // giltrace's own: the stack is its caller's
      } else if (info && !NOT_PYTHON_FRAMES.has(info.name)) {
        if (infos.length === 0) {
          lines = this.linesOf(info, code) ?? undefined;
          if (lines) at = lineOfInstruction(lines, this.instructionAt(bytes, from));
        }
        infos.push(info);
      } else if (k === 0) return undefined; // mid-teardown, or not Python (3.13's entry frames)
      frame = u64At(bytes, from + this.layout.previous);
    }
    if (infos.length === 0) return undefined;
    const [leaf, ...callers] = infos;
    return { name: leaf.name, file: leaf.file, line: leaf.line, callers: callers.map((c) => c.name), at, ...(lines ? { lines } : {}) };
  }

  /** frameAt reads afresh from here on. */
  private forgetPage(): void {
    this.pageBytes = 0;
  }

  /**
   * Where frame `frame`'s bytes are in pageBuffer: in the page read last when they are there, else
   * read with the rest of their page before them, in one read. From 3.11 on, frames live on the
   * thread's own frame stack, callers just below their callees, so a stack of a few frames is most
   * often one read rather than one a frame (frame objects before 3.11 lie anywhere: a read a frame
   * mostly). The page is mapped: the frame is in it. undefined when it cannot be read.
   */
  private frameAt(frame: number): number | undefined {
    const from = frame - this.pageStart;
    if (from >= 0 && from + this.frameSpan <= this.pageBytes) return from;
    this.pageStart = frame - (frame % PAGE_BYTES);
    this.pageBytes = frame + this.frameSpan - this.pageStart;
    if (this.memory.readInto(this.pageStart, this.pageBuffer, this.pageBytes)) return frame - this.pageStart;
    this.pageBytes = 0;
    return undefined;
  }

  /**
   * The code object at `code` as a stack of one frame (name, file, first line, and its lines by
   * instruction when its line table can be read), its co_filename pointer and its name's first
   * bytes: what a drop probe's code address names (record/drop-codes.ts). `recheck`: see first that a code object read there before is still
   * the one there. undefined when it cannot be read.
   */
  codeAt(code: number, recheck = false): { readonly stack: SampledStack; readonly filePtr: number; readonly nameTag: string } | undefined {
    const info = this.codeInfo(code, recheck);
    // (no file: read as the object was made or freed; a sample takes that, a drop's name must not)
    if (!info || info.file === '') return undefined;
    const lines = this.linesOf(info, code) ?? undefined;
    return { stack: { name: info.name, file: info.file, line: info.line, callers: [], at: 0, ...(lines ? { lines } : {}) }, filePtr: info.filePtr, nameTag: info.nameTag };
  }

  /** Code object `code`'s lines by instruction: its line table, read and decoded once; null when it cannot be read. */
  private linesOf(info: CodeInfo, code: number): InstructionLines | null {
    if (info.lines !== undefined) return info.lines;
    const { instructionKind, codeUnits, lineTable, lineTableFormat } = this.layout.lines;
    const table = this.bytesObject(this.memory.readU64(code + lineTable));
    if (!table) return (info.lines = null);
    const base = instructionKind === 'pointer' ? code + codeUnits : 0;
    return (info.lines = { base, scale: instructionKind === 'units' ? 2 : 1, ranges: lineRanges(lineTableFormat, table, info.line) });
  }

  /** The instruction field of a frame (its bytes at `from` in `bytes`), as the probes read it. */
  private instructionAt(bytes: Buffer, from: number): number {
    const { instruction, instructionKind } = this.layout.lines;
    return instructionKind === 'pointer' ? u64At(bytes, from + instruction) : bytes.readInt32LE(from + instruction);
  }

  /** A bytes object's bytes (up to MAX_LINE_TABLE); null when it cannot be read. */
  private bytesObject(address: number | undefined): Uint8Array | null {
    const size = address ? this.memory.readU64(address + BYTES_SIZE) : undefined;
    if (size === undefined || size > Number.MAX_SAFE_INTEGER) return null;
    const bytes = Buffer.alloc(Math.min(size, MAX_LINE_TABLE));
    return this.memory.readInto(address! + BYTES_DATA, bytes) ? bytes : null;
  }

  /**
   * The function a `threading` thread was started to run, from its outermost frames: …, f,
   * Thread.run, Thread._bootstrap_inner, Thread._bootstrap for Thread(target=f); a subclass's own
   * run in place of the last two but one. undefined when the stack is not (yet) so, or deeper
   * than MAX_ENTRY_DEPTH frames.
   */
  entryOf(tstate: number): string | undefined {
    let frame: number | undefined = tstate;
    for (const offset of this.layout.currentFrame) frame = frame ? this.memory.readU64(frame + offset) : undefined;
    const infos: CodeInfo[] = [];
    /** Where each of `infos` was read: its frame, and the frame's code and previous pointers. */
    const seen: { frame: number; code: number; previous: number }[] = [];
    this.forgetPage();
    for (let k = 0; frame && k < MAX_ENTRY_DEPTH; k++) {
      const from = this.frameAt(frame);
      if (from === undefined) return undefined;
      const code = u64At(this.pageBuffer, from + this.layout.code);
      const previous = u64At(this.pageBuffer, from + this.layout.previous);
      const info = code ? this.codeInfo(code) : undefined;
      if (info && !NOT_PYTHON_FRAMES.has(info.name)) {
        infos.push(info);
        seen.push({ frame, code, previous });
      }
      frame = previous;
    }
    if (frame) return undefined;
    // innermost first: the thread's own frames are those inside _bootstrap_inner's
    const inner = infos.findIndex((f) => /(^|\.)_bootstrap_inner$/.test(f.name) && f.file.endsWith('threading.py'));
    const run = infos[inner - 1];
    if (inner < 1 || !/(^|\.)run$/.test(run.name)) return undefined;
    const entry = run.file.endsWith('threading.py') ? inner - 2 : inner - 1; // (a Thread subclass's run)
    if (entry < 0) return undefined;
    // The frames are read one page after another while the thread runs: one just started, calling
    // its target, may have returned from the frame read first and pushed Thread.run where its
    // caller was (a thread per request named after _maintain_shutdown_locks, Condition.notify_all
    // or Thread.daemon, 8 in 260). The entry's and run's frames read again must be as they were.
    this.forgetPage();
    for (let i = entry; i < inner; i++) {
      const from = this.frameAt(seen[i].frame);
      if (from === undefined) return undefined;
      if (u64At(this.pageBuffer, from + this.layout.code) !== seen[i].code || u64At(this.pageBuffer, from + this.layout.previous) !== seen[i].previous) return undefined;
    }
    return infos[entry].name;
  }

  /**
   * What a code object is called. Kept by its address, and checked at each lookup against its
   * name and file pointers (one read): code objects do not all live as long as the process (a
   * module's, once imported; a function defined in a loop), and another one made at the same
   * address was named as the one before it (the workers of a 3.8 program sampled as running
   * site.py's `<module>`, now and then).
   */
  private codeInfo(code: number, recheck = false): CodeInfo | undefined {
    const lookup = ++this.lookups;
    const known = this.codes.get(code);
    if (typeof known === 'object') {
      if (!recheck && lookup - known.checkedAt < RECHECK_AFTER_LOOKUPS) return known;
      const pointers = this.pointersOf(code);
      if (pointers && pointers.name === known.namePtr && pointers.file === known.filePtr) {
        known.checkedAt = lookup;
        return known;
      }
      this.codes.delete(code);
      return this.lookupCode(code, lookup);
    }
    if (known !== undefined && !recheck && lookup - known < RETRY_AFTER_LOOKUPS) return undefined;
    return this.lookupCode(code, lookup);
  }

  private lookupCode(code: number, lookup: number): CodeInfo | undefined {
    if (this.codes.size >= MAX_CODES) this.codes.clear();
    const info = this.readCode(code);
    this.codes.set(code, info ?? lookup);
    return info;
  }

  /** A code object's name and file pointers, in one read (they lie within a few words of each other). */
  private pointersOf(code: number): { name: number; file: number } | undefined {
    const { name, filename } = this.layout;
    const from = Math.min(name, filename);
    if (!this.memory.readInto(code + from, this.pointerBuffer, Math.max(name, filename) + 8 - from)) return undefined;
    return { name: u64At(this.pointerBuffer, name - from), file: u64At(this.pointerBuffer, filename - from) };
  }

  private readCode(code: number): CodeInfo | undefined {
    const pointers = this.pointersOf(code);
    const line = this.memory.readI32(code + this.layout.firstLine);
    if (!pointers || !pointers.name || !pointers.file || line === undefined) return undefined;
    // (a short name near the end of its mapping: its bytes up to there)
    const got = readUpTo(this.memory, pointers.name + STR_STATE, this.nameBuffer);
    if (got === 0) return undefined;
    this.nameBuffer.fill(0, got);
    const name = decodePyStrBytes(this.nameBuffer, this.strings);
    const file = this.cString(pointers.file + this.layout.asciiData);
    const nameTag = this.nameBuffer.toString('hex', this.strings.asciiData, this.strings.asciiData + 8);
    return name === '' ? undefined : { name, file, line, namePtr: pointers.name, nameTag, filePtr: pointers.file, checkedAt: this.lookups };
  }

  /** An ASCII str's text (file names are read as exact tracing's probes read them). */
  private cString(address: number): string {
    // (a str near the end of its mapping: read up to there; FILE_BYTES at once failed, its code
    // object then had no file and a drop in it no name, 1 run in 3 of a short program here)
    const got = readUpTo(this.memory, address, this.fileBuffer);
    const end = this.fileBuffer.subarray(0, got).indexOf(0);
    return this.fileBuffer.toString('latin1', 0, end < 0 ? got : end);
  }
}
