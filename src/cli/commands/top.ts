/**
 * `giltrace top (-p PID | -- CMD)`: a live view refreshed every interval, like `py-spy top`.
 * perf streams its pipe form to giltrace (and into the recording file); each tick shows the
 * window since the last one and the totals since the start. On a terminal the view redraws in
 * the alternate screen and `q` (attached) or Ctrl-C stops; otherwise (or with --once) plain
 * snapshots are printed, one per tick. A normal recording is left behind either way.
 */
import { probeCostPerCycle } from '../../record/probe-cost.js';
import { makeRecordingManifest } from '../../record/recording-manifest.js';
import { recordTarget } from '../../record/record-target.js';
import { LiveAnalysis, type LiveTick } from '../live-analysis.js';
import { styleFor } from '../terminal-table.js';
import { formatTop } from '../top-view.js';
import { probeOptionsOf, recordRequest, resolveTraced, sayAttached, type RecordCliOptions } from './record.js';

export interface TopCliOptions extends RecordCliOptions {
  readonly data: string;
  /** Seconds between refreshes. */
  readonly interval: number;
  /** One snapshot after the first interval, then stop watching (an attached process is left; a command runs on to its end). */
  readonly once: boolean;
}

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CLEAR = '\x1b[H\x1b[2J';
/** --once waits this many ticks for GIL activity before showing what it has. */
const ONCE_PATIENCE = 5;

export async function topCommand(command: readonly string[], options: TopCliOptions): Promise<number> {
  const traced = resolveTraced(command, options);
  sayAttached(traced, options);
  const attaching = traced.processes.length > 0;
  const costs = traced.targets.map((target) => probeCostPerCycle(target, probeOptionsOf(options)));
  const manifest = makeRecordingManifest(traced.command, traced.targets, process.pid, {
    attached: attaching ? traced.processes : undefined,
    probeCosts: costs,
    takeReturns: options.exactTakes,
  });
  const live = new LiveAnalysis(manifest);
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
    const tick = live.tick() ?? last;
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
    const result = await recordTarget({
      ...recordRequest(traced, options, options.data),
      compress: false, // perf's pipe output is parsed as it comes
      onData: (chunk) => live.push(chunk),
      stop: stop.signal,
      onRecording: () => {
        timer = setInterval(draw, options.interval * 1000);
      },
    });
    clearInterval(timer);
    if (screen) process.stdout.write(ALT_SCREEN_OFF);
    if (!options.once) {
      // the last window (what stays on the screen afterwards), unless the processes were gone by then
      const final = live.tick();
      const tick = final && final.window.processes.length > 0 ? final : screen ? last : undefined;
      if (tick) process.stdout.write(formatTop(tick, { style }).join('\n') + '\n');
    }
    for (const warning of result.warnings) console.error(`giltrace: warning: ${warning}`);
    console.error(`giltrace: recording kept in ${options.data}; see it with: giltrace stats ${options.data}`);
    return result.exitCode;
  } finally {
    clearInterval(timer);
    keys?.();
    process.stdout.off('error', readerGone);
    if (screen) process.stdout.write(ALT_SCREEN_OFF);
  }
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
