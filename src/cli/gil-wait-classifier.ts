/**
 * Seed mode's code lookup (model/gil-wait-scan.ts asks it): is this file offset a return site in
 * take_gil, in another function of a Python file, or neither? Uses probe/'s ELF reader on the
 * files the recording's mmaps name, as they are on this machine now.
 *
 * A file is only used when it can be the one that was mapped: if the recording carries its
 * build-id, the file's must match; the offset must fall in an executable segment of the file.
 * Only files named like Python (python3.11, libpython3.11.so.1.0) are opened: take_gil lives there.
 */
import { readBuildId, loadFunctionTable, fileOffsetToVaddr, type FunctionSymbol, type FunctionTable } from '../probe/elf/index.js';
import type { CodeClassifier, CodeKind } from '../model/gil-wait-scan.js';

const PF_X = 1;
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

  const open = (file: string, buildId: string | undefined): PythonFile | undefined => {
    const key = `${file}\0${buildId ?? ''}`;
    if (files.has(key)) return files.get(key);
    let result: PythonFile | undefined;
    try {
      const table = loadFunctionTable(file);
      const actual = readBuildId(table.elf);
      const takeGil = table.functions.filter((f) => TAKE_GIL.test(f.name) && f.size > 0);
      if (buildId && actual && buildId.toLowerCase() !== actual.toLowerCase()) {
        unusable.set(file, `its build-id ${actual} is not the recorded ${buildId} (the file changed since the recording)`);
      } else if (takeGil.length === 0) {
        if (/libpython/.test(file) || !table.fullSymbols) unusable.set(file, 'no take_gil symbol (stripped, and no debug file found)');
        result = { table, takeGil };
      } else {
        symbolized.add(file);
        result = { table, takeGil };
      }
    } catch (e) {
      unusable.set(file, (e as Error).message);
    }
    files.set(key, result);
    return result;
  };

  const seen = new Map<string, CodeKind>();
  const classify: CodeClassifier = (file, fileOffset, buildId): CodeKind => {
    if (!PYTHON_FILE.test(file)) return 'other';
    const key = `${file}\0${fileOffset}\0${buildId ?? ''}`;
    let kind = seen.get(key);
    if (kind === undefined) seen.set(key, (kind = classifyInFile(file, fileOffset, buildId)));
    return kind;
  };
  const classifyInFile = (file: string, fileOffset: number, buildId: string | undefined): CodeKind => {
    const python = open(file, buildId);
    if (!python || python.takeGil.length === 0) return 'other';
    const { elf } = python.table;
    const segment = elf.programHeaders.find((h) => h.type === 1 && fileOffset >= h.offset && fileOffset < h.offset + h.filesz);
    if (!segment || (segment.flags & PF_X) === 0) return 'other';
    if (!isReturnSite(python.table, fileOffset)) return 'other';
    for (const fn of python.takeGil) {
      if (fileOffset > fn.fileOffset && fileOffset <= fn.fileOffset + fn.size) return 'take_gil';
    }
    return python.table.symbolAtFileOffset(fileOffset) === undefined ? 'other' : 'python';
  };
  return { classify, symbolized, unusable };
}

/**
 * Is the instruction before `fileOffset` a call? A return address always follows one: `e8 rel32`
 * or `ff /2` (indirect, 2 to 7 bytes with prefixes and displacements). Pointers to function
 * starts and data that happen to fall in the code range mostly fail this.
 */
function isReturnSite(table: FunctionTable, fileOffset: number): boolean {
  if (fileOffset < 7 || fileOffsetToVaddr(table.elf.programHeaders, fileOffset) === undefined) return false;
  const bytes = table.elf.read(fileOffset - 7, 7, 'instruction before a return address').bytes;
  if (bytes[2] === 0xe8) return true; // call rel32
  for (let length = 2; length <= 7; length++) {
    const at = 7 - length;
    if (bytes[at] === 0xff && ((bytes[at + 1] >> 3) & 7) === 2) return true; // call r/m64
  }
  return false;
}
