/**
 * The file `giltrace record --sample` writes: what the sampler saw, as text lines (the model
 * turns them into the same timeline exact recordings give; model/sampled-recording.ts).
 *
 *   giltrace-sampled/1                      magic line
 *   {header JSON}                           SampledHeader
 *   P <t> <pid> <minor> <file>              a Python process sampled from t on
 *   A <t> <pid> <argv JSON>                 its command line, as it was then (/proc/PID/cmdline)
 *   U <t> <pid> <why>                       a process that could not be sampled, and why
 *   W <t> <pid> <what>                      what could not be seen of a sampled process
 *   N <t> <pid> <tid> <name>                a thread's OS name (first seen, or changed)
 *   T <t> <pid> <tid> <name>                its Python name (`threading`), told by giltrace's hook
 *                                           in the programs giltrace starts (GILTRACE_NAMES)
 *   F <id>\t<name>\t<file>\t<line>[\t<caller>...]
 *                                           a Python stack (innermost function, callers' names)
 *   K <id> <stack> <line>                   stack id `id` is the F stack at the given line: a waiter's
 *                                           stack (S's asked) with the line it let the GIL go at
 *                                           (since 12-07)
 *   S <t> <pid> <tid> <gil><cpu> <index> <held> <asked> [<since>]
 *                                           a thread's state from t on (first seen, or changed):
 *                                           gil ∈ n (none) w (waiting) h (holding);
 *                                           cpu ∈ r (running, or waiting for a CPU: see Q)
 *                                           q (runnable; written until 12-06) s (sleeping)
 *                                           d (blocked);
 *                                           index: which of the process's GILs (-1: none yet);
 *                                           held: the F id of the stack it last held the GIL in
 *                                           (0: none), so a hold that ends here ended there;
 *                                           asked: of the stack it waits in (0: none); with gil
 *                                           n, after holding or waiting, the stack it let the GIL
 *                                           go in, read once without it (it runs no Python then:
 *                                           the C call it is in; since 12-07), so a drop here
 *                                           was there;
 *                                           since: ns from the process's previous look to t
 *                                           (for an idle thread looked at in its turn, from its
 *                                           own previous look): the change happened in between
 *                                           (absent: at t). Placed halfway, except at a late
 *                                           tick, where a thread that went onto a CPU is placed
 *                                           early in the gap and one that left its CPU for a
 *                                           sleep late in it (the reader's placeTick: ticks come
 *                                           late when the traced threads take the CPUs)
 *   Y <t> <pid> <tid> <asked> <since>        the thread, without the GIL at its previous look and
 *                                           now, asleep now and switched since, is in another stack
 *                                           (S's asked: where it let the GIL go, at its line): it
 *                                           took the GIL and let it go again in between (a lock,
 *                                           then a sleep); placed halfway (since 12-07)
 *   Q <t> <pid> <tid> <ns> <since>          the thread waited ns for a CPU since its previous look
 *                                           (since: ns from that look to t; the kernel's run delay
 *                                           grew, which it counts as a thread gets a CPU): it got
 *                                           one where its change at t is placed, or halfway, and
 *                                           was runnable for ns before, back to its previous
 *                                           change at the most (since 12-06)
 *   X <t> <pid> <tid> [h|- [<since>]]       the thread is gone; `h`: it held its GIL at t (the
 *                                           tick's snapshot) and was gone by its look, so it let go
 *                                           as it ended, after t: placed half a period on, as the
 *                                           next tick's changes are (since 12-06); else it ended
 *                                           within since (ns from its last look to t; absent in
 *                                           older files and for a process's end): placed halfway
 *   (S's since for a thread first seen after its process's first tick: from when the thread
 *   list was last known whole without it, unless it holds; since 12-06)
 *   H <t> <pid> <tid> <stack> <since> [<at>]
 *                                           the thread held its GIL at t, running the F stack (0:
 *                                           none read); since: ns since the previous such look at
 *                                           the process (the time the sample stands for: ticks come
 *                                           late on busy CPUs); at: the line its innermost frame
 *                                           ran (absent: not known, or an older file; since 12-06).
 *                                           Every 4 ticks in a sampled recording (since 12-05),
 *                                           every tick in holder samples
 *   L <stack> <line>\t<text>                the text of a line of the F stack's innermost function, as the
 *                                           traced process saw its file (trimmed, cut at 120 characters):
 *                                           written once, before the first H line at that line, when
 *                                           the file could be read (since 12-06)
 *   B <stack> <base> <scale> <end> <start> <line> [<start> <line>...]
 *                                           the lines of the F stack's innermost code object by
 *                                           instruction (contract/line-ranges.ts): from byte offset
 *                                           start on, line (0: none), up to the next start or end
 *                                           ('-': the table does not say); a drop probe's
 *                                           instruction i lies at byte (i - base) * scale. Once per
 *                                           code object, with L lines for its first 300 lines; in
 *                                           holder samples from a holder's stack or from every
 *                                           thread's, read every 200 ms (since 12-07)
 *   O <t> <pid> <code> <stack> <file> <name>
 *                                           the code object at address code (hex) in process pid is,
 *                                           from t on, the F stack's innermost function (a one-frame
 *                                           stack, its B line after it), its co_filename at address
 *                                           file (hex), the first 8 bytes where its name's text lies
 *                                           if compact ASCII as name (hex, in memory order): an exact
 *                                           recording's drop probe reads frames' code addresses
 *                                           (FrameField.code) and the innermost one's file pointer and
 *                                           name bytes, and the holder sampler reads each new
 *                                           address from the process's memory as perf writes the drops
 *                                           (record/drop-codes.ts). A later O line for the same
 *                                           address: another code object made where a freed one was.
 *                                           In holder samples since 12-07
 *   D <offset>                              the drops in the recording's first offset bytes have their
 *                                           code addresses named (O lines before it); -1: the naming
 *                                           stopped. Written for a live view (`top`), which names a
 *                                           drop only once its addresses were read (since 12-07)
 *   R <t> <ns>                              from t on the ticks are due every ns: the sampler's thread
 *                                           used more of a CPU than the header's cpuBudget (or, slowed,
 *                                           again well under it); since 12-06
 *   C <t> <ticks> <late> <cpu> [<own>]      so far (written with each batch of lines, ~5 a second):
 *                                           as the E line, for a live view and a file cut short
 *   E <t> <ticks> <late> <cpu> [<own>]      end: ticks taken, ticks skipped (the sampler came late),
 *                                           CPU time giltrace used while sampling (ns), and of it the
 *                                           sampler's own thread's (ns; since 12-06)
 *
 * An exact recording carries the same lines of a sampler that looked only at who held each GIL
 * and what it ran (header `holders`: P U A F L B H O C E lines, no thread states), in a feature section
 * of its own (HOLDER_SAMPLES_FEATURE, deflated): the probes see where a hold ends, the samples
 * what ran during it.
 *
 * `t` is integer ns of CLOCK_MONOTONIC since the header's `timeBaseNs`. A state holds until the
 * thread's next line, or the end: threads alive at the end have no X line. A file without its E
 * line was cut short (giltrace killed) and ends at its last line.
 */

export const SAMPLED_MAGIC = 'giltrace-sampled/1';

/** `--sample` without a rate: ticks a second. Above the maximum node's timers cannot keep up. */
export const DEFAULT_SAMPLE_HZ = 1000;
export const MAX_SAMPLE_HZ = 2000;
/**
 * The most of one CPU the sampler's thread uses unless told otherwise (--sample-cpu), percent:
 * where its ticks cost more (many busy threads), they come less often (record/tick-budget.ts).
 */
export const DEFAULT_SAMPLER_CPU_PERCENT = 10;

export interface SampledHeader {
  /** Absolute CLOCK_MONOTONIC ns of t = 0, as a decimal string (exceeds 2^53). */
  readonly timeBaseNs: string;
  /** Ticks a second asked for. */
  readonly hz: number;
  readonly command: readonly string[];
  /** Attached processes (absent when giltrace ran the command). */
  readonly attached?: readonly { readonly pid: number; readonly command: readonly string[] }[];
  readonly cpus: number;
  /** CLOCK_BOOTTIME − CLOCK_MONOTONIC at the start, ns, as a decimal string, when known. */
  readonly boottimeMinusMonotonicNs?: string;
  /** Holder samples of an exact recording (H lines), not a sampled recording. */
  readonly holders?: true;
  /**
   * The sampler could not ask for a short time slice (record/sampler-slice.ts: no perl or
   * python3 to make the call): its ticks may have waited for a program thread to sleep, when a
   * thread that sleeps often has just let go of the GIL (since 12-06; absent: asked, or an
   * earlier file).
   */
  readonly lateWakes?: true;
  /**
   * The most of one CPU the sampler's thread was to use (0.1: 10 %): where its ticks cost more,
   * they came less often (R lines; since 12-06; absent: no limit, or an earlier file).
   */
  readonly cpuBudget?: number;
}

/** A holder's Python stack is read in the sampled mode when its hold begins, then every this many ticks (its H lines). */
export const STACK_EVERY_TICKS = 4;

/** The perf.data feature section (bit) of an exact recording's holder samples: this format, deflated. */
export const HOLDER_SAMPLES_FEATURE = 254;
/**
 * Holder samples a second while an exact recording records with function context. Each tick
 * costs the sampler's thread ~90 µs of CPU on the test VM (a futex wake-up there is dear): 250 a
 * second is ~2 % of a CPU, 1000 was 7-8 %.
 */
export const HOLDER_SAMPLE_HZ = 250;

export type SampledGil = 'n' | 'w' | 'h';
export type SampledCpu = 'r' | 'q' | 's' | 'd';
