/**
 * A text file another writer appends lines to, read as it grows: each read gives the lines
 * completed since the last one (a line, or a character, cut by a read waits for the rest).
 */
import * as fs from 'node:fs';

const READ_BYTES = 64 * 1024;

export class AppendedLines {
  private fd: number | undefined;
  private position = 0;
  private partial: Buffer = Buffer.alloc(0);
  private readonly buffer = Buffer.alloc(READ_BYTES);

  constructor(private readonly path: string, private readonly encoding: BufferEncoding) {}

  /** The lines ended since the last call; none while the file cannot be opened (not made yet). Throws when a read fails. */
  read(): string[] {
    if (!this.open()) return [];
    const fd = this.fd!;
    const lines: string[] = [];
    for (;;) {
      const n = fs.readSync(fd, this.buffer, 0, this.buffer.length, this.position);
      if (n === 0) return lines;
      this.position += n;
      const bytes = Buffer.concat([this.partial, this.buffer.subarray(0, n)]);
      const end = bytes.lastIndexOf(0x0a) + 1;
      this.partial = Buffer.from(bytes.subarray(end));
      if (end > 0) lines.push(...bytes.toString(this.encoding, 0, end - 1).split('\n'));
    }
  }

  /**
   * Opens the file now if it is there (whether it is): lines appended to it stay readable once it
   * is, even after its writer removes it (a program that ends before the first read).
   */
  open(): boolean {
    if (this.fd !== undefined) return true;
    try {
      this.fd = fs.openSync(this.path, 'r');
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}
