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
  const cache = new Map<string, DropReason>();
  return (file, fileOffset) => {
    const key = `${file}\0${fileOffset}`;
    let reason = cache.get(key);
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
    cache.set(key, reason);
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
