/**
 * Forced or voluntary, for recordings without giltrace's manifest: look up which function called
 * drop_gil (the probe's return address, turned into a file offset by the adapter) in that
 * library's symbols on this machine, and apply drop-callers.ts's rule for the library's version.
 */
import { classifyDropCaller, type DropKind } from './drop-callers.js';
import { loadElfSymbols, type ElfSymbols } from './elf/index.js';
import { pythonMinorFromPath } from './python-version-from-path.js';

/** When the library's name does not say: 3.12's rule names every forced caller of 3.6-3.13, so it fits any of them. */
const DEFAULT_VERSION = { major: 3, minor: 12 };

export function makeDropClassifier(): (file: string, fileOffset: number) => DropKind {
  const symbolsByFile = new Map<string, ElfSymbols | undefined>();
  // one call per drop_gil hit (hundreds of thousands): a number-keyed cache per file, no string keys
  const kindsByFile = new Map<string, Map<number, DropKind>>();
  return (file, fileOffset) => {
    let kinds = kindsByFile.get(file);
    if (kinds === undefined) kindsByFile.set(file, (kinds = new Map()));
    let kind = kinds.get(fileOffset);
    if (kind !== undefined) return kind;
    let symbols = symbolsByFile.get(file);
    if (!symbolsByFile.has(file)) {
      symbols = tryLoad(file);
      symbolsByFile.set(file, symbols);
    }
    kind = symbols ? classifyDropCaller(symbols.symbolAtFileOffset(fileOffset), pythonMinorFromPath(file) ?? DEFAULT_VERSION) : 'unknown';
    kinds.set(fileOffset, kind);
    return kind;
  };
}

/** The library may be gone or changed since the recording: then kinds stay unknown. */
function tryLoad(file: string): ElfSymbols | undefined {
  try {
    return loadElfSymbols(file);
  } catch {
    return undefined;
  }
}
