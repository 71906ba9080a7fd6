/**
 * A Python's version from its file names alone, for recordings read later or elsewhere, when
 * neither giltrace's manifest nor the interpreter itself said it: pyenv paths carry the full
 * version (…/versions/3.12.1/bin/python3), sonames and executable names the minor
 * (libpython3.12.so.1.0, python3.11). Best effort: a name can lie.
 */

const FULL_VERSION = /(?:^|\/)(?:python-?|versions\/)(\d+\.\d+\.\d+[a-z0-9]*)\//;
const MINOR_VERSION = /python(\d+)\.(\d+)/;

/** `{major, minor}` from a file name such as libpython3.12.so.1.0; undefined when it has none. */
export function pythonMinorFromPath(path: string): { readonly major: number; readonly minor: number } | undefined {
  const match = MINOR_VERSION.exec(path);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/** The fullest version the executable's and library's paths tell ('3.12.1', '3.12'), else 'unknown'. */
export function pythonVersionFromPaths(files: { readonly executable?: string; readonly library?: string }): string {
  for (const path of [files.executable, files.library]) {
    const full = path && FULL_VERSION.exec(path);
    if (full) return full[1];
  }
  for (const path of [files.library, files.executable]) {
    const minor = path && pythonMinorFromPath(path);
    if (minor) return `${minor.major}.${minor.minor}`;
  }
  return 'unknown';
}
