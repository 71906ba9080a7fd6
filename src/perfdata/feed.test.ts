import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GiltraceError } from '../base/errors.js';
import { MemorySource } from './byte-source.js';
import { createPerfFeed, type PerfFeed, type PerfReadStats, type PerfRecord } from './index.js';
import { openPerfDataStream } from './open.js';
import { thirdParty } from '../../test/support/fixture-paths.js';
import {
  attr, comm, FINISHED_ROUND, fork, headerAttr, lost, pipeForm, sample, ST, SWITCH_FORMAT, switchPayload, tracingData, tracingDataRecord,
} from '../../test/support/perfdata-builder.js';

/** A record as plain data (samples are one reused object: converted at once). */
function plain(r: PerfRecord): unknown {
  if (r.type !== 'sample') return { ...r };
  return {
    type: r.type, time: r.time, event: r.event.name, pid: r.pid, tid: r.tid, cpu: r.cpu, ip: r.ip,
    raw: r.raw === undefined ? undefined : Array.from(r.raw),
    callchain: r.callchain === undefined ? undefined : Array.from(r.callchain),
    userStack: r.userStack === undefined ? undefined : Array.from(r.userStack),
  };
}

interface Reading {
  readonly records: unknown[];
  readonly stats: PerfReadStats;
  readonly timeBaseNs: bigint;
  readonly events: string[];
}

/** What openPerfData gives for a pipe-form stream of these bytes (the reference). */
function pulled(bytes: Uint8Array): Reading {
  const pd = openPerfDataStream(new MemorySource(bytes), '<pipe>');
  const records = Array.from(pd.records(), plain);
  return { records, stats: { ...pd.stats }, timeBaseNs: pd.timeBaseNs, events: pd.eventTypes.map((e) => e.name) };
}

/**
 * The same bytes fed in chunks of the given sizes (used in turn), each from one reused buffer
 * that is overwritten after the push; available() is drained after every push.
 */
function fed(bytes: Uint8Array, sizes: readonly number[]): Reading {
  const feed = createPerfFeed();
  const records: unknown[] = [];
  const scratch = new Uint8Array(Math.max(...sizes));
  let k = 0;
  for (let at = 0; at < bytes.length; k++) {
    const n = Math.min(sizes[k % sizes.length], bytes.length - at);
    scratch.set(bytes.subarray(at, at + n));
    feed.push(scratch.subarray(0, n));
    scratch.fill(0xee); // the feed must have kept its own copy
    at += n;
    for (const r of feed.available()) records.push(plain(r));
  }
  feed.end();
  for (const r of feed.available()) records.push(plain(r));
  return { records, stats: { ...feed.stats }, timeBaseNs: feed.timeBaseNs, events: feed.eventTypes.map((e) => e.name) };
}

function assertSameReading(got: Reading, want: Reading): void {
  assert.equal(got.records.length, want.records.length, 'record count');
  assert.deepEqual(got.records, want.records);
  assert.deepEqual(got.stats, want.stats);
  assert.equal(got.timeBaseNs, want.timeBaseNs);
  assert.deepEqual(got.events, want.events);
}

/** Drains available() until it ends or throws; returns the records and the errors thrown. */
function drainCatching(feed: PerfFeed): { records: number; errors: unknown[] } {
  let records = 0;
  const errors: unknown[] = [];
  try {
    for (const r of feed.available()) {
      void r;
      records++;
    }
  } catch (err) {
    errors.push(err);
  }
  return { records, errors };
}

const TP = ST.IP | ST.TID | ST.TIME | ST.CPU | ST.RAW | ST.IDENTIFIER;
const tracing = tracingData('sched', [SWITCH_FORMAT]);
function pipeWith(records: Uint8Array[]): Uint8Array {
  return pipeForm([headerAttr(attr({ config: 316, sampleType: TP }), [7]), tracingDataRecord(tracing), ...records]);
}
const s = (time: number, tid = 1): Uint8Array => sample(TP, { id: 7, time, tid, raw: switchPayload(`t${tid}`, tid, 'next') });

/** A small stream with every kind of record, rounds, an untimed lead record and a straggler. */
const SMALL = pipeWith([
  comm(TP, 1, 1, 'lead', { id: 7, time: 0 }), s(1000), s(1010, 2), FINISHED_ROUND, s(1020), fork(TP, 3, 3, 1, 1, { id: 7, time: 1030 }),
  FINISHED_ROUND, s(1005, 4), s(1040), lost(TP, 3, { id: 7, time: 1050 }), FINISHED_ROUND, s(1060), s(1070),
]);

const PIPE = fs.readFileSync(thirdParty('uprobe_sched_py312_pipe.perf.data'));
const ZSTD_PIPE = fs.readFileSync(thirdParty('sched_zstd_pipe.perf.data'));

describe('createPerfFeed: the same records as openPerfData, whatever the split', () => {
  it('a small synthetic stream fed one byte at a time', () => {
    const want = pulled(SMALL);
    assert.equal(want.records.length, 10);
    assert.ok(want.stats.outOfOrder > 0, 'the straggler is out of order');
    assertSameReading(fed(SMALL, [1]), want);
  });

  it('a real pipe recording (perf 6.1, uprobes + sched) fed one byte at a time', () => {
    const want = pulled(PIPE);
    assert.equal(want.stats.samples, 2100);
    assertSameReading(fed(PIPE, [1]), want);
  });

  it('real pipe recordings, plain and zstd, fed in random chunks (property test)', () => {
    const wantPlain = pulled(PIPE);
    const wantZstd = pulled(ZSTD_PIPE);
    assert.ok(wantZstd.stats.compressedBytes > 0 && wantZstd.stats.samples === 485);
    const sizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 70_000 })), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sizes, fc.boolean(), (chunks, zstd) => {
        assertSameReading(fed(zstd ? ZSTD_PIPE : PIPE, chunks), zstd ? wantZstd : wantPlain);
      }),
      { numRuns: 40 },
    );
  });
});

describe('createPerfFeed: rounds, readiness and the end', () => {
  it('available() releases nothing past the last round until end()', () => {
    const feed = createPerfFeed();
    feed.push(pipeWith([s(10), s(20), FINISHED_ROUND, s(30), FINISHED_ROUND, s(40)]));
    // the second round releases up to the highest time before the first one (20); 30 and 40 wait
    assert.deepEqual(Array.from(feed.available(), (r) => r.time), [0, 10]);
    assert.deepEqual(Array.from(feed.available(), (r) => r.time), []);
    feed.end();
    assert.deepEqual(Array.from(feed.available(), (r) => r.time), [20, 30]);
    assert.equal(feed.stats.finishedRounds, 2);
  });

  it('a real recording without end(): a prefix of the records, the rest after end()', () => {
    const all = pulled(PIPE).records;
    const feed = createPerfFeed();
    feed.push(PIPE);
    const before = Array.from(feed.available(), plain);
    assert.ok(before.length > 0 && before.length < all.length, `${before.length} of ${all.length} before end()`);
    feed.end();
    const after = Array.from(feed.available(), plain);
    assert.deepEqual([...before, ...after], all);
  });

  it('breaking out of available() early loses nothing: the rest comes with the next call', () => {
    const all = pulled(SMALL).records;
    const feed = createPerfFeed();
    feed.push(SMALL);
    feed.end();
    const got: unknown[] = [];
    for (;;) {
      let n = 0;
      for (const r of feed.available()) {
        got.push(plain(r));
        if (++n === 2) break;
      }
      if (n === 0) break;
    }
    assert.deepEqual(got, all);
  });

  it('ready once the header records before the first timed record were read; event types and time base from then on', () => {
    const feed = createPerfFeed();
    const header = pipeWith([]);
    feed.push(header.subarray(0, 10));
    assert.equal(feed.ready, false);
    feed.push(header.subarray(10));
    assert.equal(feed.ready, false, 'no timed record yet');
    assert.deepEqual(Array.from(feed.available()), []);
    feed.push(s(5000));
    assert.equal(feed.ready, true);
    assert.deepEqual(feed.eventTypes.map((e) => e.name), ['sched:sched_switch']);
    assert.equal(feed.timeBaseNs, 5000n);
  });

  it('a stream that ends inside a record fails with one GiltraceError, and keeps failing with it', () => {
    const feed = createPerfFeed({ name: 'live perf' });
    feed.push(PIPE.subarray(0, PIPE.length - 40)); // inside the last sample
    const before = drainCatching(feed);
    assert.deepEqual(before.errors, [], 'no error before end(): the rest may still come');
    feed.end();
    const after = drainCatching(feed);
    assert.equal(after.errors.length, 1);
    const err = after.errors[0];
    assert.ok(err instanceof GiltraceError, String(err));
    assert.match(err.message, /^live perf at byte \d+: expected a record of \d+ bytes/);
    assert.throws(() => feed.available(), (e) => e === err);
  });

  it('a stream that ends inside the pipe header, or is not a pipe-form perf.data, fails with a GiltraceError', () => {
    const cut = createPerfFeed();
    cut.push(PIPE.subarray(0, 10));
    assert.equal(drainCatching(cut).errors.length, 0);
    cut.end();
    const e = drainCatching(cut).errors;
    assert.equal(e.length, 1);
    assert.match(String(e[0]), /<pipe> at byte 10: .*expected a 16-byte perf.data header, found 10 bytes/);
    const file = createPerfFeed();
    file.push(fs.readFileSync(thirdParty('uprobe_sched_py312.perf.data')).subarray(0, 4096));
    assert.throws(() => file.available(), /a file-form perf.data cannot be read from a pipe/);
  });
});

describe('createPerfFeed on a live perf (root, perf)', () => {
  const skip = process.getuid?.() !== 0 ? 'needs root' : spawnSync('perf', ['version']).status !== 0 ? 'needs perf' : false;
  it('perf record -o - fed as it arrives: records come out while perf still records, in time order', { skip, timeout: 60_000 }, async () => {
    // --no-buffering: without it perf writes the pipe only when a CPU's buffer is half full or at
    // the end, so a short recording would come out all at once after the workload; -k
    // CLOCK_MONOTONIC: record times on Node's hrtime clock
    const args = ['record', '-o', '-', '-q', '--no-buffering', '-k', 'CLOCK_MONOTONIC', '-e', 'sched:sched_switch', '-a', '--', 'sleep', '0.5'];
    const perf = spawn('perf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const feed = createPerfFeed({ name: 'perf record -o -' });
    const times: number[] = [];
    let firstRelease: bigint | undefined;
    let stderr = '';
    perf.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    perf.stdout.on('data', (chunk: Buffer) => {
      feed.push(chunk);
      for (const r of feed.available()) {
        firstRelease ??= process.hrtime.bigint();
        times.push(r.time);
      }
    });
    await new Promise<void>((resolve) => perf.stdout.on('end', resolve));
    const whileRunning = times.length;
    feed.end();
    for (const r of feed.available()) times.push(r.time);
    if (perf.exitCode === null) await new Promise((resolve) => perf.on('exit', resolve));
    assert.equal(perf.exitCode, 0, stderr);
    assert.ok(firstRelease !== undefined && whileRunning > 0, 'records released before perf ended');
    // the first timed record comes before the workload starts, which then sleeps 0.5 s: a release
    // within 0.3 s of it came while perf was still recording
    const afterFirstRecordMs = Number(firstRelease - feed.timeBaseNs) / 1e6;
    assert.ok(afterFirstRecordMs < 300, `first release ${afterFirstRecordMs.toFixed(0)} ms after the first record`);
    let backwards = 0;
    for (let i = 1; i < times.length; i++) if (times[i] < times[i - 1]) backwards++;
    assert.ok(backwards <= feed.stats.outOfOrder, `${backwards} steps back in time, ${feed.stats.outOfOrder} counted out of order`);
    assert.ok(feed.stats.samples > 10 && feed.stats.finishedRounds > 2, JSON.stringify(feed.stats));
  });
});
