/**
 * Frames the interpreter pushes for its own calls, not the program's: 3.12's entry frames (a C →
 * Python call) run a code object named `<interpreter trampoline>`, 3.13's shims `<shim>`. Stacks
 * leave them out, wherever they are read (the probes' stacks, the sampler's).
 */
export const NOT_PYTHON_FRAMES: ReadonlySet<string> = new Set(['<interpreter trampoline>', '<shim>']);
