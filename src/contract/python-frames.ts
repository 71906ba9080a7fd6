/**
 * Frames the interpreter pushes for its own calls, not the program's: 3.12's entry frames (a C →
 * Python call) run a code object named `<interpreter trampoline>`, 3.13's shims `<shim>`. Stacks
 * leave them out, wherever they are read (the probes' stacks, the sampler's).
 */
export const NOT_PYTHON_FRAMES: ReadonlySet<string> = new Set(['<interpreter trampoline>', '<shim>']);

/**
 * giltrace's own hook in the programs it starts (python/giltrace_site/sitecustomize.py), which
 * tells thread names as each thread starts: its frames are giltrace's, not the program's. The
 * sampler's stacks leave them out (a hold seen there is its caller's, the thread's start), or a
 * thread seen holding only there had its waits put on giltrace's function.
 */
export function isGiltraceHookFile(file: string): boolean {
  return file.endsWith('/giltrace_site/sitecustomize.py');
}

/**
 * Whether a function of the stats is code of the program: not one of the names the stacks give
 * what has no Python function (`<unknown>`, `<no Python frame>`: no file). Code objects
 * named in angle brackets are the program's as much as any: a script's top level (`<module>`), a
 * `<lambda>`, a comprehension (`<listcomp>` to 3.11, `<genexpr>`), code run by `-c` or exec (in
 * file `<string>`).
 */
export function isProgramCode(fn: { readonly name: string; readonly file: string }): boolean {
  // (a `<module>` read without its file, at a thread's last release, says nothing either)
  return !(fn.name.startsWith('<') && fn.file === '');
}
