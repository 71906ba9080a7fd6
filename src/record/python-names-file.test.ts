import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PythonNamesFile } from './python-names-file.js';

const dir = mkdtempSync(join(tmpdir(), 'giltrace-names-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SEP = '\x1f';

test('Python names are read as the file grows: whole lines only, the latest name standing', () => {
  const path = join(dir, 'names');
  writeFileSync(path, '');
  const names = new PythonNamesFile(path);
  names.read();
  assert.equal(names.nameOf(101), undefined);
  const line = (tid: number, name: string) => `thread${SEP}${tid}${SEP}${name}\n`;
  const both = Buffer.from(`process${SEP}100${SEP}/usr/bin/python3${SEP}3.12.1${SEP}enabled${SEP}python3 app.py\n` + line(101, 'worker-é') + line(102, 'half'));
  // a read that ends inside a line, and inside a two-byte character
  const cut = both.indexOf(Buffer.from('é')) + 1;
  appendFileSync(path, both.subarray(0, cut));
  names.read();
  assert.equal(names.nameOf(101), undefined);
  appendFileSync(path, both.subarray(cut, both.length - 3));
  names.read();
  assert.equal(names.nameOf(101), 'worker-é');
  assert.equal(names.nameOf(102), undefined);
  appendFileSync(path, Buffer.concat([both.subarray(both.length - 3), Buffer.from(line(101, `re${SEP}named\tnow`))]));
  names.read();
  assert.equal(names.nameOf(102), 'half');
  assert.equal(names.nameOf(101), `re${SEP}named now`);
  names.forget(101);
  assert.equal(names.nameOf(101), undefined);
  names.close();
});

test('a names file that is not there gives no names and no error', () => {
  const names = new PythonNamesFile(join(dir, 'missing'));
  names.read();
  assert.equal(names.nameOf(1), undefined);
  names.close();
});
