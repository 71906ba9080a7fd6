/**
 * `giltrace top (-p PID | -- CMD)`: a live view refreshed every interval, like `py-spy top`.
 * perf streams its pipe form to giltrace (and into the recording file), or with --sample the
 * sampler writes its recording, read as it grows; each tick shows the
 * window since the last one and the totals since the start. On a terminal the view redraws in
 * the alternate screen and `q` (attached) or Ctrl-C stops; otherwise (or with --once) plain
 * snapshots are printed, one per tick. A normal recording is left behind either way.
 */
import { makeRecordingManifest } from '../../record/recording-manifest.js';
import { recordingProbeCosts, recordTarget } from '../../record/record-target.js';
import { LiveAnalysis, type LiveTick } from '../live-analysis.js';
import { LiveSampledAnalysis } from '../live-sampled-analysis.js';
import { styleFor } from '../terminal-table.js';
import { formatTop } from '../top-view.js';
import { recordRequest, resolveTraced, sayAttached, type RecordCliOptions } from './record.js';
import { sampleToFile } from './sample.js';

export interface TopCliOptions extends RecordCliOptions {
  readonly data: string;
  /** Seconds between refreshes. */
  readonly interval: number;
  /** One snapshot after the first interval, then stop watching (an attached process is left; a command runs on to its end). */
  readonly once: boolean;
  /** Sample (ticks a second) instead of tracing exactly. */
  readonly sample?: number;
}

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CLEAR = '\x1b[H\x1b[2J';
/** --once waits this many ticks for GIL activity before showing what it has. */
const ONCE_PATIENCE = 5;

export async function topCommand(command: readonly string[], options: TopCliOptions): Promise<number> {
  if (options.sample !== undefined) return topSampled(command, { ...options, sample: options.sample });
  const traced = resolveTraced(command, options);
  sayAttached(traced, options);
  const request = recordRequest(traced, options, options.data);
  const manifest = makeRecordingManifest(traced.command, traced.targets, process.pid, {
    attached: traced.processes.length > 0 ? traced.processes : undefined,
    // (the probes recordTarget places: code addresses with function context)
    probeCosts: recordingProbeCosts(request),
    takeReturns: options.exactTakes,
  });
  const live = new LiveAnalysis(manifest);
  try {
    return await showLive(options, traced.processes.length > 0, (final) => live.tick(final), async (stop, onStarted) => {
      const result = await recordTarget({
        ...request,
        compress: false, // perf's pipe output is parsed as it comes
        onData: (chunk) => live.push(chunk),
        live: true,
        onThreadNames: (names) => live.nameThreads(names),
        onGilAtAttach: (users) => live.gilAtAttach(users),
        onHolderSamples: (file) => live.holderSamplesFrom(file),
        stop,
        onRecording: onStarted,
      });
      return { exitCode: result.exitCode, messages: result.warnings.map((warning) => `giltrace: warning: ${warning}`) };
    });
  } finally {
    live.close();
  }
}

/**
 * `top --sample`: the sampler writes its recording as usual and the view reads it as it grows
 * (live-sampled-analysis.ts): no probes, no perf, no root for one's own processes.
 */
async function topSampled(command: readonly string[], options: TopCliOptions & { sample: number }): Promise<number> {
  const live = new LiveSampledAnalysis(options.data);
  try {
    return await showLive(options, (options.pid ?? []).length > 0, (final) => live.tick(final), async (stop, onStarted) => {
      const messages: string[] = [];
      const { result } = await sampleToFile(command, options, { stop, onSampling: onStarted, say: (line) => messages.push(line) });
      return { exitCode: result.exitCode, messages };
    });
  } finally {
    live.close();
  }
}

/**
 * The view: a snapshot every interval from `tickNow` while `run` records (it calls `onStarted`
 * once it does, and stops early when `stop` fires), the last one (`final`: the recording is
 * complete) left on the screen, then `run`'s messages; returns `run`'s exit code.
 */
async function showLive(
  options: TopCliOptions,
  attaching: boolean,
  tickNow: (final: boolean) => LiveTick | undefined,
  run: (stop: AbortSignal, onStarted: () => void) => Promise<{ readonly exitCode: number; readonly messages: readonly string[] }>,
): Promise<number> {
  const stop = new AbortController();
  const screen = process.stdout.isTTY === true && !options.once;
  const style = styleFor(process.stdout.isTTY === true);
  // keys only when attached: a command's own stdin stays the terminal's
  const keys = screen && attaching && process.stdin.isTTY ? listenForQuit(() => stop.abort()) : undefined;
  const hint = keys ? 'q quits' : screen ? 'Ctrl-C ends the program' : undefined;
  // the reader of the snapshots gone (`giltrace top -p PID | head`): nobody to show them to, so
  // an attached process is left as q leaves it (a command traced runs on to its end)
  const readerGone = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' && attaching) stop.abort();
  };
  process.stdout.on('error', readerGone);
  let last: LiveTick | undefined;
  let shownOnce = false;
  let ticks = 0;
  const draw = () => {
    const tick = tickNow(false) ?? last;
    ticks++;
    if (!tick) return;
    last = tick;
    if (options.once) {
      // the first tick that saw the GIL at work (a program may take a while to get there)
      if (shownOnce || (tick.window.processes.length === 0 && ticks < ONCE_PATIENCE)) return;
      shownOnce = true;
      process.stdout.write(formatTop(tick, { style }).join('\n') + '\n');
      if (attaching) stop.abort();
      return;
    }
    const lines = formatTop(tick, { style, rows: process.stdout.rows, hint });
    process.stdout.write(screen ? CLEAR + lines.join('\n') : lines.join('\n') + '\n\n');
  };
  if (screen) process.stdout.write(ALT_SCREEN_ON);
  let timer: NodeJS.Timeout | undefined;
  try {
    const { exitCode, messages } = await run(stop.signal, () => {
      timer = setInterval(draw, options.interval * 1000);
    });
    clearInterval(timer);
    if (screen) process.stdout.write(ALT_SCREEN_OFF);
    if (!options.once || !shownOnce) {
      // the last window (what stays on the screen afterwards), unless the processes were gone by
      // then; with --once, the one snapshot of a command that ended before the first interval
      const final = tickNow(true);
      const shown = final && last ? lastFrame(final, last, options.interval) : final;
      const tick = shown && shown.window.processes.length > 0 ? shown : screen ? last : undefined;
      if (tick) process.stdout.write(formatTop(tick, { style }).join('\n') + '\n');
    }
    // said once off the alternate screen, which would take them with it
    for (const message of messages) console.error(message);
    console.error(`giltrace: recording kept in ${options.data}; see it with: giltrace stats ${options.data}`);
    return exitCode;
  } finally {
    clearInterval(timer);
    keys?.();
    process.stdout.off('error', readerGone);
    if (screen) process.stdout.write(ALT_SCREEN_OFF);
  }
}

/**
 * The frame left on the screen once the recording is complete: its totals to the end, and its
 * window, unless the program ended just after the previous frame: then that sliver (13 µs seen,
 * every thread at 0 % and the ones gone before it not shown) gives way to the previous frame's
 * full window.
 */
export function lastFrame(final: LiveTick, previous: LiveTick, intervalS: number): LiveTick {
  const sliver = final.windowNs < (intervalS * 1e9) / 2 || final.window.processes.length === 0;
  return sliver && previous.window.processes.length > 0 ? { ...final, window: previous.window, windowNs: previous.windowNs } : final;
}

/** Raw keys from the terminal: q or Ctrl-C quits. Returns the undo. */
function listenForQuit(quit: () => void): () => void {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (key: Buffer) => {
    if (key.includes(0x71) || key.includes(0x51) || key.includes(0x03)) quit();
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
