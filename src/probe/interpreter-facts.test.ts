import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GiltraceError } from '../base/errors.js';
import { gilOptions, readInterpreterFacts, skipsSite } from './interpreter-facts.js';
import { pyenvVersion } from '../../test/support/probe-oracle.js';

test('-X gil=N is picked from the interpreter options, not from the script arguments', () => {
  assert.deepEqual(gilOptions(['-X', 'gil=1', 'app.py']), ['-X', 'gil=1']);
  assert.deepEqual(gilOptions(['-u', '-Xgil=0', 'app.py']), ['-X', 'gil=0']);
  assert.deepEqual(gilOptions(['-X', 'dev', 'app.py', '-X', 'gil=1']), []);
  assert.deepEqual(gilOptions(['-c', 'pass', '-X', 'gil=1']), []);
  assert.deepEqual(gilOptions([]), []);
});

test('-S (no site, so no sitecustomize) is found among the interpreter options only', () => {
  for (const args of [['-S', 'app.py'], ['-uS', 'app.py'], ['-SB', '-c', 'pass'], ['-X', 'dev', '-S', 'app.py'], ['-Wignore', '-S', '-m', 'x'], ['-I', '-S']]) {
    assert.equal(skipsSite(args), true, args.join(' '));
  }
  for (const args of [[], ['app.py', '-S'], ['-c', 'pass', '-S'], ['-m', 'x', '-S'], ['-W', 'S', 'app.py'], ['-XS', 'app.py'], ['-I', 'app.py'], ['--', '-S']]) {
    assert.equal(skipsSite(args), false, args.join(' '));
  }
});

test('facts of a real interpreter: version, GIL build, mapped libpython', { skip: !pyenvVersion(13) }, () => {
  const v = pyenvVersion(13)!;
  const facts = readInterpreterFacts(v.python, { PATH: '/usr/bin:/bin' }, ['-X', 'gil=1']);
  assert.equal(facts.version, v.version);
  assert.equal(facts.freeThreaded, false);
  assert.equal(facts.gilEnabled, true);
  assert.deepEqual(facts.mappedLibpython, [v.libpython]);
});

test('a program that is not Python gives a GiltraceError that says what to do', () => {
  assert.throws(() => readInterpreterFacts('/bin/false', {}), (e: unknown) => e instanceof GiltraceError && /did not answer as a Python interpreter.*pass --python PATH/.test(e.message));
  assert.throws(() => readInterpreterFacts('/nonexistent/python', {}), (e: unknown) => e instanceof GiltraceError && /could not run/.test(e.message));
});
