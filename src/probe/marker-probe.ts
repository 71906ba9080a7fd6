/**
 * The marker probe: a uprobe on the C library's strverscmp(), a pure function almost nothing
 * calls, that records both string arguments. giltrace's sitecustomize (python/giltrace_site)
 * calls it with `text, "giltrace-mark-v1"` to put Python thread names and interpreter facts into
 * the recording, in the right thread at the right time.
 */
import { fileURLToPath } from 'node:url';
import { cachedFromFiles, codeStamp, type FromFiles } from './disk-cache.js';
import { openElf } from './elf/elf-file.js';
import { loadFunctionTable } from './elf/symbolizer.js';
import { findNeededLibrary } from './library-search.js';
import type { ProbeLine } from './probe-line.js';
import { ProbeField, probeEventName } from '../contract/probe-names.js';

export const MARKER_FUNCTION = 'strverscmp';
const MARKER_EVENT = probeEventName('mark', 0);

/**
 * The probe line for the C library the interpreter loads, or undefined when it cannot be found
 * (a static or musl build): then threads keep their OS names, nothing else is lost. Where
 * strverscmp lies is kept on disk while the interpreter, the C library and the loader's cache
 * are unchanged (reading libc's symbols takes ~60 ms).
 */
export function markerProbeLine(executable: string, group: string, env: NodeJS.ProcessEnv = process.env): ProbeLine | undefined {
  const key = JSON.stringify([executable, env.LD_LIBRARY_PATH ?? null, codeStamp(PROBE_CODE)]);
  const site = cachedFromFiles(MARKER_CACHE, key, isMarkerSite, () => findMarkerSite(executable, env));
  if (!site.libc || site.fileOffset === null) return undefined;
  return {
    name: MARKER_EVENT,
    definition: `p:${group}/${MARKER_EVENT} ${site.libc}:0x${site.fileOffset.toString(16)} ${ProbeField.markText}=+0(%di):string ${ProbeField.markMagic}=+0(%si):string`,
  };
}

const MARKER_CACHE = 'marker-site-v1';
const PROBE_CODE = fileURLToPath(new URL('.', import.meta.url));

/** Where the marker function is; nulls when there is none to probe. */
interface MarkerSite {
  readonly libc: string | null;
  readonly fileOffset: number | null;
}

function isMarkerSite(value: unknown): value is MarkerSite {
  const site = value as Partial<MarkerSite> | null;
  return typeof site === 'object' && site !== null && (typeof site.libc === 'string' || site.libc === null) && (typeof site.fileOffset === 'number' || site.fileOffset === null);
}

function findMarkerSite(executable: string, env: NodeJS.ProcessEnv): FromFiles<MarkerSite> {
  const files = [executable, '/etc/ld.so.cache'];
  try {
    const libc = findNeededLibrary(openElf(executable), 'libc.so.6', env).found;
    if (!libc || /\s/.test(libc)) return { answer: { libc: null, fileOffset: null }, files };
    const site = loadFunctionTable(libc).functions.find((fn) => fn.name === MARKER_FUNCTION);
    return { answer: { libc, fileOffset: site ? site.fileOffset : null }, files: [...files, libc] };
  } catch {
    return { answer: { libc: null, fileOffset: null }, files };
  }
}
