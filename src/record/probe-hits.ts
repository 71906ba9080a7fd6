/**
 * How often giltrace's GIL probes have fired so far, from tracefs, while perf records: what the
 * tracing costs the program right now (tracing-cost-watch.ts), without reading perf's output.
 * `uprobe_events` names each probe (`p:GROUP/EVENT FILE:0xOFFSET ...`) and `uprobe_profile`
 * counts its hits (`  FILE EVENT HITS`, without the group), line for line in the same order: the
 * kernel lists both from one list of probes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeRoleOf } from '../contract/probe-names.js';

/**
 * Hits of the take_gil entry probes of `groups` (a GIL cycle each), by group; undefined when the
 * two files do not pair line for line (a probe came or went between the two reads: read again).
 */
export function takeHitsOf(events: string, profile: string, groups: ReadonlySet<string>): Map<string, number> | undefined {
  const named = lines(events);
  const counted = lines(profile);
  if (named.length !== counted.length) return undefined;
  const hits = new Map<string, number>();
  for (let i = 0; i < named.length; i++) {
    const probe = /^[pr]:([^/\s]+)\/(\S+)\s/.exec(named[i]);
    // the profile line ends in the event's name and its hits (the file before them may hold spaces)
    const count = /\s(\S+)\s+(\d+)$/.exec(counted[i]);
    if (!probe || !count || count[1] !== probe[2]) return undefined;
    const [, group, event] = probe;
    if (!groups.has(group) || probeRoleOf(event) !== 'take') continue;
    hits.set(group, (hits.get(group) ?? 0) + Number(count[2]));
  }
  return hits;
}

/** The take probes' hits so far, by group, as tracefs counts them; undefined when they cannot be read now. */
export function readTakeHits(tracefs: string, groups: ReadonlySet<string>): Map<string, number> | undefined {
  try {
    return takeHitsOf(readFileSync(join(tracefs, 'uprobe_events'), 'utf8'), readFileSync(join(tracefs, 'uprobe_profile'), 'utf8'), groups);
  } catch {
    return undefined;
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
