import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/support/fixture-paths.js';
import { CALLER_TUNABLES_VARIABLE, OWN_MALLOC_TUNABLES, restoreCallerMallocSettings } from './own-malloc-settings.js';

test("the caller's GLIBC_TUNABLES come back as they were: unset, empty, or a value", () => {
  const cases: [kept: string, expected: string | undefined][] = [['', undefined], ['=', ''], ['=glibc.malloc.check=0', 'glibc.malloc.check=0']];
  for (const [kept, expected] of cases) {
    const env: NodeJS.ProcessEnv = { GLIBC_TUNABLES: `${OWN_MALLOC_TUNABLES}:x`, [CALLER_TUNABLES_VARIABLE]: kept, PATH: '/bin' };
    restoreCallerMallocSettings(env);
    assert.deepEqual(env, { PATH: '/bin', ...(expected === undefined ? {} : { GLIBC_TUNABLES: expected }) }, `kept as ${JSON.stringify(kept)}`);
  }
});

test('giltrace started by `node main.js` (no launcher lines ran): the environment is left alone', () => {
  const env: NodeJS.ProcessEnv = { GLIBC_TUNABLES: 'glibc.malloc.check=0' };
  restoreCallerMallocSettings(env);
  assert.deepEqual(env, { GLIBC_TUNABLES: 'glibc.malloc.check=0' });
});

test("the launcher lines of cli/main.ts set these settings and keep the caller's value where it is looked for", () => {
  const launcher = readFileSync(join(REPO_ROOT, 'src/cli/main.ts'), 'utf8').split('\n')[1];
  assert.ok(launcher.includes(`GLIBC_TUNABLES="${OWN_MALLOC_TUNABLES}\${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"`), launcher);
  assert.ok(launcher.includes(`export ${CALLER_TUNABLES_VARIABLE}="\${GLIBC_TUNABLES+=$GLIBC_TUNABLES}"`), launcher);
});
