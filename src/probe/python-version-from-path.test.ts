import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonMinorFromPath, pythonVersionFromPaths } from './python-version-from-path.js';

test('pyenv paths give the full version, sonames and executable names the minor', () => {
  assert.equal(pythonVersionFromPaths({ executable: '/home/user/.pyenv/versions/3.12.1/bin/python3.12' }), '3.12.1');
  assert.equal(pythonVersionFromPaths({ library: '/home/user/.pyenv/versions/3.13.0t/lib/libpython3.13t.so.1.0' }), '3.13.0t');
  assert.equal(pythonVersionFromPaths({ executable: '/opt/python-3.11.4/bin/python3' }), '3.11.4');
  assert.equal(pythonVersionFromPaths({ executable: '/usr/bin/python3', library: '/usr/lib/libpython3.11.so.1.0' }), '3.11');
  assert.equal(pythonVersionFromPaths({ executable: '/usr/bin/python3.9' }), '3.9');
  assert.equal(pythonVersionFromPaths({ executable: '/usr/bin/python3' }), 'unknown');
  assert.equal(pythonVersionFromPaths({}), 'unknown');
});

test('the minor version of a file name', () => {
  assert.deepEqual(pythonMinorFromPath('/x/libpython3.8.so.1.0'), { major: 3, minor: 8 });
  assert.deepEqual(pythonMinorFromPath('/usr/bin/python3.11'), { major: 3, minor: 11 });
  assert.equal(pythonMinorFromPath('/usr/bin/python3'), undefined);
});
