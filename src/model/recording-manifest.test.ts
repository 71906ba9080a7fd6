import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECORDING_MANIFEST_SCHEMA, type RecordingManifest } from '../contract/recording-manifest.js';
import { manifestDropClassifier, parseRecordingManifest } from './recording-manifest.js';

const manifest: RecordingManifest = {
  schema: RECORDING_MANIFEST_SCHEMA,
  giltrace: '0.1.0',
  command: ['python3', 'app.py'],
  recorderPid: 42,
  interpreters: [
    {
      executable: '/py/bin/python3', version: '3.12.1', freeThreaded: false, gilLibrary: '/py/lib/libpython3.12.so.1.0',
      dropCallers: { forced: [[100, 200], [500, 600]], voluntary: [], otherwise: 'voluntary' }, nameBytes: { asciiData: 8, compactData: 24 },
    },
  ],
};
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

test('a manifest reads back; a broken one is a problem to report, never a throw', () => {
  assert.deepEqual(parseRecordingManifest(bytes(manifest)), { manifest });
  assert.match((parseRecordingManifest(new Uint8Array([0xff, 0x7b])) as { problem: string }).problem, /not readable JSON/);
  assert.match((parseRecordingManifest(bytes({ ...manifest, schema: 'giltrace.recording/9' })) as { problem: string }).problem, /schema 'giltrace.recording\/9'/);
  assert.match((parseRecordingManifest(bytes({ ...manifest, interpreters: [{ executable: 1 }] })) as { problem: string }).problem, /incomplete/);
  const badLayout = { ...manifest, interpreters: [{ ...manifest.interpreters[0], nameBytes: { asciiData: 'x' } }] };
  assert.match((parseRecordingManifest(bytes(badLayout)) as { problem: string }).problem, /incomplete/);
  assert.match((parseRecordingManifest(bytes(null)) as { problem: string }).problem, /schema/);
  const atAttach = { ...manifest, gilAtAttach: [{ pid: 7, tid: 8, interp: 'ab12', holding: true, atNs: '123', stack: { name: 'f', file: 'a.py', line: 3, callers: ['g'] } }] };
  assert.deepEqual(parseRecordingManifest(bytes(atAttach)), { manifest: atAttach });
  const badStack = { ...manifest, gilAtAttach: [{ pid: 7, tid: 8, atNs: '123', stack: { name: 'f', file: 'a.py', line: 3, callers: [1] } }] };
  assert.match((parseRecordingManifest(bytes(badStack)) as { problem: string }).problem, /incomplete/);
});

test('drop callers: forced inside the ranges, the otherwise rule elsewhere in the library and in other files', () => {
  const classify = manifestDropClassifier(manifest);
  const lib = '/py/lib/libpython3.12.so.1.0';
  assert.equal(classify(lib, 100), 'forced');
  assert.equal(classify(lib, 599), 'forced');
  assert.equal(classify(lib, 200), 'voluntary', 'ranges are [start, end)');
  assert.equal(classify(lib, 50), 'voluntary');
  assert.equal(classify('/usr/lib/python3.12/lib-dynload/_hashlib.so', 7), 'voluntary', 'a caller in another file');
  const newer = manifestDropClassifier({
    ...manifest,
    interpreters: [{ ...manifest.interpreters[0], dropCallers: { forced: [[100, 200]], voluntary: [[300, 400]], otherwise: 'unknown' } }],
  });
  assert.equal(newer(lib, 350), 'voluntary');
  assert.equal(newer(lib, 450), 'unknown', 'a stranger on a version newer than those checked');
  assert.equal(newer('/elsewhere.so', 1), 'unknown');
});
