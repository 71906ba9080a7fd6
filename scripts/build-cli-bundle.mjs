// Bundles the command line (dist/src/cli/main.js, as tsc wrote it) and the sampler's thread
// (dist/src/record/sample-worker.js) into a few files in dist/src/cli/: main.js itself, replaced,
// sample-worker.js, and the chunks the commands' dynamic imports load (chunk-*.js). Node resolves
// and compiles 178 modules one by one otherwise: `giltrace stats` on a small recording took
// 0.41 s, 0.35 s bundled (6 alternating runs, 12-05). Runs after tsc in `npm run build`.
//
// Everything lands in dist/src/cli/, three folders below the package's root like every module it
// is made of, so their paths relative to import.meta.url (../../../package.json, the Python hook's
// folder, ./sample-worker.js) hold as they are. The npm dependencies stay imports.
// The rest of dist/src/ stays as tsc wrote it: the unit tests import those modules one by one.
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli');
const main = join(cli, 'main.js');

// main.js's first two lines are a shell script that starts node with its options (src/cli/main.ts)
const launcher = readFileSync(main, 'utf8').split('\n', 2);
if (!launcher[0].startsWith('#!/bin/sh') || !/^\/\/bin\/true; .*exec node /.test(launcher[1])) {
  console.error('build-cli-bundle: dist/src/cli/main.js does not start with its launcher lines: run tsc first');
  process.exit(1);
}

const result = await build({
  entryPoints: { main, 'sample-worker': join(root, 'dist', 'src', 'record', 'sample-worker.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir: cli,
  chunkNames: 'chunk-[hash]',
  // back to the TypeScript through tsc's maps, for GILTRACE_DEBUG=1's stack traces (not packed)
  sourcemap: 'linked',
  write: false,
  logLevel: 'warning',
});

for (const old of readdirSync(cli).filter((name) => /^chunk-.*\.js(\.map)?$/.test(name))) rmSync(join(cli, old));
for (const file of result.outputFiles) {
  // esbuild keeps the first line (#!) but not the comment under it (one line more: the map's
  // lines of main.js shift by one, which a stack trace's line numbers can bear)
  const text = file.path === main ? `${launcher.join('\n')}\n${file.text.replace(/^#![^\n]*\n/, '')}` : file.text;
  writeFileSync(file.path, text);
}
// runnable as it is (its first lines are a shell script), as npm makes a package's bins
chmodSync(main, 0o755);
