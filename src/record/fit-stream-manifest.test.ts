import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECORDING_MANIFEST_SCHEMA, type GilAtAttach, type NamedThread, type RecordingManifest } from '../contract/recording-manifest.js';
import { fitStreamManifest } from './fit-stream-manifest.js';

const manifest: RecordingManifest = { schema: RECORDING_MANIFEST_SCHEMA, giltrace: '0', command: ['python3'], recorderPid: 1, interpreters: [] };
const names: NamedThread[] = Array.from({ length: 200 }, (_, i) => ({ pid: 10, tid: 100 + i, name: `python3 (worker-${i})` }));
const waiters: GilAtAttach[] = Array.from({ length: 300 }, (_, i) => ({
  pid: 10, tid: 100 + i, atNs: '123456789', cpu: 'sleeping', ...(i === 299 ? { holding: true as const } : {}),
  stack: { name: 'work', file: '/srv/app/handlers.py', line: 42, callers: ['Thread.run', 'Thread._bootstrap_inner'] },
}));
const room = (bytes: number) => (m: RecordingManifest) => JSON.stringify(m).length <= bytes;

test('everything that fits stays, unsaid', () => {
  const warnings: string[] = [];
  const fitted = fitStreamManifest({ ...manifest, gilAtAttach: waiters }, names, room(1e6), warnings);
  assert.equal(fitted?.gilAtAttach?.length, 300);
  assert.ok(fitted?.gilAtAttach?.every((u) => u.stack));
  assert.equal(fitted?.threadNames?.length, 200);
  assert.deepEqual(warnings, []);
});

test('too much: the waiters\' stacks go first, then names, then waiters (the holder kept); each said', () => {
  const warnings: string[] = [];
  const withoutStacks = JSON.stringify({ ...manifest, gilAtAttach: waiters.map(({ stack: _s, ...u }) => u), threadNames: names }).length;
  const fitted = fitStreamManifest({ ...manifest, gilAtAttach: waiters }, names, room(withoutStacks), warnings);
  assert.equal(fitted?.gilAtAttach?.length, 300);
  assert.ok(fitted?.gilAtAttach?.every((u) => !u.stack));
  assert.equal(fitted?.threadNames?.length, 200);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /where the 300 threads .* did not fit/);

  const tight: string[] = [];
  const small = fitStreamManifest({ ...manifest, gilAtAttach: waiters }, names, room(8000), tight);
  assert.ok(small && JSON.stringify(small).length <= 8000);
  assert.equal(small.threadNames, undefined);
  assert.ok(small.gilAtAttach!.length > 0 && small.gilAtAttach!.length < 300);
  assert.equal(small.gilAtAttach![0].holding, true);
  assert.equal(tight.length, 3);
  assert.match(tight[2], /of the 300 threads found waiting for the GIL .* did not fit/);
});

test('nothing fits: undefined, and the holder samples said lost', () => {
  const warnings: string[] = [];
  assert.equal(fitStreamManifest({ ...manifest, holderSamples: { offset: 1, bytes: 2 } }, names, () => false, warnings), undefined);
  assert.match(warnings.at(-1)!, /holder samples did not fit/);
});
