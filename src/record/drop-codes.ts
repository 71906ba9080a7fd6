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
import type { SampleRecord } from '../perfdata/types.js';
import { hasPayload, readSamplePayload } from '../perfdata/tracepoint-read.js';

/** What the sampler's thread needs to find the drops' code addresses in perf's file (plain data: it crosses to the thread). */
export interface DropCodeSource {
  /** The file perf writes (file form). */
  readonly recording: string;
  /** Each drop event: its tracepoint id, and the byte offsets in its payload of each frame's code address (innermost first). */
  readonly drops: readonly { readonly id: number; readonly codeOffsets: readonly number[] }[];
  /**
   * A live view reads the recording as it comes and must not name a drop before its address was
   * read: the naming says how far into the file it has named (R lines).
   */
  readonly tellsProgress?: boolean;
}

/**
 * How often giltrace asks perf to write out what its buffers hold (its control channel's `ping`):
 * a code object first seen at a drop is read that much later at most, plus a sampler tick.
 */
export const PING_MS = 20;

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
  private readonly offsets = new Map<number, readonly number[]>();
  /** Set when the file could not be read as perf's: no more looks. */
  failure: string | undefined;

  constructor(source: DropCodeSource) {
    for (const drop of source.drops) this.offsets.set(drop.id, drop.codeOffsets);
    this.file = new GrowingPerfFile(source.recording, (attr) => attr.type === PERF_TYPE_TRACEPOINT && this.offsets.has(attr.config));
  }

  /** Calls `visit` with each nonzero code address of each drop appended since the last look, innermost frame first. */
  look(visit: (pid: number, code: number) => void): void {
    if (this.failure) return;
    try {
      this.file.readNew((attr, sample) => visitCodes(sample, this.offsets.get(attr.config)!, visit));
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
}

function visitCodes(sample: SampleRecord, offsets: readonly number[], visit: (pid: number, code: number) => void): void {
  if (!hasPayload(sample)) return;
  const raw = readSamplePayload(sample);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  for (const offset of offsets) {
    if (offset + 8 > raw.length) return;
    const code = dv.getUint32(offset, true) + dv.getUint32(offset + 4, true) * 0x1_0000_0000;
    if (code === 0) return; // the bottom of the stack
    visit(sample.pid, code);
  }
}
