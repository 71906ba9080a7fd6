/**
 * The names giltrace's probes carry from the probe stage (which writes them into tracefs) to the
 * model (which reads them back out of the recording): probe group, event and field names. Written
 * once here and imported by both sides, so they cannot drift apart.
 *
 * A group is `giltrace_<pid>_<n>` (pid of the giltrace process that owns it, n-th group of that
 * process). Events: `take`, `drop` (and `take_ret`, take_gil's return, with `--exact-takes`;
 * recordings before 12-05 always have it) for the first copy of each GIL function, then `take_1`,
 * `take_ret_1`, `drop_1`, ... for further copies (clones, inlined drop_gil sites); and `mark`, the
 * marker probe of giltrace's Python hook.
 */

export const PROBE_GROUP_PREFIX = 'giltrace_';

/** What a giltrace probe event is, from its name inside the group. */
export type ProbeRole = 'take' | 'take_ret' | 'drop' | 'mark';

export const PROBE_ROLES: readonly ProbeRole[] = ['take', 'take_ret', 'drop', 'mark'];

export function probeGroupName(pid: number, n: number): string {
  return `${PROBE_GROUP_PREFIX}${pid}_${n}`;
}

/** The owning pid of a giltrace group name, or undefined when the name is not one. */
export function probeGroupOwner(group: string): number | undefined {
  if (!group.startsWith(PROBE_GROUP_PREFIX)) return undefined;
  const parts = group.slice(PROBE_GROUP_PREFIX.length).split('_');
  if (parts.length !== 2 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
  return Number(parts[0]);
}

/** `take` for the first copy, `take_1`, `take_2`, ... for the next ones. */
export function probeEventName(role: ProbeRole, copy: number): string {
  return copy === 0 ? role : `${role}_${copy}`;
}

/** The role of an event name inside a giltrace group (`take_ret_2` → 'take_ret'), or undefined. */
export function probeRoleOf(name: string): ProbeRole | undefined {
  const copy = /_\d+$/.exec(name);
  const base = copy ? name.slice(0, copy.index) : name;
  return (PROBE_ROLES as readonly string[]).includes(base) ? (base as ProbeRole) : undefined;
}

/** Fetched arguments of the probes (tracepoint field names in the recording). */
export const ProbeField = {
  /** take: the interpreter (tstate->interp) whose GIL is asked for, on 3.12+. */
  interp: 'interp',
  /** drop: where drop_gil was called from (return address, or the inlined site's own address). */
  returnAddress: 'ret',
  /** mark: the marker text and the magic that proves it is giltrace's hook calling. */
  markText: 'text',
  markMagic: 'magic',
} as const;

/**
 * The Python stack at a take or drop, innermost frame first: frame k's function name (co_qualname,
 * or co_name before 3.11) is `fn<k>`; the innermost frame also gives its file (co_filename) and
 * first line (co_firstlineno). A frame beyond the bottom of the stack, or a name that is not a
 * compact ASCII string, reads as an empty or unprintable name.
 */
export const FrameField = {
  name: (k: number): string => `fn${k}`,
  file: 'file0',
  line: 'line0',
  /**
   * The innermost frame's instruction at a drop (drops only; recordings since 12-07): f_lasti to
   * 3.10 (s32, an offset), prev_instr / instr_ptr from 3.11 (u64, an address in its code object's
   * bytecode). Which line that is, the holder samples' line tables say (B lines).
   */
  instruction: 'ip0',
  /**
   * Frame k's code object's address (`co<k>`, u64), in place of the names and file: the drop
   * probe of a file recording since 12-07 reads only these (and ip0), and the holder samples say
   * what each address is in its process (O lines, contract/sampled-recording.ts). Reading the
   * strings in the kernel was ~80 % of what function context cost a drop.
   */
  code: (k: number): string => `co${k}`,
  /**
   * Frame k's code object's co_filename pointer (u64), read with its address: an address is
   * named from the moment giltrace read it, and a code object freed before that and another made
   * at its address (modules' code, run once as they are imported) would lend the drop the other's
   * name; the file pointer tells them apart (model/code-names.ts).
   */
  codeFile: (k: number): string => `cf${k}`,
  /**
   * The first 8 bytes of frame k's code object's name as a compact ASCII str keeps its text
   * (u64; the innermost frame's only, `cn0`): with the file pointer, it tells a code object from
   * another made at its address whose file string was made at its file string's address too
   * (code compiled and freed in a loop).
   */
  codeName: (k: number): string => `cn${k}`,
} as const;

/** Deepest stack the probes can fetch (kernel limits on an argument's dereference chain). */
export const MAX_FRAMES = 8;

/** Marker texts (giltrace's Python hook): the magic second argument and the field separator. */
export const MARK_MAGIC = 'giltrace-mark-v1';
export const MARK_SEPARATOR = '\x1f';
