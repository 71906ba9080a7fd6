/**
 * The Python stacks seen at GIL events, interned: every take and drop names a stack id instead of
 * carrying strings, so the timeline stays compact and a function is compared by number.
 *
 * A stack is its innermost function (name, file, first line: what the probes read of the
 * innermost frame) and the names of its callers, innermost first. Stack 0 means "not known" (a
 * recording without function context, or an interval no event named); NO_FRAME is a thread that
 * had no Python frame at all (thread start and exit, C code calling into Python).
 *
 * A drop's stack also has the instruction its innermost frame was at: which line that is comes
 * from the line tables the holder samples tell (B lines), by function, whenever they come.
 */
import { lineOfInstruction, type InstructionLines } from '../contract/line-ranges.js';
import { NOT_PYTHON_FRAMES } from '../contract/python-frames.js';

export interface PyFunction {
  /** co_qualname (3.11+) or co_name; `<...>` for the special entries below. */
  readonly name: string;
  /**
   * co_filename; empty when unknown: now and then the kernel reads the name but none of the
   * strings of an event (about 1 % of drops here); analysis folds such a function into the one
   * with the same name and line.
   */
  readonly file: string;
  /** co_firstlineno: the line of the `def`, not the line running. */
  readonly line: number;
  /**
   * Text of its source lines that holder samples ran, by line, as the recording machine read them
   * (L lines of holder samples; PythonStacks.sourceLine fills it as they are read).
   */
  readonly source?: ReadonlyMap<number, string>;
}

export interface PyStack {
  /** Function id of the innermost frame. */
  readonly leaf: number;
  /** Names of the calling frames, innermost first (as deep as the probes read). */
  readonly callers: readonly string[];
  /**
   * The name was read but no string of the event was (no file): seen at a thread's last release,
   * where the frame just left is still in memory. Its callers are missing and the name may be
   * stale, so a hold released there is charged where it was taken (analysis/function-stats.ts).
   */
  readonly partial?: boolean;
  /**
   * The innermost frame's instruction the drop probe read (recordings since 12-07): a stack is
   * one per place a thread let the GIL go at; `at` is its line.
   */
  readonly instruction?: number;
  /** With an instruction or a line: the id of the same stack without it (its call path, what tallies group by). */
  readonly path?: number;
  /** The line of that instruction, once the holder samples told its function's lines (instructionLines); or the line a sampled waiter's stack was read at (atLine). */
  readonly at?: number;
}

export const UNKNOWN_STACK = 0;
/** A thread with no Python frame: how every thread takes the GIL the first time (thread start, interpreter start). */
export const NO_FRAME_STACK = 1;
export const UNKNOWN_FUNCTION = 0;
export const NO_FRAME_FUNCTION = 1;
/** Stacks every PythonStacks starts with (UNKNOWN_STACK, NO_FRAME_STACK): more means the probes read some. */
export const BUILT_IN_STACKS = 2;

const UNKNOWN: PyFunction = { name: '<unknown>', file: '', line: 0 };
const NO_FRAME: PyFunction = { name: '<no Python frame>', file: '', line: 0 };
/** A name that could not be read as text (callers' names are read where a compact ASCII str keeps them). */
const NON_ASCII_NAME = '<non-ASCII name>';

export class PythonStacks {
  readonly functions: PyFunction[] = [UNKNOWN, NO_FRAME];
  readonly stacks: PyStack[] = [
    { leaf: UNKNOWN_FUNCTION, callers: [] },
    { leaf: NO_FRAME_FUNCTION, callers: [] },
  ];
  private readonly functionIds = new Map<string, number>();
  private readonly stackIds = new Map<string, number>([[`${NO_FRAME_FUNCTION}\0`, NO_FRAME_STACK]]);
  private readonly linesByFunction = new Map<number, InstructionLines[]>();
  /** The stacks read at an instruction, by their innermost function. */
  private readonly atInstruction = new Map<number, number[]>();

  /**
   * The id of the stack whose innermost frame read as (name, file, line) and whose callers read
   * as `callers` (innermost first). Callers that read empty (past the bottom of the stack; 3.13's
   * entry frames, whose "code" is None; some non-ASCII names) or as entry frames are left out;
   * unprintable ones (a non-ASCII name read as a C string) are named as such.
   */
  intern(name: string, file: string, line: number, callers: readonly string[], instruction?: number): number {
    const leaf = this.leafFunction(name, file, line);
    const names: string[] = [];
    for (const caller of callers) {
      if (caller !== '' && !NOT_PYTHON_FRAMES.has(caller)) names.push(isPrintable(caller) ? caller : NON_ASCII_NAME);
    }
    const partial = file === '' && leaf !== NO_FRAME_FUNCTION;
    // an instruction matters where a line table can tell its line: a Python function's
    const at = !partial && leaf !== NO_FRAME_FUNCTION && instruction !== undefined && Number.isFinite(instruction) ? instruction : undefined;
    const key = `${leaf}\0${partial ? '\0partial' : names.join('\0')}${at === undefined ? '' : `\0@${at}`}`;
    let id = this.stackIds.get(key);
    if (id === undefined) {
      const path = at === undefined ? undefined : this.intern(name, file, line, callers);
      id = this.stacks.length;
      const stack: PyStack = partial ? { leaf, callers: names, partial } : { leaf, callers: names };
      this.stacks.push(path === undefined ? stack : { ...stack, instruction: at, path });
      this.stackIds.set(key, id);
      if (path !== undefined) {
        const ids = this.atInstruction.get(leaf);
        if (ids) ids.push(id);
        else this.atInstruction.set(leaf, [id]);
        this.placeLine(id);
      }
    }
    return id;
  }

  /**
   * The lines by instruction of stack `stack`'s innermost function (a B line of holder samples):
   * the stacks read at an instruction of it learn their line (`at`), now and as they come. A
   * function whose code object was made more than once (its bytecode at other addresses) has
   * lines for each; an instruction lies in one of them.
   */
  instructionLines(stack: number, lines: InstructionLines): void {
    const leaf = this.stacks[stack]?.leaf;
    if (leaf === undefined || leaf === UNKNOWN_FUNCTION || leaf === NO_FRAME_FUNCTION) return;
    const known = this.linesByFunction.get(leaf);
    if (known) known.push(lines);
    else this.linesByFunction.set(leaf, [lines]);
    for (const id of this.atInstruction.get(leaf) ?? []) this.placeLine(id);
  }

  /** Sets a stack's `at` from its function's lines, when they tell it. */
  private placeLine(id: number): void {
    const stack = this.stacks[id] as { at?: number; readonly instruction?: number; readonly leaf: number };
    if (stack.at || stack.instruction === undefined) return;
    for (const lines of this.linesByFunction.get(stack.leaf) ?? []) {
      const line = lineOfInstruction(lines, stack.instruction);
      // kept on the stack object itself, as a function's source is (the windows share them)
      if (line > 0) return void (stack.at = line);
    }
  }

  /**
   * The id of stack `stack` at line `line` (a sampled waiter's stack, read with the line it let
   * the GIL go at: a K line); the stack itself when the line is not a line.
   */
  atLine(stack: number, line: number): number {
    const base = this.stacks[stack];
    if (!base || !Number.isInteger(line) || line <= 0 || base.leaf === UNKNOWN_FUNCTION || base.leaf === NO_FRAME_FUNCTION) return stack;
    const path = base.path ?? stack;
    const key = `${path}\0#${line}`;
    let id = this.stackIds.get(key);
    if (id === undefined) {
      id = this.stacks.length;
      this.stacks.push({ ...this.stacks[path], path, at: line });
      this.stackIds.set(key, id);
    }
    return id;
  }

  /** The text of line `line` of stack `stack`'s innermost function (an L line of holder samples). */
  sourceLine(stack: number, line: number, text: string): void {
    const fn = this.functions[this.stacks[stack]?.leaf ?? UNKNOWN_FUNCTION];
    if (fn.file === '' || !Number.isInteger(line) || line <= 0) return;
    // kept on the function object itself: the timeline's windows share these objects
    const source = (fn.source ?? ((fn as { source?: Map<number, string> }).source = new Map())) as Map<number, string>;
    source.set(line, text);
  }

  private leafFunction(name: string, file: string, line: number): number {
    if (file === '' && (name === '' || !isPrintable(name))) return NO_FRAME_FUNCTION;
    if (NOT_PYTHON_FRAMES.has(name)) return NO_FRAME_FUNCTION;
    const fn: PyFunction = {
      name: name !== '' && isPrintable(name) ? name : NON_ASCII_NAME,
      file: isPrintable(file) ? file : '',
      line: Number.isInteger(line) && line > 0 ? line : 0,
    };
    const key = `${fn.name}\0${fn.file}\0${fn.line}`;
    let id = this.functionIds.get(key);
    if (id === undefined) {
      id = this.functions.length;
      this.functions.push(fn);
      this.functionIds.set(key, id);
    }
    return id;
  }
}

/** Printable text: what a real identifier or path is, and what garbage read from a freed or non-ASCII object is not. */
function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return false;
  }
  return true;
}
