/**
 * Minimal protobuf writer for the Perfetto exporter: varints, strings, fixed64 and nested
 * messages. Hand-written (like pprof-format) because a trace has millions of tiny messages;
 * protobufjs decodes our output in the tests as the oracle.
 *
 * Nested messages are written into a reused child writer and copied in with their length
 * prefix: messages here are a few dozen bytes, so the copy is cheaper than a sizing pass.
 */
const encoder = new TextEncoder();
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

export class ProtoWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /** The bytes written so far (a copy: the writer may be reused). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (numbers), or any uint64 (bigint). */
  varint(value: number | bigint): this {
    this.ensure(10);
    if (typeof value === 'bigint') {
      let v = BigInt.asUintN(64, value);
      while (v >= 0x80n) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return this;
    }
    if (value < 0) return this.varint(BigInt(value));
    // hot path: split into 32-bit halves instead of bigint for the common case.
    let low = value >>> 0;
    let high = Math.floor(value / 4294967296);
    while (high > 0 || low > 0x7f) {
      this.buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buf[this.pos++] = low;
    return this;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  uint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    return this.varint(value);
  }

  fixed64(field: number, value: number | bigint): this {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 8; i++) {
      this.buf[this.pos++] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this;
  }

  string(field: number, value: string): this {
    const bytes = encoder.encode(value);
    return this.bytes(field, bytes);
  }

  bytes(field: number, bytes: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** A nested message: `write` fills `child` (reset first), which is then copied in with its length. */
  message(field: number, child: ProtoWriter, write: (w: ProtoWriter) => void): this {
    child.reset();
    write(child);
    this.tag(field, WIRE_LEN);
    this.varint(child.pos);
    this.ensure(child.pos);
    this.buf.set(child.buf.subarray(0, child.pos), this.pos);
    this.pos += child.pos;
    return this;
  }
}
