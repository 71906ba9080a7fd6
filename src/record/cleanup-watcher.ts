/**
 * A SIGKILLed giltrace cannot clean up after itself: its perf (own process group, so that a
 * terminal's Ctrl-C reaches the target first) would record system-wide forever and its probes
 * stay registered. So every recording starts a tiny watcher process that outlives giltrace: it
 * is told the perf pids, the probe groups and giltrace's temporary files, and when its stdin
 * closes without a final "done" (the kernel closes it when giltrace dies, however it dies) it
 * stops perf, removes the groups and deletes the files itself.
 *
 * It also finishes a recording that went well: once perf has written the file, giltrace returns
 * and leaves the watcher to remove the probes when perf has closed its events (perf-finish.ts).
 *
 * The watcher is a POSIX shell script, not node: a second node starting beside giltrace took
 * ~0.15 s of CPU (perf's start, which it ran alongside, came 0.1 s later on 2 CPUs); the shell
 * starts in a millisecond and does what is needed with builtins (uprobe_events answers a busy
 * removal with EBUSY, which `echo` reports as a failure).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { processesNamed } from './orphan-recorders.js';

export interface CleanupWatcher {
  watchPerf(pid: number): void;
  watchGroup(group: string): void;
  /** A temporary file of giltrace's (temp-files.ts), removed if giltrace dies. */
  watchFile(path: string): void;
  /** giltrace cleaned up itself: the watcher leaves without doing anything. */
  done(): void;
  /** Whether a watcher runs to `finish` (it could not be started otherwise). */
  readonly canFinish: boolean;
  /**
   * giltrace leaves with its perfs closing their events (files complete, no signal needed): the
   * watcher waits until they have exited, then removes the probe groups.
   */
  finish(): void;
}

/** The watcher's $0: how its process is recognised (ownersBeingCleanedUp). */
const WATCHER_NAME = 'giltrace-cleanup-watcher';

/**
 * Reads "perf PID" / "group NAME" / "file PATH" lines; "done": leave; "finish": wait for the
 * perfs to exit (up to 60 s: closing takes an RCU grace period per event, seconds at most), then
 * remove the groups; end of input without either: giltrace died, so delete its files, SIGINT its
 * perfs (the partial recording stays readable), SIGKILL after 0.7 s, and remove the groups
 * (retrying 3 s while the kernel still holds them). Polls every 20 ms. Pids, group names and
 * paths (absolute, plain characters, no `..`, a giltrace temporary file's name) are checked
 * before use.
 */
export const WATCHER_SCRIPT = String.raw`
trap '' INT TERM HUP PIPE
tracefs=$2
perfs=
groups=
files=
alive() {
  read -r stat 2>/dev/null < "/proc/$1/stat" || return 1
  stat=${'${stat##*) }'}
  [ "${'${stat%% *}'}" != Z ]
}
any_alive() {
  for p in $perfs; do alive "$p" && return 0; done
  return 1
}
is_perf() {
  argv0=$(head -c 4096 "/proc/$1/cmdline" 2>/dev/null | tr '\000' '\n' | head -n 1)
  case $argv0 in *perf) return 0 ;; esac
  return 1
}
wait_perfs() {
  n=$1
  while [ "$n" -gt 0 ] && any_alive; do sleep 0.02; n=$((n - 1)); done
  for p in $perfs; do
    if alive "$p" && is_perf "$p"; then kill -KILL "$p" 2>/dev/null; fi
  done
}
remove_groups() {
  n=$1
  while :; do
    busy=
    for g in $groups; do
      for e in $(sed -n "s|^[pr]:$g/\([^ ]*\) .*|\1|p" "$tracefs/uprobe_events" 2>/dev/null); do
        echo "-:$g/$e" >> "$tracefs/uprobe_events" 2>/dev/null || busy=1
      done
    done
    [ -z "$busy" ] && return 0
    [ "$n" -le 0 ] && return 1
    sleep 0.02
    n=$((n - 1))
  done
}
while read -r word value; do
  case $word in
    perf) case $value in '' | *[!0-9]*) ;; *) perfs="$perfs $value" ;; esac ;;
    group) case $value in '' | *[!A-Za-z0-9_]*) ;; *) groups="$groups $value" ;; esac ;;
    file) case $value in *..* | *[!A-Za-z0-9_./-]*) ;; /*/giltrace-[a-z]*-[0-9]*-[0-9a-f]*) files="$files$value
" ;; esac ;;
    done) exit 0 ;;
    finish) wait_perfs 3000; remove_groups 150; exit 0 ;;
  esac
done
printf '%s' "$files" | while IFS= read -r f; do rm -f -- "$f"; done
for p in $perfs; do kill -INT "$p" 2>/dev/null; done
wait_perfs 35
remove_groups 150
`;

export function startCleanupWatcher(tracefs: string): CleanupWatcher {
  let child: ChildProcess | undefined;
  try {
    // its own session: neither a terminal's Ctrl-C nor a hang-up of giltrace's terminal reach it
    child = spawn('/bin/sh', ['-c', WATCHER_SCRIPT, WATCHER_NAME, String(process.pid), tracefs], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // sleep, sed, head and tr wherever giltrace was started (a test's PATH may be /nonexistent)
      env: { PATH: '/usr/bin:/bin' },
    });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    child = undefined; // no watcher: the next giltrace run still removes what a killed one left
  }
  const stdin = child?.stdin as (Writable & { unref?: () => void }) | undefined;
  stdin?.on('error', () => undefined);
  stdin?.unref?.();
  const tell = (line: string) => {
    if (stdin && !stdin.writableEnded) stdin.write(`${line}\n`);
  };
  const last = (line: string) => {
    tell(line);
    stdin?.end();
  };
  return {
    watchPerf: (pid) => tell(`perf ${pid}`),
    watchGroup: (group) => tell(`group ${group}`),
    watchFile: (path) => tell(`file ${path}`),
    done: () => last('done'),
    // a watcher that has gone (killed, failed) cannot finish: giltrace then waits and cleans up itself
    get canFinish() {
      return stdin !== undefined && !stdin.destroyed && child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
    },
    finish: () => last('finish'),
  };
}

/**
 * giltrace pids whose cleanup watcher is still at work: their probes and perfs are being taken
 * care of, so a new run neither waits for them nor signals them (found by the watchers' command
 * lines: `/bin/sh -c SCRIPT giltrace-cleanup-watcher OWNER TRACEFS`).
 */
export function ownersBeingCleanedUp(): Set<number> {
  const owners = new Set<number>();
  for (const { argv } of processesNamed((name) => name === 'sh')) {
    if (argv[3] === WATCHER_NAME && Number(argv[4]) > 0) owners.add(Number(argv[4]));
  }
  return owners;
}
