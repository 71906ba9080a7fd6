/**
 * Threads that are copies of each other: a pool's workers (`ThreadPoolExecutor-0_3`), a server's
 * request threads (`Thread-9 (process_request_thread)`), `worker-1` ... `worker-8`. Their names
 * differ only in numbers, so the numbers are replaced by `*` to name the group; a group is two
 * or more threads of one process with the same pattern. Reading 60 rows that say the same thing
 * hides what they say together.
 */
import type { ThreadGroupStats, ThreadStats } from '../contract/stats.js';

/** `ThreadPoolExecutor-0_3` → `ThreadPoolExecutor-*_*`; `Thread-9 (process_request_thread)` → `Thread-* (process_request_thread)`. */
export function threadNamePattern(name: string): string {
  return name.replace(/\d+/g, '*');
}

/** A group's name: its pattern, or the one name all its threads have (`python3 (_worker)`, not `python* (_worker)`). */
export function groupName(members: readonly { readonly name: string }[], pattern: string): string {
  return members.length > 0 && members.every((t) => t.name === members[0].name) ? members[0].name : pattern;
}

/** Groups of two or more threads sharing a name pattern, largest total GIL time first. */
export function computeThreadGroups(threads: readonly ThreadStats[], mainTid: number): ThreadGroupStats[] {
  const byPattern = new Map<string, ThreadStats[]>();
  for (const thread of threads) {
    if (thread.tid === mainTid) continue; // the main thread is one of a kind, whatever its name
    const pattern = threadNamePattern(thread.name);
    let list = byPattern.get(pattern);
    if (!list) byPattern.set(pattern, (list = []));
    list.push(thread);
  }
  const groups: ThreadGroupStats[] = [];
  for (const [pattern, members] of byPattern) {
    if (members.length < 2) continue;
    const sum = (key: 'lifetime_ns' | 'held_ns' | 'wait_ns' | 'no_gil_ns' | 'active_ns') => members.reduce((n, t) => n + t[key], 0);
    groups.push({
      name: groupName(members, pattern),
      tids: members.map((t) => t.tid),
      lifetime_ns: sum('lifetime_ns'),
      active_ns: sum('active_ns'),
      held_ns: sum('held_ns'),
      wait_ns: sum('wait_ns'),
      no_gil_ns: sum('no_gil_ns'),
      acquisitions: members.reduce((n, t) => n + t.acquisitions, 0),
      max_wait_ns: Math.max(...members.map((t) => t.wait.max_ns)),
    });
  }
  return groups.sort((a, b) => b.held_ns + b.wait_ns - (a.held_ns + a.wait_ns) || a.name.localeCompare(b.name));
}
