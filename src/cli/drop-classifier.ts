/**
 * Forced or voluntary? Look up which function called drop_gil (the probe's return address,
 * turned into a file offset by the adapter) in that library's symbols.
 */
import type { DropReason } from '../model/trace-events.js';
import type { DropClassifier } from '../model/perf-to-trace-events.js';
import { classifyDropCaller } from '../probe/drop-callers.js';
import { loadElfSymbols, type ElfSymbols } from '../probe/elf/index.js';

export function makeDropClassifier(): DropClassifier {
  const symbolsByFile = new Map<string, ElfSymbols | undefined>();
  // one call per drop_gil hit (hundreds of thousands): a number-keyed cache per file, no string keys
  const reasonsByFile = new Map<string, Map<number, DropReason>>();
  return (file, fileOffset) => {
    let reasons = reasonsByFile.get(file);
    if (reasons === undefined) reasonsByFile.set(file, (reasons = new Map()));
    let reason = reasons.get(fileOffset);
    if (reason !== undefined) return reason;
    let symbols = symbolsByFile.get(file);
    if (!symbolsByFile.has(file)) {
      symbols = tryLoad(file);
      symbolsByFile.set(file, symbols);
    }
    const version = /python(\d+)\.(\d+)/.exec(file);
    reason = symbols
      ? classifyDropCaller(symbols.symbolAtFileOffset(fileOffset), { major: Number(version?.[1] ?? 3), minor: Number(version?.[2] ?? 12) })
      : 'unknown';
    reasons.set(fileOffset, reason);
    return reason;
  };
}

/** The library may be gone or changed since the recording: then reasons stay unknown. */
function tryLoad(file: string): ElfSymbols | undefined {
  try {
    return loadElfSymbols(file);
  } catch {
    return undefined;
  }
}
