/**
 * Reading `perf script` text dumps (perf's own decoding of a recording, the oracle our perf.data
 * reader is checked against): samples with their callchains, perf's time format, trace fields.
 */
import { readFixtureText } from './fixture-paths.js';

export interface ScriptSample {
  readonly comm: string;
  readonly pid: number | undefined;
  readonly tid: number;
  readonly cpu: number;
  /** 'SSSS.NNNNNNNNN' exactly as perf printed it. */
  readonly time: string;
  readonly event: string;
  readonly trace: string;
  /** Callchain lines (hex ips) printed under the sample, if any. */
  readonly chain: string[];
}

const LINE = /^\s*(.+?)\s+(-?\d+)(?:\/(-?\d+))?\s+\[(\d+)\]\s+(\d+\.\d{9}):\s+(\S+):(?:\s+(.*))?$/;

/** Parses `perf script --ns` output (with or without pid/, with callchain lines under samples); `.gz` is read too. */
export function parseScript(path: string): ScriptSample[] {
  const out: ScriptSample[] = [];
  for (const line of readFixtureText(path).split('\n')) {
    if (line.startsWith('\t')) {
      const ip = /^\t\s*([0-9a-f]+)\s/.exec(line);
      if (ip !== null && out.length > 0) out[out.length - 1].chain.push(ip[1]);
      continue;
    }
    const m = LINE.exec(line);
    if (m === null) continue;
    const hasPid = m[3] !== undefined;
    out.push({
      comm: m[1],
      pid: hasPid ? Number(m[2]) : undefined,
      tid: Number(hasPid ? m[3] : m[2]),
      cpu: Number(m[4]),
      time: m[5],
      event: m[6],
      trace: m[7] ?? '',
      chain: [],
    });
  }
  return out;
}

/** Absolute ns (base + relative float64 time) formatted like perf's --ns time. */
export function formatAbs(baseNs: bigint, time: number): string {
  const abs = baseNs + BigInt(time);
  const s = abs / 1_000_000_000n;
  const ns = abs % 1_000_000_000n;
  return `${s}.${ns.toString().padStart(9, '0')}`;
}

/** key=value pairs of a tracepoint's perf script text. */
export function traceFields(trace: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of trace.matchAll(/(\w+)=(\S+)/g)) out.set(m[1], m[2]);
  return out;
}
