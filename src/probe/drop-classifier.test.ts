/**
 * The recording manifest's drop-caller table must classify exactly as symbolizing the caller on
 * the machine does (the rule of probe/drop-callers.ts), for every real interpreter here: it
 * replaces that lookup for giltrace's own recordings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestDropClassifier } from '../model/recording-manifest.js';
import { RECORDING_MANIFEST_SCHEMA } from '../contract/recording-manifest.js';
import { dropCallerTable } from './drop-caller-table.js';
import { loadFunctionTable } from './elf/symbolizer.js';
import { debianPythonWithSymbols, pyenvVersions } from '../../test/support/probe-oracle.js';
import { makeDropClassifier } from './drop-classifier.js';

function interpreters(): { file: string; major: number; minor: number }[] {
  const out = pyenvVersions().map((v) => ({ file: v.libpython, major: 3, minor: v.minor }));
  const debian = debianPythonWithSymbols();
  if (debian) out.push({ file: debian, major: 3, minor: 11 });
  return out;
}

test('manifest drop-caller tables classify every function of every interpreter here as its symbols do', { skip: interpreters().length === 0 ? 'no pyenv Python or Debian python3.11 with symbols here' : false }, () => {
  let forced = 0;
  for (const { file, major, minor } of interpreters()) {
    const table = loadFunctionTable(file);
    const fromManifest = manifestDropClassifier({
      schema: RECORDING_MANIFEST_SCHEMA, giltrace: 'test', command: [], recorderPid: 1,
      interpreters: [{ executable: file, version: `${major}.${minor}`, freeThreaded: false, gilLibrary: file, dropCallers: dropCallerTable(table, { major, minor }) }],
    });
    const fromSymbols = makeDropClassifier();
    let checked = 0;
    for (const fn of table.functions) {
      if (fn.size === 0) continue;
      for (const offset of [fn.fileOffset, fn.fileOffset + (fn.size >> 1), fn.fileOffset + fn.size - 1]) {
        const expected = fromSymbols(file, offset);
        assert.equal(fromManifest(file, offset), expected, `${file} +0x${offset.toString(16)} (${table.symbolAtFileOffset(offset)})`);
        if (expected === 'forced') forced++;
        checked++;
      }
    }
    assert.ok(checked > 3000, `${file}: only ${checked} offsets checked`);
  }
  assert.ok(forced > 0, 'no forced caller found at all: the test would pass on an empty table');
});
