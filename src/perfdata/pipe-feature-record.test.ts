import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { MAX_PIPE_RECORD, pipeFeatureContent, pipeFeatureRecords } from './pipe-feature-record.js';

describe('pipeFeatureRecords / pipeFeatureContent', () => {
  it('content longer than a record goes in several and comes back whole, padding and all', () => {
    const content = Uint8Array.from({ length: 150_001 }, (_, i) => (i * 7) & 0xff);
    const records = pipeFeatureRecords(254, content);
    assert.equal(records.length, 3);
    for (const r of records) assert.ok(r.length <= MAX_PIPE_RECORD && r.length % 8 === 0);
    const bytes = Buffer.concat(records);
    assert.deepEqual(pipeFeatureContent(bytes, 254, 'rec.data', 1000), Buffer.from(content));
    assert.deepEqual(pipeFeatureContent(Buffer.concat(pipeFeatureRecords(254, new Uint8Array(0))), 254, 'rec.data', 0), Buffer.alloc(0));
  });

  it('other records, or records cut short, are a GiltraceError naming where', () => {
    const bytes = Buffer.concat(pipeFeatureRecords(254, new Uint8Array(100)));
    assert.throws(() => pipeFeatureContent(bytes, 255, 'rec.data', 1000), (e: GiltraceError) => e instanceof GiltraceError && /feature 255/.test(e.message));
    assert.throws(() => pipeFeatureContent(bytes.subarray(0, 60), 254, 'rec.data', 1000), GiltraceError);
  });
});
