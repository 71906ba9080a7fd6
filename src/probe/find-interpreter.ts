/**
 * From what the user typed to the ELF file the kernel will finally run: PATH lookup, `env`
 * prefixes, shebang scripts (`#!/usr/bin/python3`, `#!/usr/bin/env python3`, pip's `'''exec'`
 * trick for long paths), console scripts (pytest), pyenv shims (bash scripts that exec
 * `pyenv exec NAME`), symlinks (venvs).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GiltraceError } from '../base/errors.js';
import { cachedFromFiles } from './disk-cache.js';
import { isElfFile, readHead } from './elf/elf-file.js';
import { readInterpreterFacts } from './interpreter-facts.js';
import { NotPythonError } from './not-python-error.js';

const MAX_HOPS = 8;
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh']);

export interface LocatedCommand {
  /** Absolute path of the program named first on the command line (after `env` prefixes). */
  readonly program: string;
  /** Environment after `env VAR=value` prefixes. */
  readonly env: NodeJS.ProcessEnv;
  /** The arguments after the program. */
  readonly args: readonly string[];
}

/** `env [-i] [VAR=value]... PROG` is unwrapped; other wrappers (time, nice, sudo) are not. */
export function locateCommand(command: readonly string[], env: NodeJS.ProcessEnv): LocatedCommand {
  if (command.length === 0 || command[0] === '') throw new GiltraceError('no command given: giltrace run -- python3 app.py');
  let args = [...command];
  let effective: NodeJS.ProcessEnv = { ...env };
  while (args.length > 0 && path.basename(args[0]) === 'env') {
    args = args.slice(1);
    while (args.length > 0) {
      const a = args[0];
      if (a === '-i' || a === '--ignore-environment') effective = {};
      else if (a === '-u' && args.length > 1) { delete effective[args[1]]; args = args.slice(1); }
      else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) effective[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
      else if (a === '--') { args = args.slice(1); break; }
      else if (a.startsWith('-')) throw new GiltraceError(`cannot follow 'env ${a}' to find the Python; pass --python PATH`);
      else break;
      args = args.slice(1);
    }
  }
  if (args.length === 0) throw new GiltraceError('no command given after env: giltrace run -- python3 app.py');
  return { program: findOnPath(args[0], effective), env: effective, args: args.slice(1) };
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string {
  if (name.includes('/')) {
    const abs = path.resolve(name);
    if (!fs.existsSync(abs)) throw new GiltraceError(`'${name}' does not exist; pass --python PATH`);
    return abs;
  }
  // execvp's default when PATH is unset (e.g. after `env -i`)
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = path.resolve(dir || '.', name);
    if (isExecutableFile(candidate)) return candidate;
  }
  const kind = /^python/.test(name) ? 'python' : 'command';
  throw new GiltraceError(`${kind} not found: '${name}' is not on PATH; pass --python PATH`);
}

/** Follows scripts and shims until an ELF file; returns its real path. */
export function followToElf(start: string, env: NodeJS.ProcessEnv): string {
  let file = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const real = realpath(file);
    if (isElfFile(real)) return real;
    const head = readHead(real, 1024).toString('latin1');
    if (!head.startsWith('#!')) {
      throw new GiltraceError(`'${start}' is neither a program nor a script with a #! line; run it as 'python3 ${start}', or pass --python PATH`);
    }
    const [interp, ...interpArgs] = head.slice(2).split('\n')[0].trim().split(/\s+/);
    // `#!/usr/bin/env NAME`: NAME is the interpreter, looked up on PATH.
    const viaEnv = path.basename(interp ?? '') === 'env';
    const named = viaEnv ? interpArgs.find((a) => !a.startsWith('-') && !a.includes('=')) : interp;
    if (!named) throw new GiltraceError(`cannot read the interpreter from the #! line of '${real}'; pass --python PATH`);
    if (SHELLS.has(path.basename(named))) {
      file = followShellScript(file, head, env, start);
    } else {
      file = viaEnv ? findOnPath(named, env) : named;
    }
  }
  throw new GiltraceError(`'${start}' leads through more than ${MAX_HOPS} scripts and shims; pass --python PATH`);
}

function followShellScript(script: string, head: string, env: NodeJS.ProcessEnv, start: string): string {
  // pip writes `#!/bin/sh` + `'''exec' "/long/path/python" "$0" "$@"` when the path is too long for #!.
  const pipTrick = /^'''exec' "?([^"\s]+)"? "\$0" "\$@"/m.exec(head);
  if (pipTrick) return pipTrick[1];
  const pyenv = /exec "([^"]*\/libexec\/pyenv)" exec "\$program"/.exec(head);
  if (pyenv) return pyenvWhich(pyenv[1], path.basename(script), env);
  if (/^python/.test(path.basename(script))) {
    // Some other wrapper named python: ask the interpreter it finally starts.
    const executable = readInterpreterFacts(script, env).executable;
    if (executable) return executable;
  }
  throw new NotPythonError(`'${start}' is a shell script, not Python: giltrace cannot see which Python it starts; pass --python PATH`);
}

/**
 * A pyenv shim: ask pyenv which real file it would exec for this name, under this environment.
 * `pyenv which` takes ~0.2 s (bash, its plugins' hooks), a third of what giltrace adds to a short
 * run, so its answer is kept, keyed by what pyenv chooses the version from (the version file it
 * would read: pyenvVersionFile; PYENV_VERSION), the other PYENV_* variables and PATH (for `system`), so
 * that a run from a new folder under the same project, or with no local version at all, is
 * answered too; and used again only while the files it chooses from are unchanged: that version
 * file, the global one, the versions folder (an install or removal), the folder holding the
 * answer, and pyenv itself. A `.python-version` made closer to the folder than the one chosen
 * changes the version file found, so the key.
 */
function pyenvWhich(pyenv: string, name: string, env: NodeJS.ProcessEnv): string {
  const root = env.PYENV_ROOT || path.join(env.HOME || os.homedir(), '.pyenv');
  const versionFile = env.PYENV_VERSION ? undefined : pyenvVersionFile(root, env);
  // (PYENV_DIR only says where the version file is looked for: the file found stands for it)
  const settings = Object.entries(env).filter(([k]) => (k.startsWith('PYENV') && k !== 'PYENV_DIR') || k === 'PATH' || k === 'VIRTUAL_ENV' || k === 'HOME');
  const key = JSON.stringify([pyenv, name, versionFile ?? null, settings.sort(([a], [b]) => a.localeCompare(b))]);
  const isPath = (value: unknown): value is string => typeof value === 'string' && value.startsWith('/');
  return cachedFromFiles('pyenv-which-v2', key, isPath, () => {
    const found = runPyenvWhich(pyenv, name, env);
    return { answer: found, files: [...(versionFile ? [versionFile] : []), path.join(root, 'version'), path.join(root, 'versions'), path.dirname(found), found, pyenv] };
  });
}

/**
 * The file pyenv reads the version from (its pyenv-version-file): the first `.python-version`
 * from PYENV_DIR (default: the current folder, as the shell names it) up to /, else, when
 * PYENV_DIR is another folder, the first from the current folder up, else the global version file.
 */
export function pyenvVersionFile(root: string, env: NodeJS.ProcessEnv): string {
  const here = shellFolder(env);
  const start = env.PYENV_DIR ? path.resolve(here, env.PYENV_DIR) : here;
  return localVersionFile(start) ?? (start !== here ? localVersionFile(here) : undefined) ?? path.join(root, 'version');
}

function localVersionFile(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, '.python-version');
    try {
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // none here
    }
    if (dir === path.dirname(dir)) return undefined;
  }
}

/** The current folder as bash names it ($PWD): the inherited PWD when it is this folder (a path through a symlink kept), else the real path. */
function shellFolder(env: NodeJS.ProcessEnv): string {
  const cwd = process.cwd();
  const named = env.PWD;
  if (named && path.isAbsolute(named)) {
    try {
      const [a, b] = [fs.statSync(named), fs.statSync(cwd)];
      if (a.dev === b.dev && a.ino === b.ino) return named;
    } catch {
      // not there any more
    }
  }
  return cwd;
}

function runPyenvWhich(pyenv: string, name: string, env: NodeJS.ProcessEnv): string {
  const run = spawnSync(pyenv, ['which', name], { env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = run.stdout?.trim() ?? '';
  if (run.error || run.status !== 0 || out === '') {
    const why = (run.stderr || run.error?.message || '').replace(/\s+/g, ' ').trim();
    throw new GiltraceError(`pyenv shim '${name}' does not resolve: ${why || 'pyenv which failed'}; select a version (pyenv shell/local) or pass --python PATH`);
  }
  return out.split('\n').pop() as string;
}

function isExecutableFile(candidate: string): boolean {
  try {
    const st = fs.statSync(candidate);
    if (!st.isFile()) return false;
    fs.accessSync(candidate, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch (e) {
    throw new GiltraceError(`'${file}' cannot be read: ${(e as Error).message}; pass --python PATH`);
  }
}
