#!/bin/sh
//bin/true; export GILTRACE_CALLER_GLIBC_TUNABLES="${GLIBC_TUNABLES+=$GLIBC_TUNABLES}" GLIBC_TUNABLES="glibc.malloc.arena_max=1:glibc.malloc.hugetlb=1${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"; case "$1" in record) exec node "$0" "$@";; esac; exec node --max-semi-space-size=4 "$0" "$@"
/**
 * giltrace command line: argv → commands. The only place that prints or exits.
 *
 * Run as a program, the two lines above are a shell script that starts node with a 4 MB young
 * generation for the commands that analyse (peak RSS of `stats` on the bench recording: 148 MB
 * instead of 170 MB, no slower; `record` analyses nothing, and without the cap starts ~20-40 ms
 * sooner: V8 scavenges less while it loads giltrace) and glibc's malloc set for giltrace's own
 * process (cli/own-malloc-settings.ts: the caller's GLIBC_TUNABLES kept aside, and given back to
 * everything giltrace starts); to node the second line is a comment. (`#!/usr/bin/env -S node …`
 * would say it in one line, but BusyBox's env has no -S.)
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { MAX_FRAMES } from '../contract/probe-names.js';
import { DEFAULT_SAMPLE_HZ, DEFAULT_SAMPLER_CPU_PERCENT, MAX_SAMPLE_HZ } from '../contract/sampled-recording.js';
import { GiltraceError } from '../base/errors.js';
import { restoreCallerMallocSettings } from './own-malloc-settings.js';
import type { RecordCliOptions } from './commands/record.js';
import type { TopCliOptions } from './commands/top.js';

// Each command's module is loaded when the command runs: `record` need not load the report's
// exporters and the analysis (node spends ~150 ms importing all of giltrace).

const DEFAULT_DATA = 'giltrace.data';
/**
 * Frames read per GIL release: the innermost and 2 callers. Each caller costs ~3 % more tracing
 * time on the pipe ping-pong (bench/tracing-overhead.ts: the default adds 9-16 % over tracing
 * without function context, run to run), and each frame past the bottom of a shallow stack a
 * fault in the kernel (~4 µs, as much as the probe hit itself); worker threads start 3-4 frames deep.
 */
const DEFAULT_STACK_DEPTH = 3;

/** The version in giltrace's package.json (dist/src/cli/ → the package's root, installed or not). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function parseStackDepth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_FRAMES) throw new InvalidArgumentError(`expected a whole number from 0 to ${MAX_FRAMES}`);
  return n;
}

function parsePid(value: string, previous: number[] = []): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a process id');
  return [...previous, n];
}

function collectPaths(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

function parseSampleHz(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLE_HZ) {
    throw new InvalidArgumentError(`expected ticks a second from 1 to ${MAX_SAMPLE_HZ}, as --sample=HZ (put the command after --)`);
  }
  return n;
}

function parseCpuPercent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError('expected a percent of one CPU, above 0 and at most 100');
  return n;
}

function addRecordOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--sample [hz]', `sample instead of tracing exactly: read who holds and who waits for the GIL from the process HZ times a second (default ${DEFAULT_SAMPLE_HZ}); no probes (~10 % of one CPU at 1000, a few % of a busy program's time), no root needed for your own processes; shares are estimates`)
        .preset(DEFAULT_SAMPLE_HZ)
        .argParser(parseSampleHz),
    )
    .addOption(
      new Option('--sample-cpu <percent>', 'with --sample: the most of one CPU the sampler may use; where its ticks cost more (many busy threads) they come less often, and the summary says so')
        .default(DEFAULT_SAMPLER_CPU_PERCENT)
        .argParser(parseCpuPercent),
    )
    .option('-p, --pid <pid>', 'attach to this running Python process instead of running a command (repeatable); its threads and the children it starts from then on are traced, the process is left unchanged', parsePid)
    .option('--duration <seconds>', 'with -p: stop after this long (default: Ctrl-C, or when the process exits)', parseSeconds)
    .option('--python <path>', 'a Python interpreter to trace (repeatable; default: the one the command runs, or for a command that is not Python the Pythons on its PATH)', collectPaths)
    .option('--buffer <size>', "perf's per-CPU ring buffer (perf -m syntax)", '16M')
    .option('-z, --compress', 'zstd-compress the recording (perf record -z)', false)
    .option('--exact-takes', "also probe take_gil's return: each wait's end observed, not placed from the scheduler events (one more trap a GIL cycle, ~2.7 µs here)", false)
    .addOption(
      new Option('--stack-depth <frames>', `Python frames read at each GIL event, innermost first (0: no function context; at most ${MAX_FRAMES})`)
        .default(DEFAULT_STACK_DEPTH)
        .argParser(parseStackDepth),
    );
}

function buildProgram(): Command {
  const program = new Command('giltrace')
    .description('See what the Python GIL does to your threads: who holds it, who waits, for how long.')
    .version(packageVersion(), '-V, --version', "print giltrace's version")
    .enablePositionalOptions()
    // usage errors are said in one line by reportFailure, not with the whole help after them
    .configureOutput({ outputError: () => {} })
    .exitOverride();

  addRecordOptions(
    program
      .command('run')
      .description('record a command (or attach to a running Python with -p), print the per-thread GIL summary and write an HTML report')
      .argument('[command...]', 'the command to trace, e.g. -- python3 app.py (or -p PID)')
      .option('-o, --output <report>', 'report file (.html, .json Chrome trace, .pftrace Perfetto)', 'giltrace.html')
      .option('--data <file>', 'where to keep the recording', DEFAULT_DATA)
      .option('--open', 'open the report in a browser when done', false)
      .passThroughOptions(),
  ).action(async (command: string[], options: RecordCliOptions & { output: string; data: string; open: boolean; sample?: number }) => {
    process.exitCode = await (await import('./commands/run.js')).runCommand(command, options);
  });

  addRecordOptions(
    program
      .command('record')
      .description('record a command (or attach to a running Python with -p) into a perf.data file (run as root)')
      .argument('[command...]', 'the command to trace, e.g. -- python3 app.py (or -p PID)')
      .option('-o, --output <file>', 'recording file', DEFAULT_DATA)
      .passThroughOptions(),
  ).action(async (command: string[], options: RecordCliOptions & { output: string; sample?: number }) => {
    const data = options.output;
    process.exitCode = options.sample !== undefined
      ? await (await import('./commands/sample.js')).sampleCommand(command, { ...options, sample: options.sample, data })
      : await (await import('./commands/record.js')).recordCommand(command, { ...options, data });
  });

  addRecordOptions(
    program
      .command('top')
      .description('a live view of the GIL, refreshed every second: attach with -p PID, or run a command')
      .argument('[command...]', 'the command to trace, e.g. -- python3 app.py (or -p PID)')
      .option('--data <file>', 'where to keep the recording', DEFAULT_DATA)
      .option('--interval <seconds>', 'seconds between refreshes', parseSeconds, 1)
      .option('--once', 'print one snapshot after the first interval and stop watching (an attached process is left as it was; a command runs on to its end)', false)
      .passThroughOptions(),
  ).action(async (command: string[], options: TopCliOptions) => {
    process.exitCode = await (await import('./commands/top.js')).topCommand(command, options);
  });

  program
    .command('stats')
    .description('per-thread GIL summary of a recording')
    .argument('[file]', 'recording', DEFAULT_DATA)
    .option('--json', 'print the giltrace.stats/1 JSON instead of the table', false)
    .option('--from <time>', 'only the part of the recording from this time after its start (seconds, or 2500ms)')
    .option('--to <time>', 'only the part of the recording up to this time after its start')
    .action(async (file: string, options: { json: boolean; from?: string; to?: string }) => (await import('./commands/stats.js')).statsCommand(file, options));

  program
    .command('diff')
    .description('compare two recordings (4 vs 16 threads, 3.12 vs 3.13t): per thread group and per function, side by side')
    .argument('<a>', 'the first recording (A)')
    .argument('<b>', 'the second recording (B)')
    .option('--json', 'print the giltrace.diff/1 JSON instead of the tables', false)
    .action(async (a: string, b: string, options: { json: boolean }) => (await import('./commands/diff.js')).diffCommand(a, b, options));

  program
    .command('report')
    .description('write a report of a recording: .html, .json (Chrome trace) or .pftrace (Perfetto)')
    .argument('[file]', 'recording', DEFAULT_DATA)
    .requiredOption('-o, --output <out>', 'output file; its extension picks the format')
    .option('--from <time>', 'only the part of the recording from this time after its start (seconds, or 2500ms): an HTML report exact where the whole one is drawn coarser, an export of that part alone')
    .option('--to <time>', 'only the part of the recording up to this time after its start')
    .action(async (file: string, options: { output: string; from?: string; to?: string }) => (await import('./commands/report.js')).reportCommand(file, options.output, options));

  program
    .command('combine')
    .description('merge a giltrace Chrome trace with VizTracer output of the same run')
    .argument('<gil>', 'giltrace Chrome trace JSON')
    .argument('<others...>', 'VizTracer JSON files')
    .requiredOption('-o, --output <out>', 'combined JSON file')
    .action(async (gil: string, others: string[], options: { output: string }) => (await import('./commands/combine.js')).combineCommand(gil, others, options.output));

  program
    .command('doctor')
    .description('check the prerequisites (root, perf, tracefs, uprobes, Python symbols) and say how to fix each')
    .option('--python <path>', 'also check this interpreter')
    .action(async (options: { python?: string }) => {
      process.exitCode = (await import('./commands/doctor.js')).doctorCommand(options);
    });

  program
    .command('clean')
    .description('remove probes and stop recorders left behind by giltrace runs that were killed')
    .action(async () => (await import('./commands/clean.js')).cleanCommand());

  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    process.exitCode = reportFailure(error, usageHint(program, argv));
  }
}

/** Where a usage error's command lists its options: `giltrace run --help`. */
function usageHint(program: Command, argv: readonly string[]): string {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const command = program.commands.find((c) => c.name() === name);
  return command ? `giltrace ${command.name()} --help lists its options` : 'giltrace --help lists the commands';
}

/** One line on stderr, exit code 2; stack traces only on request. */
function reportFailure(error: unknown, usage: string): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return 0;
    // help asked for, or shown for a bare `giltrace`, is printed already; a usage error is said here
    if (error.code !== 'commander.help' && error.code !== 'commander.helpDisplayed') {
      const message = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
      console.error(`giltrace: ${message} (${usage})`);
    }
    return 2;
  }
  if (process.env.GILTRACE_DEBUG === '1') console.error(error);
  if (error instanceof GiltraceError) {
    console.error(`giltrace: ${error.message}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`giltrace: internal error: ${message} (set GILTRACE_DEBUG=1 for details, and please report it)`);
  }
  return 2;
}

/**
 * A reader that stops reading (`giltrace stats --json FILE | head`) closes the pipe: what is left
 * to print is dropped, as that reader asked, with no stack trace, and the command finishes its
 * work (a recording still stops perf and removes its probes) and exits with its own code. Another
 * failure to write (a full disk under `> FILE`) is said in one line, exit code 2.
 */
function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      if (stream === process.stdout) console.error(`giltrace: cannot write the output: ${error.message}`);
      process.exitCode = 2;
    });
  }
}

// the bundle's stack traces point back into the TypeScript (scripts/build-cli-bundle.mjs)
if (process.env.GILTRACE_DEBUG === '1') process.setSourceMapsEnabled(true);
// before anything is started: perf, the traced command and interpreters get the caller's environment
restoreCallerMallocSettings();
quietOnClosedPipes();
await main(process.argv);
