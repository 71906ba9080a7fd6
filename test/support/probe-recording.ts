/**
 * Test-only: record a Python program with real GIL probes and read the result back through
 * `perf script` (the oracle; giltrace's own perf.data parser lives in perfdata/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import type { PythonTarget } from '../../src/probe/python-target.js';
import { registerGilProbes, type GilProbeGroup } from '../../src/probe/uprobes.js';
import { makeTempDir, TWO_THREADS_PY } from './probe-oracle.js';

export interface ScriptEvent {
  readonly tid: number;
  /** Event name inside the group: take, take_ret, drop, take_1, ... */
  readonly name: string;
  readonly args: Readonly<Record<string, string>>;
}

export interface Mapping {
  readonly start: number;
  readonly length: number;
  readonly pgoff: number;
  readonly file: string;
}

export interface Recording {
  readonly group: string;
  readonly eventNames: readonly string[];
  readonly events: readonly ScriptEvent[];
  readonly mappings: readonly Mapping[];
  /** What `remove()` returned after perf exited (should be nothing). */
  readonly busyAfterPerfExit: readonly string[];
  /** uprobe_events lines of the group after removal (should be none). */
  readonly leftAfterRemove: readonly string[];
}

export function canRecord(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Registers probes, records the two-thread program, removes the probes (on every path). */
export function recordTwoThreads(target: PythonTarget): Recording {
  return recordProgram(target, TWO_THREADS_PY);
}

export function recordProgram(target: PythonTarget, source: string): Recording {
  const dir = makeTempDir('rec');
  const prog = path.join(dir, 'prog.py');
  const data = path.join(dir, 'x.data');
  fs.writeFileSync(prog, source);
  let group: GilProbeGroup | undefined;
  try {
    // with take_gil's return: these recordings check the probes themselves, returns included
    group = registerGilProbes(target, { takeReturns: true });
    execFileSync('perf', ['record', '-q', '-N', '-e', `${group.group}:*`, '-k', 'CLOCK_MONOTONIC', '-o', data, '--', target.executable, prog], { stdio: 'ignore' });
    const busy = group.remove();
    const left = fs.readFileSync('/sys/kernel/tracing/uprobe_events', 'utf8').split('\n').filter((l) => l.includes(`${group!.group}/`));
    const text = execFileSync('perf', ['script', '-i', data, '--show-mmap-events'], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    return { group: group.group, eventNames: group.eventNames, ...parseScript(text, group.group), busyAfterPerfExit: busy, leftAfterRemove: left };
  } finally {
    group?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function parseScript(text: string, group: string): { events: ScriptEvent[]; mappings: Mapping[] } {
  const events: ScriptEvent[] = [];
  const mappings: Mapping[] = [];
  const eventRe = new RegExp(`^\\s*\\S.*?\\s(\\d+)\\s+\\[\\d+\\]\\s+[\\d.]+:\\s+${group}:(\\w+):\\s*(.*)$`);
  for (const line of text.split('\n')) {
    const mm = /PERF_RECORD_MMAP2? \d+\/\d+: \[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ 0x([0-9a-f]+)\b.*\]: \S+ (.+)$/.exec(line);
    if (mm) {
      mappings.push({ start: parseInt(mm[1], 16), length: parseInt(mm[2], 16), pgoff: parseInt(mm[3], 16), file: mm[4].trim() });
      continue;
    }
    const m = eventRe.exec(line);
    if (!m) continue;
    const args: Record<string, string> = {};
    for (const a of m[3].matchAll(/(\w+)=(\S+)/g)) args[a[1]] = a[2];
    events.push({ tid: Number(m[1]), name: m[2], args });
  }
  return { events, mappings };
}

/** Runtime address → file offset of `file`, through the recorded mmaps. */
export function toFileOffset(mappings: readonly Mapping[], file: string, address: number): number | undefined {
  const m = mappings.find((x) => x.file === file && address >= x.start && address < x.start + x.length);
  return m ? address - m.start + m.pgoff : undefined;
}
