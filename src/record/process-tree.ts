/**
 * The processes a traced tree consists of now: the roots and every descendant, read from each
 * thread's /proc `children` list. Cheaper than reading every process's stat on a busy machine,
 * which matters to a sampler that looks for new processes ten times a second.
 */
import * as fs from 'node:fs';

export function processTree(roots: readonly number[]): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const pending = [...roots];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const child of childrenOf(pid)) pending.push(child);
  }
  return out;
}

function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const child of text.split(' ')) if (child.length > 0 && child !== '\n') out.push(Number(child));
  }
  return out;
}

/** Where a /proc link points (a process's program); undefined when the process is gone or not ours to read. */
export function readLinkIfThere(path: string): string | undefined {
  try {
    return fs.readlinkSync(path);
  } catch {
    return undefined;
  }
}
