import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withScratchCache } from '../../test/support/scratch-cache.js';
import { MAX_ANSWERS, MAX_FOLDER_ANSWERS, cachedAnswer, cachedFromFiles, cachedInFolder, codeStamp, fileStamp } from './disk-cache.js';

/** Runs `body` with the caches in a fresh folder, and GILTRACE_NO_CACHE unset. */
function withCacheDir(body: (dir: string) => void): void {
  withScratchCache('giltrace-disk-cache-', body);
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** A cached "read" of the files: their contents joined, and how many times it was really read. */
function reader(files: readonly string[]) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    answer: () =>
      cachedFromFiles('test-v1', 'key', isString, () => {
        reads++;
        return { answer: files.map((f) => (existsSync(f) ? String(statSync(f).size) : 'none')).join(','), files };
      }),
  };
}

test('an answer read from files is used again while every file is unchanged', () => {
  withCacheDir((dir) => {
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    writeFileSync(a, 'one');
    writeFileSync(b, 'two!');
    const cached = reader([a, b]);
    assert.equal(cached.answer(), '3,4');
    assert.equal(cached.answer(), '3,4');
    assert.equal(cached.reads, 1);
  });
});

test('any change of any file the answer was read from computes it again', () => {
  withCacheDir((dir) => {
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    writeFileSync(a, 'one');
    writeFileSync(b, 'two!');
    const cached = reader([a, b]);
    cached.answer();
    const changes: Array<[string, () => void]> = [
      ['rewritten, another size', () => writeFileSync(b, 'three')],
      ['same size, mtime put back (as cp -p does): ctime tells', () => {
        const before = statSync(a);
        writeFileSync(a, 'uno');
        utimesSync(a, before.atime, before.mtime);
      }],
      ['replaced by another file (new inode)', () => {
        writeFileSync(join(dir, 'new'), 'one');
        renameSync(join(dir, 'new'), a);
      }],
      ['deleted', () => rmSync(b)],
      ['back again', () => writeFileSync(b, 'two!')],
    ];
    let reads = cached.reads;
    for (const [what, change] of changes) {
      change();
      cached.answer();
      assert.equal(cached.reads, ++reads, what);
      cached.answer();
      assert.equal(cached.reads, reads, `${what}: then cached again`);
    }
  });
});

test('GILTRACE_NO_CACHE=1 computes every time; an unreadable cache folder is simply not used', () => {
  withCacheDir((dir) => {
    const a = join(dir, 'a');
    writeFileSync(a, 'one');
    const cached = reader([a]);
    process.env.GILTRACE_NO_CACHE = '1';
    cached.answer();
    cached.answer();
    assert.equal(cached.reads, 2);
    delete process.env.GILTRACE_NO_CACHE;
    writeFileSync(join(dir, 'not-a-folder'), '');
    process.env.XDG_CACHE_HOME = join(dir, 'not-a-folder');
    assert.equal(cached.answer(), '3');
    assert.equal(cached.answer(), '3');
    assert.equal(cached.reads, 4);
  });
});

test('stamps: a missing file has one; a folder of code changes stamp when a file in it does', () => {
  withCacheDir((dir) => {
    assert.equal(fileStamp(join(dir, 'missing')), '-');
    const code = join(dir, 'code');
    mkdirSync(join(code, 'sub'), { recursive: true });
    writeFileSync(join(code, 'a.js'), 'x');
    writeFileSync(join(code, 'sub', 'b.js'), 'y');
    writeFileSync(join(code, 'notes.md'), 'not code');
    const before = codeStamp(code);
    assert.match(before, /^2:\d+:2$/, 'two .js files, two bytes');
    // memoized for the life of the process: a run sees one version of its own code
    writeFileSync(join(code, 'sub', 'b.js'), 'yy');
    assert.equal(codeStamp(code), before);
  });
});

test(`a cache file keeps the ${MAX_ANSWERS} answers written last: the oldest go, a recomputed one counts as new`, () => {
  withCacheDir(() => {
    let computed = 0;
    const answer = (key: string) => cachedAnswer('bounded-v1', key, isString, () => `${key}:${++computed}`);
    for (let i = 0; i < MAX_ANSWERS; i++) answer(`k${i}`);
    assert.equal(answer('k0'), 'k0:1', 'all kept so far');
    answer(`k${MAX_ANSWERS}`); // one too many: k0, the oldest written, goes
    assert.equal(computed, MAX_ANSWERS + 1);
    assert.equal(answer('k1'), 'k1:2', 'k1 kept');
    assert.equal(answer('k0'), `k0:${MAX_ANSWERS + 2}`, 'k0 computed again');
    // k0 is now the newest: the next new key drops k1, not k0
    answer('another');
    assert.equal(answer('k0'), `k0:${MAX_ANSWERS + 2}`);
    assert.equal(answer('k1'), `k1:${MAX_ANSWERS + 4}`);
  });
});

test(`a folder cache keeps one file an answer, ${MAX_FOLDER_ANSWERS} of them, the least recently used go; an answer without files is not kept`, () => {
  withCacheDir((dir) => {
    const source = join(dir, 'source');
    writeFileSync(source, 'x');
    const folder = join(dir, 'cache', 'giltrace', 'folder-v1');
    let computed = 0;
    const answer = (key: string) => cachedInFolder('folder-v1', key, isString, () => ({ answer: `${key}:${++computed}`, files: [source] }));
    // (each use a moment after the last: the files' mtimes order them)
    const used = answer;
    for (let i = 0; i < MAX_FOLDER_ANSWERS; i++) used(`k${i}`);
    assert.equal(readdirSync(folder).length, MAX_FOLDER_ANSWERS);
    assert.equal(used('k0'), 'k0:1', 'kept, and now the most recently used');
    used('one-more');
    assert.equal(readdirSync(folder).length, MAX_FOLDER_ANSWERS);
    assert.equal(used('k0'), 'k0:1', 'k0 kept');
    assert.equal(used('k1'), `k1:${MAX_FOLDER_ANSWERS + 2}`, 'k1, the least recently used, went');
    // a file it was read from changes: computed again
    writeFileSync(source, 'yy');
    assert.equal(answer('k0'), `k0:${MAX_FOLDER_ANSWERS + 3}`);
    // no files: given, not kept
    const before = readdirSync(folder).length;
    assert.equal(cachedInFolder('folder-v1', 'loose', isString, () => ({ answer: 'loose', files: undefined })), 'loose');
    assert.equal(readdirSync(folder).length, before);
  });
});

test('an answer that is no longer fresh is computed again, from the one kept', () => {
  withCacheDir(() => {
    const isList = (value: unknown): value is number[] => Array.isArray(value);
    const seen: (number[] | undefined)[] = [];
    const answer = (fresh: boolean) =>
      cachedAnswer('refresh-v1', 'key', isList, (stale) => {
        seen.push(stale);
        return [...(stale ?? []), (stale?.length ?? 0) + 1];
      }, () => fresh);
    assert.deepEqual(answer(true), [1]);
    assert.deepEqual(answer(true), [1]);
    assert.deepEqual(answer(false), [1, 2]);
    assert.deepEqual(answer(true), [1, 2]);
    assert.deepEqual(seen, [undefined, [1]]);
  });
});
