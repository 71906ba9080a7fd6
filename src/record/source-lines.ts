/**
 * The text of a source line a holder sample ran, read from the traced process's own view of its
 * files (/proc/PID/root for an absolute path, /proc/PID/cwd for a relative one: a program in a
 * container, or started from another directory), so that a recording shows the code where the
 * GIL was held on any machine, and as it was when it ran. Each file is read once (up to
 * MAX_FILE_BYTES) and kept while the recording lasts.
 */
import * as fs from 'node:fs';

/** A larger file (generated code) is not read: its lines go without their text. */
const MAX_FILE_BYTES = 4 << 20;
/** Files kept; past it the cache starts afresh. */
const MAX_FILES = 256;
/** Characters of a line kept (its indentation dropped); a longer one is cut with an ellipsis. */
export const MAX_LINE_CHARS = 120;

export class SourceLines {
  /** By `${pid}\0${file}`: the file's lines, or null when it could not be read. */
  private readonly files = new Map<string, string[] | null>();

  /** Line `line` (1-based) of `file` as process `pid` sees it; undefined when it cannot be read (`<string>`, a frozen module, a file gone). */
  textOf(pid: number, file: string, line: number): string | undefined {
    if (file === '' || file.startsWith('<') || line < 1) return undefined;
    const key = `${pid}\0${file}`;
    let lines = this.files.get(key);
    if (lines === undefined) {
      if (this.files.size >= MAX_FILES) this.files.clear();
      this.files.set(key, (lines = readLines(file.startsWith('/') ? `/proc/${pid}/root${file}` : `/proc/${pid}/cwd/${file}`)));
    }
    // control characters (a tab, an escape sequence in a string literal) as spaces: the text goes to terminals
    const text = lines?.[line - 1]?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
    if (!text) return undefined;
    return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS - 1)}…` : text;
  }
}

function readLines(path: string): string[] | null {
  try {
    // regular files only: a script read from a pipe, a FIFO or /dev/stdin (through /proc/self,
    // giltrace's own) would block the sampler, or take input meant for someone else
    const stat = fs.statSync(path);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return null;
    return fs.readFileSync(path, 'utf8').split(/\r?\n/);
  } catch {
    return null;
  }
}
