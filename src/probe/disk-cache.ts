/**
 * Answers that are slow to find and change only with what their key names (a file's size and
 * mtime, the kernel release), kept in one JSON file each under ~/.cache/giltrace. A cache that
 * cannot be read or written is simply not used; GILTRACE_NO_CACHE=1 turns them all off.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function cachedAnswer<T>(name: string, key: string | undefined, isAnswer: (value: unknown) => value is T, compute: () => T): T {
  if (process.env.GILTRACE_NO_CACHE === '1' || key === undefined) return compute();
  const file = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'giltrace', `${name}.json`);
  const all = readAll(file);
  const hit = all[key];
  if (isAnswer(hit)) return hit;
  const found = compute();
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    all[key] = found;
    const temporary = `${file}.${process.pid}`;
    fs.writeFileSync(temporary, JSON.stringify(all));
    fs.renameSync(temporary, file); // atomic: concurrent runs never read half a file
  } catch {
    // Read-only home or full disk: the next run computes again.
  }
  return found;
}

function readAll(file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
