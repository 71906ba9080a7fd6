/**
 * One line written to tracefs's uprobe_events: the event's name in its group and the whole
 * definition (`p:group/name file:0xoffset args...`). The GIL probes (uprobes.ts) and the marker
 * probe (marker-probe.ts) both make them; uprobes.ts writes them.
 */
export interface ProbeLine {
  readonly name: string;
  readonly definition: string;
}
