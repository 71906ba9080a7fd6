/**
 * The code lookup for inferring GIL waits from a scheduler-only recording (model/gil-wait-scan.ts
 * asks it, through contract/mapped-code.ts): is this file offset a return site in take_gil, in
 * another function of a Python file, or neither? Reads the ELF files the recording's mmaps name,
 * as they are on this machine now.
 *
 * A file is only used when it can be the one that was mapped: if the recording carries its
 * build-id, the file's must match; in any case the mapping must be one of its code segments.
 * Only files named like Python (python3.11, libpython3.11.so.1.0) are opened: take_gil lives there.
 */
import type { CodeClassifier, CodeKind, MappedCode } from '../contract/mapped-code.js';
import {
  endsWithCall,
  fileOffsetToVaddr,
  loadFunctionTable,
  LONGEST_CALL,
  PF_X,
  PT_LOAD,
  readBuildId,
  type FunctionSymbol,
  type FunctionTable,
} from './elf/index.js';

/** The loader maps segments in whole pages. */
const PAGE = 4096;
const PYTHON_FILE = /(?:^|\/)(?:lib)?python\d[^/]*$/;
const TAKE_GIL = /^take_gil(?:\.|$)/;

/** What the classifier found out, for the recording's warnings. */
export interface GilWaitLookup {
  readonly classify: CodeClassifier;
  /** Python files that had a take_gil symbol. */
  readonly symbolized: Set<string>;
  /** Python files that could not be used, with why (missing, no take_gil symbol, other build). */
  readonly unusable: Map<string, string>;
}

interface PythonFile {
  readonly table: FunctionTable;
  readonly takeGil: readonly FunctionSymbol[];
}

export function makeGilWaitClassifier(): GilWaitLookup {
  const files = new Map<string, PythonFile | undefined>();
  const symbolized = new Set<string>();
  const unusable = new Map<string, string>();

  /** The file as it is now, if it can be the one the recording mapped there. */
  const open = (code: MappedCode): PythonFile | undefined => {
    const key = `${code.file}\0${code.mapOffset}\0${code.mapLength}\0${code.buildId ?? ''}`;
    if (files.has(key)) return files.get(key);
    let result: PythonFile | undefined;
    try {
      const table = loadFunctionTable(code.file);
      const actual = readBuildId(table.elf);
      const takeGil = table.functions.filter((f) => TAKE_GIL.test(f.name) && f.size > 0);
      if (code.buildId && actual && code.buildId.toLowerCase() !== actual.toLowerCase()) {
        unusable.set(code.file, `its build-id ${actual} is not the recorded ${code.buildId} (the file changed since the recording)`);
      } else if (!mapsExecutableSegment(table, code)) {
        unusable.set(code.file, 'its code segment is not the one mapped in the recording (the file changed since the recording)');
      } else {
        if (takeGil.length > 0) symbolized.add(code.file);
        else if (/libpython/.test(code.file) || !table.fullSymbols) {
          unusable.set(code.file, 'no take_gil symbol (stripped, and no debug file found)');
        }
        result = { table, takeGil };
      }
    } catch (e) {
      unusable.set(code.file, (e as Error).message);
    }
    files.set(key, result);
    return result;
  };

  const seen = new Map<string, CodeKind>();
  const classify: CodeClassifier = (code): CodeKind => {
    if (!PYTHON_FILE.test(code.file)) return 'other';
    const key = `${code.file}\0${code.offset}\0${code.mapOffset}\0${code.buildId ?? ''}`;
    let kind = seen.get(key);
    if (kind === undefined) seen.set(key, (kind = classifyInFile(code)));
    return kind;
  };
  const classifyInFile = (code: MappedCode): CodeKind => {
    const python = open(code);
    if (!python || python.takeGil.length === 0) return 'other';
    const fileOffset = code.offset;
    if (!isReturnSite(python.table, fileOffset)) return 'other';
    for (const fn of python.takeGil) {
      if (fileOffset > fn.fileOffset && fileOffset <= fn.fileOffset + fn.size) return 'take_gil';
    }
    return python.table.symbolAtFileOffset(fileOffset) === undefined ? 'other' : 'python';
  };
  return { classify, symbolized, unusable };
}

/**
 * Without a recorded build-id, the next best check that the file on disk is the one that was
 * mapped: the mapping is exactly one of its executable PT_LOAD segments, page-rounded as the
 * loader maps it. A rebuilt library almost always has a different code size.
 */
function mapsExecutableSegment(table: FunctionTable, code: MappedCode): boolean {
  return table.elf.programHeaders.some((h) => {
    if (h.type !== PT_LOAD || (h.flags & PF_X) === 0) return false;
    const first = Math.floor(h.offset / PAGE) * PAGE;
    const length = Math.ceil((h.offset + h.filesz) / PAGE) * PAGE - first;
    return first === code.mapOffset && length === code.mapLength;
  });
}

/**
 * Is the instruction before `fileOffset` a call? A return address always follows one. Pointers to
 * function starts and data that happen to fall in the code range mostly fail this.
 */
function isReturnSite(table: FunctionTable, fileOffset: number): boolean {
  if (fileOffset < LONGEST_CALL || fileOffsetToVaddr(table.elf.programHeaders, fileOffset) === undefined) return false;
  return endsWithCall(table.elf.read(fileOffset - LONGEST_CALL, LONGEST_CALL, 'instruction before a return address').bytes);
}
