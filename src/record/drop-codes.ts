/**
 * The code objects an exact recording's drop probe saw, found while the traced processes still
 * run: the probe reads only frames' code object addresses (probe/frame-layout.ts codeFetchArgs),
 * and what each one is (name, file, lines) must be read from its process's memory before the
 * process ends or frees it. The holder sampler's thread reads perf's file as perf appends to it
 * (perfdata/growing-file.ts; giltrace has perf hand over its buffers every PING_MS) and names each
 * new address with the stack reader it samples with (SamplingSession, O lines).
 */
import * as fs from 'node:fs';
import { FrameField, MAX_FRAMES } from '../contract/probe-names.js';
import { GrowingPerfFile } from '../perfdata/growing-file.js';
import { parseTracepointFormat } from '../perfdata/tracepoint-format.js';
import { PERF_TYPE_TRACEPOINT } from '../perfdata/constants.js';
import type { SampleRecord, TracepointField } from '../perfdata/types.js';
import { readSampleInt, samplePayloadLength } from '../perfdata/tracepoint-read.js';

/** What the sampler's thread needs to find the drops' code addresses in perf's file (plain data: it crosses to the thread). */
export interface DropCodeSource {
  /** The file perf writes (file form). */
  readonly recording: string;
  /** Each drop event: its tracepoint id, and the byte offsets in its payload of each frame's code address (innermost first). */
  readonly drops: readonly { readonly id: number; readonly codeOffsets: readonly number[] }[];
  /**
   * A live view reads the recording as it comes and must not name a drop before its address was
   * read: the naming says how far into the file it has named (D lines).
   */
  readonly tellsProgress?: boolean;
}

/**
 * How often giltrace asks perf to write out what its buffers hold (its control channel's `ping`):
 * a code object first seen at a drop is read that much later at most, plus a sampler tick.
 * Once the naming has found no new code object for QUIET_AFTER_MS (a program in its loops, its
 * modules imported), every QUIET_PING_MS, until it finds one again: each ping wakes perf and
 * the sampler's reads of its file, which took ~5 % of the pipe ping-pong's traced time at 20 ms
 * (12-07). A code object made and freed in a quiet stretch (exec'd code, a module imported late)
 * is then read up to QUIET_PING_MS after its first drop, often still there or still its bytes
 * (the drops' file pointer and name bytes tell a code object made there since: code-names.ts).
 */
export const PING_MS = 20;
export const QUIET_PING_MS = 200;
export const QUIET_AFTER_MS = 1000;

/**
 * The drop events of probe `group` (tracefs), with where their code addresses lie; undefined
 * when one cannot be read (the recording then falls back to no code names: said by the caller).
 */
export function dropCodeEvents(tracefs: string, group: string, eventNames: readonly string[]): DropCodeSource['drops'] | undefined {
  const drops: { id: number; codeOffsets: number[] }[] = [];
  for (const full of eventNames) {
    const name = full.slice(full.indexOf(':') + 1);
    if (!/^drop(_\d+)?$/.test(name)) continue;
    let text: string;
    try {
      text = fs.readFileSync(`${tracefs}/events/${group}/${name}/format`, 'utf8');
    } catch {
      return undefined;
    }
    const format = parseTracepointFormat(group, text);
    if (!format) return undefined;
    const codeOffsets: number[] = [];
    for (let k = 0; k < MAX_FRAMES; k++) {
      const field = format.fields.find((f) => f.name === FrameField.code(k));
      if (!field || field.size !== 8) break;
      codeOffsets.push(field.offset);
    }
    // (a drop site where the thread state cannot be found reads no stack: nothing to name)
    if (codeOffsets.length > 0) drops.push({ id: format.id, codeOffsets });
  }
  return drops;
}

/** Reads the drops perf has written since the last look: the code addresses each process's drops named. */
export class DropCodes {
  private readonly file: GrowingPerfFile;
  /** Each drop event's code address fields, innermost first (read in place: no copy, no view a drop). */
  private readonly fields = new Map<number, readonly TracepointField[]>();
  /**
   * The last drop's process and addresses in this look: a drop where the one before was names
   * nothing new (a loop's drops, one after another) and is passed over without a lookup per
   * address. Forgotten at each look, so that each look visits every address its drops name (an
   * address is read again when a drop names it long after: drop-code-names.ts).
   */
  private lastPid = -1;
  private readonly last: number[] = [];
  /** Set when the file could not be read as perf's: no more looks. */
  failure: string | undefined;

  constructor(source: DropCodeSource) {
    for (const drop of source.drops) this.fields.set(drop.id, drop.codeOffsets.map((offset, k) => codeField(k, offset)));
    this.file = new GrowingPerfFile(source.recording, (attr) => attr.type === PERF_TYPE_TRACEPOINT && this.fields.has(attr.config));
  }

  /** Calls `visit` with each nonzero code address of each drop appended since the last look, innermost frame first. */
  look(visit: (pid: number, code: number) => void): void {
    if (this.failure) return;
    this.lastPid = -1;
    try {
      this.file.readNew((attr, sample) => this.visitCodes(sample, this.fields.get(attr.config)!, visit));
    } catch (e) {
      this.failure = (e as Error).message;
    }
  }

  /** The file's bytes whose drops have been visited: all before this offset. */
  get readThrough(): number {
    return this.file.consumed;
  }

  close(): void {
    this.file.close();
  }

  private visitCodes(sample: SampleRecord, fields: readonly TracepointField[], visit: (pid: number, code: number) => void): void {
    const length = samplePayloadLength(sample);
    let same = sample.pid === this.lastPid;
    let k = 0;
    for (; k < fields.length && fields[k].offset + 8 <= length; k++) {
      const code = readSampleInt(sample, fields[k]);
      if (code === 0) break; // the bottom of the stack
      if (same && this.last[k] === code) continue;
      same = false;
      this.last[k] = code;
    }
    if (same && this.last.length === k) return;
    this.lastPid = sample.pid;
    this.last.length = k;
    for (let j = 0; j < k; j++) visit(sample.pid, this.last[j]);
  }
}

function codeField(k: number, offset: number): TracepointField {
  return { name: FrameField.code(k), type: 'u64', offset, size: 8, signed: false, width: 8 };
}
