import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml } from './html.js';

test('escapeHtml leaves no character that opens or ends markup', () => {
  assert.equal(escapeHtml(`Main </script><!-- "q" & 'a'`), 'Main &#60;/script&#62;&#60;!-- &#34;q&#34; &#38; &#39;a&#39;');
  assert.equal(escapeHtml('café 計算'), 'café 計算');
});
