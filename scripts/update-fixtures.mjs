// `npm run fixtures -- golden|record`: regenerate the golden recordings' expected stats and timeline dumps (see
// test/fixtures/fixtures.ts). Kept out of test/ so the test runner never executes it.
import { updateFixtures } from '../dist/test/fixtures/fixtures.js';

const mode = process.argv[2];
if (mode !== 'golden' && mode !== 'record') {
  console.error('usage: npm run fixtures -- golden|record');
  process.exit(2);
}
updateFixtures(mode);
