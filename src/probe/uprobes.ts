/**
 * GIL uprobes as one tracefs group per giltrace run: `giltrace_<pid>_<n>`, so concurrent runs
 * never touch each other's probes and a later run can tell a crashed run's leftovers (dead pid).
 * Events: take/drop (and take_ret with `takeReturns`) for the first copy of each function,
 * take_1/drop_1... for further copies. `uprobe_events` is always opened for append: truncating
 * it would delete every probe on the system.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GiltraceError } from '../base/errors.js';
import { retrySync } from '../base/sleep.js';
import type { PythonTarget } from './python-target.js';
import { markerProbeLine } from './marker-probe.js';
import type { ProbeLine } from './probe-line.js';
import { ensureTracefs } from './tracefs.js';
import { codeFetchArgs, frameFetchArgs } from './frame-layout.js';
import { MAX_FRAMES, PROBE_GROUP_PREFIX, ProbeField, probeEventName, probeGroupName, probeGroupOwner } from '../contract/probe-names.js';

export interface GilProbeGroup {
  readonly group: string;
  /** Names for `perf record -e`, e.g. 'giltrace_123_1:take'. */
  readonly eventNames: readonly string[];
  /**
   * Removes the group's events. Idempotent and never throws. Events that perf still has open
   * cannot be removed (EBUSY): they are returned, and a later call (after perf exits) removes them.
   */
  remove(): readonly string[];
}

let groupCounter = 0;

export interface ProbeOptions {
  /** Python frames read at each take/drop (0 = no function context); capped at MAX_FRAMES. */
  readonly frameDepth?: number;
  /**
   * Probe take_gil's return too (`--exact-takes`). Without it (the default) each take's end is
   * placed from the drops and the scheduler events (model/take-placement.ts): the return probe
   * is a third trap a GIL cycle, ~2.7 µs of ~15 on the test VM.
   */
  readonly takeReturns?: boolean;
  /**
   * The drop probe reads the frames' code object addresses instead of their names (codeFetchArgs):
   * for a recording whose holder sampler names them while the process runs (record/drop-codes.ts).
   */
  readonly codePointers?: boolean;
}

export function probeDefinitions(target: PythonTarget, group: string, options: ProbeOptions = {}): ProbeLine[] {
  const lib = target.gilLibrary;
  if (/\s/.test(lib)) throw new GiltraceError(`cannot probe '${lib}': tracefs does not accept paths containing spaces`);
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const depth = Math.min(Math.max(0, options.frameDepth ?? 0), MAX_FRAMES);
  const context = depth > 0 ? target.frameContext : undefined;
  const frames = (tstate: string | undefined, withInstruction = false): string[] => {
    if (!context || !tstate) return [];
    return options.codePointers ? codeFetchArgs(context.layout, tstate, depth) : frameFetchArgs(context.layout, tstate, depth, withInstruction);
  };
  const line = (kind: 'p' | 'r', name: string, offset: number, args: readonly string[]): ProbeLine => ({
    name,
    definition: [`${kind}:${group}/${name} ${lib}:${hex(offset)}`, ...args].join(' '),
  });
  const lines: ProbeLine[] = [];
  target.takeGil.forEach((site, i) => {
    // No stack here: a thread asks for the GIL back where it gave it up (the same C call, or the
    // eval loop it was forced out of), so its previous drop's stack says where it waits. Reading
    // it at drops only halves what function context costs.
    const interp = target.interpArg ? [target.interpArg] : [];
    lines.push(line('p', probeEventName('take', i), site.fileOffset, interp));
    if (options.takeReturns) lines.push(line('r', probeEventName('take_ret', i), site.fileOffset, []));
  });
  target.dropGil.forEach((site, i) => {
    // The return address at entry: who called drop_gil, hence forced or voluntary. An inlined
    // copy has no call: its own address lies inside the function it was inlined into, which
    // classifies the same way.
    const caller = site.inlinedInto === undefined ? `${ProbeField.returnAddress}=+0(%sp):x64` : `${ProbeField.returnAddress}=%ip:x64`;
    lines.push(line('p', probeEventName('drop', i), site.fileOffset, [caller, ...frames(context?.dropTstate[i], true)]));
  });
  return lines;
}

/** `withMarker`: also the marker probe (marker-probe.ts) that carries Python thread names. */
export function registerGilProbes(target: PythonTarget, options: ProbeOptions & { withMarker?: boolean } = {}): GilProbeGroup {
  const tracefs = ensureTracefs();
  const existing = new Set(listProbeGroups());
  let group: string;
  do group = probeGroupName(process.pid, ++groupCounter);
  while (existing.has(group));

  const lines = probeDefinitions(target, group, options);
  const marker = options.withMarker ? markerProbeLine(target.executable, group) : undefined;
  if (marker) lines.push(marker);
  const added = addEvents(tracefs, group, lines);
  return makeGroup(tracefs, group, added);
}

/**
 * Adds the lines in order; if one is refused, removes those already added and throws, so a
 * failed registration leaves nothing behind.
 */
export function addEvents(tracefs: string, group: string, lines: readonly ProbeLine[]): string[] {
  const added: string[] = [];
  try {
    for (const line of lines) {
      writeEvents(tracefs, line.definition);
      added.push(line.name);
    }
  } catch (e) {
    makeGroup(tracefs, group, added).remove();
    const detail = lastErrorLog(tracefs);
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const failed = lines[added.length]?.definition ?? '';
    throw new GiltraceError(`could not add uprobe '${failed}' to ${tracefs}/uprobe_events: ${why}${detail ? ` (${detail})` : ''}`);
  }
  return added;
}

function makeGroup(tracefs: string, group: string, added: string[]): GilProbeGroup {
  return {
    group,
    get eventNames() {
      return added.map((name) => `${group}:${name}`);
    },
    remove() {
      const busy: string[] = [];
      for (const name of [...added].reverse()) {
        if (removeEvent(tracefs, group, name) === 'busy') busy.push(`${group}:${name}`);
      }
      return busy.reverse();
    },
  };
}

/** 'ok' also when the event was already gone (idempotent removal). */
function removeEvent(tracefs: string, group: string, name: string): 'ok' | 'busy' {
  try {
    writeEvents(tracefs, `-:${group}/${name}`);
    return 'ok';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EBUSY') return 'busy';
    return 'ok'; // ENOENT: already removed; anything else cannot be fixed by retrying either
  }
}

function writeEvents(tracefs: string, line: string): void {
  fs.appendFileSync(path.join(tracefs, 'uprobe_events'), `${line}\n`);
}

/** Every giltrace_* group currently defined, in order of appearance. */
export function listProbeGroups(): string[] {
  const tracefs = ensureTracefs();
  const groups: string[] = [];
  for (const entry of readEvents(tracefs)) if (entry.group.startsWith(PROBE_GROUP_PREFIX) && !groups.includes(entry.group)) groups.push(entry.group);
  return groups;
}

/**
 * Removes groups left by giltrace runs that died without cleaning up (SIGKILL). A group stays
 * while its pid belongs to a live node/giltrace process (another run or test may be using it),
 * or to a giltrace whose cleanup watcher is still at work (`leave`: it removes them itself).
 */
export function removeStaleProbeGroups(options: { waitMs?: number; leave?: ReadonlySet<number> } = {}): string[] {
  const tracefs = ensureTracefs();
  const removed: string[] = [];
  // A killed run's perf may still be exiting and hold its events open (EBUSY) for a moment.
  retrySync(() => {
    let busy = false;
    const entries = readEvents(tracefs);
    for (const group of new Set(entries.map((e) => e.group))) {
      const owner = probeGroupOwner(group);
      if (owner === undefined || isLiveGiltrace(owner) || options.leave?.has(owner)) continue;
      let groupBusy = false;
      for (const e of entries.filter((x) => x.group === group)) {
        if (removeEvent(tracefs, group, e.name) === 'busy') groupBusy = true;
      }
      if (groupBusy) busy = true;
      else removed.push(group);
    }
    return !busy;
  }, options.waitMs ?? 0);
  return removed;
}

/**
 * Removes every event of one group, retrying while perf still has them open (EBUSY) for up to
 * `waitMs`; true when the group is gone. For the watcher that cleans up after a killed giltrace.
 */
export function removeProbeGroup(group: string, waitMs: number): boolean {
  const tracefs = ensureTracefs();
  return retrySync(() => {
    let busy = false;
    for (const e of readEvents(tracefs)) {
      if (e.group === group && removeEvent(tracefs, group, e.name) === 'busy') busy = true;
    }
    return !busy;
  }, waitMs, 20);
}

function readEvents(tracefs: string): Array<{ group: string; name: string }> {
  let text: string;
  try {
    text = fs.readFileSync(path.join(tracefs, 'uprobe_events'), 'utf8');
  } catch (e) {
    throw new GiltraceError(`cannot read ${tracefs}/uprobe_events: ${(e as Error).message}; run giltrace as root`);
  }
  const out: Array<{ group: string; name: string }> = [];
  for (const line of text.split('\n')) {
    const m = /^[pr]:([^/\s]+)\/(\S+)\s/.exec(line);
    if (m) out.push({ group: m[1], name: m[2] });
  }
  return out;
}

/** Whether `pid` is this or another running giltrace (any node process counts: a test's may be one). */
export function isLiveGiltrace(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const exe = path.basename(safeReadlink(`/proc/${pid}/exe`));
    return cmdline.includes('giltrace') || exe.startsWith('node');
  } catch {
    return false; // no such process
  }
}

function safeReadlink(p: string): string {
  try {
    return fs.readlinkSync(p);
  } catch {
    return '';
  }
}

/** The kernel's reason for the last refused definition, e.g. "Failed to parse address or file." */
function lastErrorLog(tracefs: string): string {
  try {
    const lines = fs.readFileSync(path.join(tracefs, 'error_log'), 'utf8').trim().split('\n');
    const last = [...lines].reverse().find((l) => /error:/.test(l));
    return last ? last.replace(/^.*?error:\s*/, '').trim() : '';
  } catch {
    return '';
  }
}
