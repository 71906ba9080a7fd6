/**
 * The holder sampler's side of naming the drop probe's code addresses (record/drop-codes.ts
 * finds them in perf's file): each address new to a process is read from that process's memory
 * at once, as a one-frame stack, and said in an O line (contract/sampled-recording.ts); an
 * address seen again CODE_RECHECK_MS or more after it was read is read again, in case another
 * code object was made there since.
 */
import { DropCodes, type DropCodeSource } from './drop-codes.js';
import type { ProcessSampler } from './gil-sampler.js';
import type { SampledStack } from './python-stack-reader.js';

/** How often perf's file is read for the drops' code addresses (perf writes it every PING_MS). */
const CODES_EVERY_MS = 10;
/**
 * A code address named before is read again (its name and file pointers: one read) when a drop
 * names it this long after: another code object made where a freed one was is named as the old
 * one for that long at most (code made at run time: exec, eval), and its drops' file pointer and
 * name bytes keep them from that name (model/code-names.ts).
 */
const CODE_RECHECK_MS = 250;
/** An address that could not be read is tried again when a drop names it this long after (a read that raced the process). */
const CODE_RETRY_MS = 50;
/** An address whose process has no sampler yet (just started) is tried again for this long. */
const CODE_PENDING_MS = 2000;

/** What the naming needs of the session: its process samplers, and its F/B lines for a stack (giving the F id). */
export interface CodeNamingSession {
  samplerOf(pid: number): ProcessSampler | undefined;
  /** The stack's F id, its F line (and B line, for its lines) written the first time. */
  tellStack(pid: number, stack: SampledStack): number;
  line(text: string): void;
  /** A code address no drop of its process had named before was read (the main thread asks perf for its buffers more often then: record-target.ts). */
  newCode(): void;
}

export class DropCodeNames {
  private readonly codes: DropCodes;
  /** Code addresses named (O lines), by process: what was said, and when it was last read. */
  private readonly named = new Map<number, Map<number, { stack: number; filePtr: number; nameTag: string; checkedAt: number }>>();
  /** Code addresses that could not be read, by `${pid} ${code}`: when last tried (tried again CODE_RETRY_MS on). */
  private readonly unread = new Map<string, number>();
  /** Code addresses of processes not (yet) sampled, by `${pid} ${code}`: when first seen. */
  private readonly pending = new Map<string, { pid: number; code: number; since: number }>();
  private lookedAt = -Infinity;
  /** The offset last said in a D line (tellsProgress); -1 once naming stopped. */
  private toldThrough = 0;

  constructor(private readonly source: DropCodeSource, private readonly session: CodeNamingSession) {
    this.codes = new DropCodes(source);
  }

  /** Why perf's file could not be read, when it could not. */
  get failure(): string | undefined {
    return this.codes.failure;
  }

  /** At a tick: the addresses perf wrote since the last look, named (every CODES_EVERY_MS; `force`: now). */
  tick(now: number, force = false): void {
    if (!force && now - this.lookedAt < CODES_EVERY_MS * 1e6) return;
    this.lookedAt = now;
    for (const [key, { pid, code, since }] of this.pending) {
      const sampled = this.session.samplerOf(pid) !== undefined;
      if (sampled || now - since > CODE_PENDING_MS * 1e6) this.pending.delete(key);
      if (sampled) this.name(pid, code, now);
    }
    this.codes.look((pid, code) => this.name(pid, code, now));
    if (this.source.tellsProgress) this.tellProgress();
  }

  /**
   * After the O lines of what it read: how far into the file the drops are named (D line), or
   * that naming stopped (`D -1`: perf's file could not be read) and a live view must not wait.
   */
  private tellProgress(): void {
    if (this.toldThrough < 0) return;
    const through = this.codes.failure ? -1 : this.codes.readThrough;
    if (through === this.toldThrough) return;
    this.toldThrough = through;
    this.session.line(`D ${through}`);
  }

  close(): void {
    this.codes.close();
  }

  private name(pid: number, code: number, now: number): void {
    let named = this.named.get(pid);
    const known = named?.get(code);
    if (known && now - known.checkedAt < CODE_RECHECK_MS * 1e6) return;
    const sampler = this.session.samplerOf(pid);
    if (!sampler) {
      const key = `${pid} ${code}`;
      if (!this.pending.has(key)) this.pending.set(key, { pid, code, since: now });
      return;
    }
    const key = `${pid} ${code}`;
    const triedAt = this.unread.get(key);
    if (triedAt !== undefined && now - triedAt < CODE_RETRY_MS * 1e6) return;
    // checked against memory now, always: the stack reader keeps what it read (or could not) at an
    // address a while, and a module's code read there by a holder sample, freed since, named the
    // function made there after it (1 run in 7 of a 0.6 s program, its drops left unnamed)
    const read = sampler.codeStack(code, true);
    if (!read) {
      // gone, or not a code object (yet): the drops that name it stay unnamed unless a later look reads it
      if (known) known.checkedAt = now;
      else this.unread.set(key, now);
      return;
    }
    this.unread.delete(key);
    const { stack, filePtr, nameTag } = read;
    const id = this.session.tellStack(pid, stack);
    if (!named) this.named.set(pid, (named = new Map()));
    if (known?.stack !== id || known.filePtr !== filePtr || known.nameTag !== nameTag) {
      this.session.line(`O ${now} ${pid} ${code.toString(16)} ${id} ${filePtr.toString(16)} ${nameTag}`);
    }
    named.set(code, { stack: id, filePtr, nameTag, checkedAt: now });
    if (!known) this.session.newCode();
  }
}
