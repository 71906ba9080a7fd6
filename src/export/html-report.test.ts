import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { toHtmlReport } from './html-report.js';
import { makeSyntheticInput } from '../../test/support/synthetic-timeline.js';
import type { ReportData } from '../contract/report-data.js';
import { gilStepStacks } from '../analysis/index.js';

const input = makeSyntheticInput({ handoffs: 30, mainThreadName: 'Main </script><!-- "quoted" & <b>' });
const html = toHtmlReport({ ...input, title: 'run </title><script>alert(1)</script>' });

test('one self-contained file: no external scripts, styles, images or URLs to fetch', () => {
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.equal((html.match(/<script\b/gi) ?? []).length, 3);
  assert.equal((html.match(/<\/script>/gi) ?? []).length, 3, 'names cannot close a script element early');
});

test('the title is escaped and the data round-trips', () => {
  assert.match(html, /<title>run &#60;\/title&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;<\/title>/);
  const json = html.match(/<script type="application\/json" id="giltrace-data">(.*?)<\/script>/s)![1];
  const data = JSON.parse(json) as ReportData;
  assert.equal(data.processes[0].threads[0].name, 'Main </script><!-- "quoted" & <b>');
  assert.equal(data.timeBaseNs, input.timeline.timeBaseNs.toString());
  assert.deepEqual(data.stats, JSON.parse(JSON.stringify(input.stats)));
  const blobText = html.match(new RegExp(`id="${data.blob.elementId}">([A-Za-z0-9+/=]*)</script>`))![1];
  const blob = gunzipSync(Buffer.from(blobText, 'base64'));
  assert.equal(blob.byteLength, data.blob.byteLength);
  // The holder tids column is raw int32 at an aligned offset.
  const ref = data.processes[0].gils[0].holders.tids;
  assert.equal(ref.data.offset % 8, 0);
  const tids = new Int32Array(blob.buffer.slice(blob.byteOffset + ref.data.offset, blob.byteOffset + ref.data.offset + ref.data.byteLength));
  assert.deepEqual([...tids], [...input.timeline.processes[0].gils[0].holders.tids]);
});

test('wait histograms count every wait of every thread', () => {
  const json = html.match(/id="giltrace-data">(.*?)<\/script>/s)![1];
  const data = JSON.parse(json) as ReportData;
  for (const thread of input.timeline.processes[0].threads) {
    const h = data.waitHistograms.find((w) => w.tid === thread.tid);
    assert.equal(h?.counts.reduce((a, b) => a + b, 0) ?? 0, thread.waits.length);
  }
});

/** The report's JSON part and its decompressed blob. */
function unpack(page: string): { data: ReportData; blob: Buffer } {
  const data = JSON.parse(page.match(/id="giltrace-data">(.*?)<\/script>/s)![1]) as ReportData;
  const blobText = page.match(new RegExp(`id="${data.blob.elementId}">([A-Za-z0-9+/=]*)</script>`))![1];
  return { data, blob: gunzipSync(Buffer.from(blobText, 'base64')) };
}

test('function context: the functions and stacks tables, and one narrow stack id per GIL step', () => {
  const { data, blob } = unpack(html);
  const context = data.functionContext!;
  const { timeline } = input;
  assert.deepEqual(context.functions, timeline.functions.map((f) => ({ name: f.name, file: f.file, line: f.line })));
  assert.equal(context.stacks.length, timeline.stacks.length);
  timeline.stacks.forEach((stack, id) => {
    const [leaf, ...callers] = context.stacks[id];
    assert.equal(leaf, stack.leaf);
    assert.deepEqual(callers.map((c) => context.callerNames[c]), stack.callers);
  });
  assert.equal(new Set(context.callerNames).size, context.callerNames.length, 'caller names are interned');
  for (const [t, thread] of timeline.processes[0].threads.entries()) {
    const column = data.processes[0].threads[t].gilStacks!;
    assert.equal(column.enc, 'u8', 'a handful of stacks fit in a byte each');
    const ids = [...blob.subarray(column.data.offset, column.data.offset + column.data.byteLength)];
    assert.deepEqual(ids, [...gilStepStacks(thread, timeline.stacks)]);
    assert.ok(ids.some((id) => id !== 0), `${thread.name}'s steps name stacks`);
  }
});

test('a recording without function context adds nothing to the report data', () => {
  const { data } = unpack(toHtmlReport(makeSyntheticInput({ handoffs: 10, functionContext: false })));
  assert.equal('functionContext' in data, false);
  assert.ok(data.processes[0].threads.every((t) => !('gilStacks' in t)));
});
