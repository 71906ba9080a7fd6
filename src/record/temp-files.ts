/**
 * giltrace's own files in the temporary directory (the holder samples as the sampler's thread
 * appends them, the Python names a sampled run's hook writes): named after the giltrace process
 * that made them, so that what a killed run left (SIGKILL gives it no chance to remove them) is
 * known for what it is and removed by the cleanup watcher at once, or by the next run and
 * `giltrace clean` when no watcher ran.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLiveGiltrace } from '../probe/uprobes.js';

export type TempFileKind = 'holders' | 'names';

const NAME = /^giltrace-(?:holders|names)-(\d+)-[0-9a-f]{12}$/;

/** A new temporary file's path for this giltrace process (not created). */
export function tempFilePath(kind: TempFileKind): string {
  return join(tmpdir(), `giltrace-${kind}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** Removes the temporary files of giltrace runs that are gone; their paths. */
export function removeTempFilesOfDeadRuns(): string[] {
  const dir = tmpdir();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = NAME.exec(name)?.[1];
    if (owner === undefined || isLiveGiltrace(Number(owner))) continue;
    try {
      fs.rmSync(join(dir, name), { force: true });
      removed.push(join(dir, name));
    } catch {
      // another user's, or gone meanwhile: not ours to insist on
    }
  }
  return removed;
}
