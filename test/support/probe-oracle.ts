/**
 * Test-only helpers: binutils' readelf as the independent oracle for our ELF reader, and the
 * interpreters that exist on this machine (pyenv versions, Debian's python3.11).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadFunctionTable } from '../../src/probe/elf/symbolizer.js';

export interface OracleSymbol {
  readonly value: number;
  readonly size: number;
  readonly type: string;
  readonly bind: string;
  readonly ndx: string;
  readonly name: string;
}

/** `readelf -sW` (both .dynsym and .symtab), or of a debug file. */
export function readelfSymbols(file: string): OracleSymbol[] {
  const out = execFileSync('readelf', ['-sW', file], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const symbols: OracleSymbol[] = [];
  for (const line of out.split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p.length < 8 || !/^\d+:$/.test(p[0])) continue;
    const size = p[2].startsWith('0x') ? parseInt(p[2], 16) : Number(p[2]);
    symbols.push({ value: parseInt(p[1], 16), size, type: p[3], bind: p[4], ndx: p[6], name: p[7].replace(/@.*$/, '') });
  }
  return symbols;
}

export interface OracleLoad {
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
}

export function readelfLoads(file: string): OracleLoad[] {
  const out = execFileSync('readelf', ['-lW', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p[0] === 'LOAD')
    .map((p) => ({ offset: parseInt(p[1], 16), vaddr: parseInt(p[2], 16), filesz: parseInt(p[4], 16) }));
}

/** File offset per the oracle: vaddr - p_vaddr + p_offset of the containing LOAD. */
export function oracleFileOffset(loads: readonly OracleLoad[], vaddr: number): number | undefined {
  const seg = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz);
  return seg ? vaddr - seg.vaddr + seg.offset : undefined;
}

export function readelfDynamic(file: string): { needed: string[]; runpath?: string; rpath?: string; soname?: string } {
  const out = execFileSync('readelf', ['-dW', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const pick = (tag: string): string[] => [...out.matchAll(new RegExp(`\\(${tag}\\)\\s+[^\\[]*\\[([^\\]]*)\\]`, 'g'))].map((m) => m[1]);
  return { needed: pick('NEEDED'), runpath: pick('RUNPATH')[0], rpath: pick('RPATH')[0], soname: pick('SONAME')[0] };
}

export function readelfBuildId(file: string): string | undefined {
  const out = execFileSync('readelf', ['-nW', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return /Build ID:\s*([0-9a-f]+)/.exec(out)?.[1];
}

export interface PyenvVersion {
  readonly version: string;
  readonly python: string;
  readonly libpython: string;
  readonly minor: number;
}

export const PYENV_ROOT = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');

/** pyenv CPython 3.6+ installs with a shared libpython (what giltrace probes). */
export function pyenvVersions(): PyenvVersion[] {
  const dir = path.join(PYENV_ROOT, 'versions');
  if (!fs.existsSync(dir)) return [];
  const out: PyenvVersion[] = [];
  for (const version of fs.readdirSync(dir).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))) {
    const m = /^3\.(\d+)\.\d+$/.exec(version);
    if (!m || Number(m[1]) < 6) continue;
    const lib = path.join(dir, version, 'lib');
    const libpython = fs.existsSync(lib) ? fs.readdirSync(lib).find((f) => /^libpython3\.\d+m?\.so\.1\.0$/.test(f)) : undefined;
    const python = path.join(dir, version, 'bin', 'python3');
    if (libpython && fs.existsSync(python)) out.push({ version, python, libpython: path.join(lib, libpython), minor: Number(m[1]) });
  }
  return out;
}

export function pyenvVersion(minor: number): PyenvVersion | undefined {
  return pyenvVersions().find((v) => v.minor === minor);
}

/** Debian's stripped LTO python3.11, when its symbols (python3.11-dbg) are installed: else undefined. */
export function debianPythonWithSymbols(): string | undefined {
  const python = '/usr/bin/python3.11';
  if (!fs.existsSync(python)) return undefined;
  try {
    return loadFunctionTable(python).fullSymbols ? python : undefined;
  } catch {
    return undefined;
  }
}

export function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `giltrace-probe-${prefix}-`));
}

/** The classic two-thread program: each thread sums range(1_000_000), sleeps 0.2 s. */
export const TWO_THREADS_PY = [
  'import threading, time',
  'def work():',
  '    s = 0',
  '    for i in range(1_000_000):',
  '        s += i',
  '    time.sleep(0.2)',
  'ts = [threading.Thread(target=work) for _ in range(2)]',
  'for t in ts: t.start()',
  'for t in ts: t.join()',
  '',
].join('\n');
