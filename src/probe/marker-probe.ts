/**
 * The marker probe: a uprobe on the C library's strverscmp(), a pure function almost nothing
 * calls, that records both string arguments. giltrace's sitecustomize (python/giltrace_site)
 * calls it with `text, "giltrace-mark-v1"` to put Python thread names and interpreter facts into
 * the recording, in the right thread at the right time.
 */
import { openElf } from './elf/elf-file.js';
import { loadFunctionTable } from './elf/symbolizer.js';
import { findNeededLibrary } from './library-search.js';
import type { ProbeLine } from './probe-line.js';
import { ProbeField, probeEventName } from '../contract/probe-names.js';

export const MARKER_FUNCTION = 'strverscmp';
const MARKER_EVENT = probeEventName('mark', 0);

/**
 * The probe line for the C library the interpreter loads, or undefined when it cannot be found
 * (a static or musl build): then threads keep their OS names, nothing else is lost.
 */
export function markerProbeLine(executable: string, group: string, env: NodeJS.ProcessEnv = process.env): ProbeLine | undefined {
  try {
    const libc = findNeededLibrary(openElf(executable), 'libc.so.6', env).found;
    if (!libc || /\s/.test(libc)) return undefined;
    const site = loadFunctionTable(libc).functions.find((fn) => fn.name === MARKER_FUNCTION);
    if (!site) return undefined;
    return {
      name: MARKER_EVENT,
      definition: `p:${group}/${MARKER_EVENT} ${libc}:0x${site.fileOffset.toString(16)} ${ProbeField.markText}=+0(%di):string ${ProbeField.markMagic}=+0(%si):string`,
    };
  } catch {
    return undefined;
  }
}
