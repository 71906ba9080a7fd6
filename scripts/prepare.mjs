// npm's `prepare` hook: builds dist/ whenever npm makes a package out of this folder — `npm ci` or
// `npm install` in a clone, `npm pack`, `npm install -g .`, and a git URL installed as a dependency.
//
// The build needs the devDependencies (typescript, esbuild). After `npm ci` they are there. They
// are not when a fresh clone is installed with `npm install -g .`: npm links the folder and runs
// prepare in it without installing them. Then this script installs them first, locally and
// without running any install script. (`npm install -g <git URL>` stays broken in npm 11.19 for
// every package with a prepare script, whatever the script does: npm prepares the clone with a
// global install that leaves a link into its own temporary folder; npm/cli#4148, #6984, #8440.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildTools = ['typescript/bin/tsc', 'esbuild/lib/main.js'];

function npm(args) {
  // npm_execpath is the npm that runs this script: use the same one, whatever is on PATH. It is told
  // to work on this folder, not on a global prefix it may have inherited through npm_config_* vars.
  const npmCli = process.env.npm_execpath;
  const local = [...args, '--global=false', `--prefix=${root}`];
  const [file, argv] = npmCli ? [process.execPath, [npmCli, ...local]] : ['npm', local];
  // `npm install -g --allow-scripts=...` passes its list down, and npm refuses it in a project install.
  const { npm_config_allow_scripts: _globalOnly, ...env } = process.env;
  execFileSync(file, argv, { cwd: root, env, stdio: 'inherit' });
}

// dist/ built from these very files already (npm ci's build, then `npx giltrace` preparing the
// folder again for its cache): nothing to do (build-stamp.mjs)
const stamp = spawnSync(process.execPath, [join(root, 'scripts', 'build-stamp.mjs'), 'current']);
if (stamp.status === 0 && existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('prepare: dist/ is built from these sources already');
  process.exit(0);
}

if (!buildTools.every((tool) => existsSync(join(root, 'node_modules', tool)))) {
  console.error('prepare: installing the build tools (devDependencies) first');
  npm(['install', '--include=dev', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund']);
}
npm(['run', 'build']);
