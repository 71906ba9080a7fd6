// What dist/ was built from: a hash of the build's inputs, written by `npm run build` as its last
// step (`write`) and compared by npm's prepare hook (`current`, exit 0 when dist/ is current).
//
// Why: `npx giltrace` in a clone installs the folder into npx's own cache as a `file:`
// dependency, and npm runs the folder's prepare for it, so the README's first command (`npm ci &&
// npx giltrace run ...`) built everything twice: 15 s for npm ci's build, then 17 s more before
// the first run (12-06, this 2-CPU VM). A second build of the same files is skipped now.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'dist', '.build-inputs');
/** What tsc and the bundlers read (tsconfig.json's include, the report UI, the scripts themselves). */
const INPUT_DIRS = ['src', 'test', 'bench', 'scripts'];
const INPUT_FILES = ['tsconfig.json', 'package.json', 'package-lock.json'];

function inputsHash() {
  const hash = createHash('sha256');
  const add = (file) => {
    hash.update(relative(root, file)).update('\0');
    hash.update(readFileSync(file)).update('\0');
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|mjs|js|json)$/.test(entry.name)) add(file);
    }
  };
  for (const dir of INPUT_DIRS) if (existsSync(join(root, dir))) walk(join(root, dir));
  for (const file of INPUT_FILES) if (existsSync(join(root, file))) add(join(root, file));
  return hash.digest('hex');
}

const mode = process.argv[2];
if (mode === 'write') {
  writeFileSync(stampFile, `${inputsHash()}\n`);
} else if (mode === 'current') {
  const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  process.exit(built !== '' && built === inputsHash() ? 0 : 1);
} else {
  console.error('usage: node scripts/build-stamp.mjs write|current');
  process.exit(2);
}
