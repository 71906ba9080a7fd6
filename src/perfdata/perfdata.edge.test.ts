import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { MemorySource } from './byte-source.js';
import { openPerfData, readSampleInt, readTracepointInt, readTracepointString, type PerfRecord, type SampleRecord } from './index.js';
import { openPerfDataStream } from './open.js';
import { thirdParty } from '../../test/support/fixture-paths.js';
import {
  attr, Bytes, comm, fileForm, fileFormParts, FINISHED_ROUND, fork, headerAttr, lost, pipeForm, record, sample, ST, SWITCH_FORMAT,
  switchPayload, tracingData, tracingDataRecord, trailer,
} from '../../test/support/perfdata-builder.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'giltrace-perfdata-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function write(bytes: Uint8Array): string {
  const p = path.join(tmp, `case-${n++}.data`);
  fs.writeFileSync(p, bytes);
  return p;
}

interface Plain { type: string; time: number; name?: string; tid?: number; count?: number; comm?: string; prev?: string; dl?: string }
function drain(it: Iterable<PerfRecord>): Plain[] {
  const out: Plain[] = [];
  for (const r of it) {
    if (r.type === 'sample') {
      const p: Plain = { type: 'sample', time: r.time, name: r.event.name, tid: r.tid };
      const f = r.event.field('prev_comm');
      if (f && r.raw) p.prev = readTracepointString(r.raw, f);
      const d = r.event.field('name');
      if (d && r.raw) p.dl = readTracepointString(r.raw, d);
      out.push(p);
    } else if (r.type === 'lost') out.push({ type: 'lost', time: r.time, count: r.count });
    else if (r.type === 'comm') out.push({ type: 'comm', time: r.time, comm: r.comm, tid: r.tid });
    else out.push({ type: r.type, time: r.time, tid: r.tid });
  }
  return out;
}

function expectError(fn: () => unknown, pattern: RegExp, file?: string, offset?: number): GiltraceError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GiltraceError, `expected GiltraceError, got ${String(err)}`);
    assert.match(err.message, pattern);
    if (file !== undefined) assert.equal(err.file, file);
    if (offset !== undefined) assert.equal(err.offset, offset);
    return err;
  }
  assert.fail(`expected a GiltraceError matching ${pattern}`);
}

const TP = ST.IP | ST.TID | ST.TIME | ST.CPU | ST.RAW | ST.IDENTIFIER;
const tracing = tracingData('sched', [SWITCH_FORMAT]);

function pipeWith(records: Uint8Array[], sampleType = TP, ids = [7]): Uint8Array {
  return pipeForm([headerAttr(attr({ config: 316, sampleType }), ids), tracingDataRecord(tracing), ...records]);
}

describe('perf.data edge cases: structure errors', () => {
  it('bad magic names the file, offset 0, expected vs found', () => {
    const p = write(new Bytes().str('NOTPERF!').u64(104).build());
    const e = expectError(() => openPerfData(p), /expected magic "PERFILE2", found 0x4e4f5450455246 ?21/, p, 0);
    assert.ok(e.message.startsWith(`${p} at byte 0:`));
  });

  it('empty file and truncated header', () => {
    expectError(() => openPerfData(write(new Uint8Array(0))), /16-byte perf.data header, found 0 bytes/);
    const head = fileForm([{ attr: attr({ sampleType: TP }), ids: [1] }], []);
    expectError(() => openPerfData(write(head.subarray(0, 60))), /expected 104 bytes at this offset, but the file ends at 60/);
  });

  it('missing file and directory', () => {
    expectError(() => openPerfData(path.join(tmp, 'nope.data')), /cannot open: ENOENT/);
    expectError(() => openPerfData(tmp), /is a directory/);
  });

  it('data section past the end of the file', () => {
    const good = fileForm([{ attr: attr({ sampleType: TP }), ids: [1] }], [sample(TP, { time: 5 })]);
    expectError(() => openPerfData(write(good.subarray(0, good.length - 8))), /runs past the end of the file/, undefined, 48);
  });

  it('an unfinished recording (header data size 0: perf was killed) reads to the end of the file', () => {
    const bytes = fileForm([{ attr: attr({ sampleType: TP, config: 316 }), ids: [7] }], [sample(TP, { id: 7, time: 5 }), sample(TP, { id: 7, time: 6 })], tracing);
    const dv = new DataView(bytes.buffer);
    const dataSize = Number(dv.getBigUint64(48, true));
    dv.setBigUint64(48, 0n, true);
    const cut = bytes.subarray(0, Number(dv.getBigUint64(40, true)) + dataSize); // no feature sections
    const pd = openPerfData(write(cut));
    assert.deepEqual(drain(pd.records()).map((r) => r.time), [0, 1]);
    assert.equal(pd.eventTypes[0].name, 'tracepoint:316'); // no tracing data feature: generic name
  });

  it('zero-size record: an error at its offset, not an endless loop', () => {
    const bytes = pipeWith([sample(TP, { id: 7, time: 10 }), record(9, new Uint8Array(0), 0, 0)]);
    const p = write(bytes);
    const at = bytes.length - 8;
    expectError(() => drain(openPerfData(p).records()), /record size 0 is smaller than the 8-byte record header/, p, at);
  });

  it('record size past the end of the data', () => {
    const s = sample(TP, { id: 7, time: 10 });
    const bytes = pipeWith([s, s.subarray(0, 20)]);
    expectError(() => drain(openPerfData(write(bytes)).records()), /expected a record of \d+ bytes, found only 20 .*truncated/);
  });

  it('sample shorter than its sample_type says', () => {
    const bytes = pipeWith([record(9, new Bytes().u64(7).u64(1))]);
    expectError(() => drain(openPerfData(write(bytes)).records()), /expected a sample of at least 48 bytes for its sample_type, found 24/);
  });

  it('raw payload shorter than the tracepoint format', () => {
    const bytes = pipeWith([sample(TP, { id: 7, time: 10, raw: new Uint8Array(12) })]);
    expectError(() => drain(openPerfData(write(bytes)).records()), /sched:sched_switch payload of at least 32 bytes .* found 12/);
  });

  it('garbage tracing data', () => {
    const bad = tracingData('sched', [SWITCH_FORMAT]);
    bad[3] = 0x58; // "tracing" → "Xracing"
    const bytes = pipeForm([headerAttr(attr({ config: 316, sampleType: TP }), [7]), tracingDataRecord(bad)]);
    expectError(() => openPerfData(write(bytes)), /tracing data: expected the tracing data magic/);
    const cut = tracingData('sched', [SWITCH_FORMAT]).subarray(0, 80);
    expectError(() => openPerfData(write(pipeForm([headerAttr(attr({ config: 316, sampleType: TP }), [7]), tracingDataRecord(cut)]))), /tracing data: expected/);
  });

  it('unknown sample_type bits are refused with the attr offset', () => {
    const a = attr({ sampleType: TP | (1 << 30) });
    expectError(() => openPerfData(write(pipeForm([headerAttr(a, [7])]))), /sample_type 0x4001.* has bits this reader does not know/, undefined, 16 + 8 + 24);
  });

  it('attrs that disagree on the id position', () => {
    const bytes = pipeForm([
      headerAttr(attr({ sampleType: ST.TID | ST.TIME | ST.ID }), [1]),
      headerAttr(attr({ sampleType: ST.IP | ST.TID | ST.TIME | ST.ID }), [2]),
    ]);
    expectError(() => openPerfData(write(bytes)), /disagree on where the sample id is/);
  });

  it('a sample before any attr (pipe form)', () => {
    expectError(() => openPerfData(write(pipeForm([sample(TP, { id: 7, time: 1 })]))), /expected attr records before the first sample/, undefined, 16);
  });

  it('a file-form recording fed through a pipe is refused clearly', () => {
    const bytes = fileForm([{ attr: attr({ sampleType: TP }), ids: [1] }], []);
    expectError(() => openPerfDataStream(new MemorySource(bytes), 'stdin'), /cannot be read from a pipe/);
  });
});

describe('perf.data edge cases: valid but odd', () => {
  it('unknown record types are skipped and counted', () => {
    const bytes = pipeWith([
      record(50, new Bytes().u64(1)), sample(TP, { id: 7, time: 10 }), record(200, new Bytes().u64(2).u64(3)), sample(TP, { id: 7, time: 11 }),
    ]);
    const pd = openPerfData(write(bytes));
    assert.equal(drain(pd.records()).length, 2);
    assert.equal(pd.stats.unknownRecordTypes, 2);
  });

  it('LOST and LOST_SAMPLES are counted and delivered', () => {
    const bytes = pipeWith([
      sample(TP, { id: 7, time: 10 }), lost(TP, 5, { id: 7, time: 11 }),
      record(13, new Bytes().u64(7).raw(trailer(TP, { id: 7, time: 12 }).build())), sample(TP, { id: 7, time: 13 }),
    ]);
    const pd = openPerfData(write(bytes));
    const recs = drain(pd.records());
    assert.deepEqual(recs.filter((r) => r.type === 'lost').map((r) => r.count), [5, 7]);
    assert.equal(pd.stats.lostEvents, 12);
    assert.equal(pd.stats.lostRecords, 2);
  });

  for (const size of [64, 72, 80, 96, 104, 112, 120, 128, 136]) {
    it(`attr size ${size} (file form)`, () => {
      const a = attr({ sampleType: TP, config: 316, size });
      const bytes = fileForm([{ attr: a, ids: [7] }], [sample(TP, { id: 7, time: 1000, tid: 42, raw: switchPayload('worker', 42, 'dl') })], tracing);
      const recs = drain(openPerfData(write(bytes)).records());
      assert.deepEqual(recs, [{ type: 'sample', time: 0, name: 'sched:sched_switch', tid: 42, prev: 'worker', dl: 'dl' }]);
    });
  }

  for (const [label, st] of [['PERF_SAMPLE_IDENTIFIER', ST.TID | ST.TIME | ST.CPU | ST.RAW | ST.IDENTIFIER], ['PERF_SAMPLE_ID', ST.IP | ST.TID | ST.TIME | ST.ID | ST.CPU | ST.RAW]] as const) {
    it(`two events told apart by ${label}, also in non-sample trailers`, () => {
      const bytes = pipeForm([
        headerAttr(attr({ config: 316, sampleType: st }), [11, 12]),
        headerAttr(attr({ config: 999, sampleType: st }), [21, 70000]),
        tracingDataRecord(tracing),
        sample(st, { id: 21, time: 100, tid: 1 }),
        sample(st, { id: 12, time: 101, tid: 2, raw: switchPayload('a', 2, 'x') }),
        sample(st, { id: 70000, time: 102, tid: 3 }),
        sample(st, { id: 55, time: 103, tid: 4 }), // no such id: skipped, counted
        comm(st, 5, 5, 'named', { id: 21, time: 104, pid: 5, tid: 5 }),
      ]);
      const pd = openPerfData(write(bytes));
      const recs = drain(pd.records());
      assert.deepEqual(recs.map((r) => `${r.name ?? r.type}:${r.tid}:${r.time}`), ['tracepoint:999:1:0', 'sched:sched_switch:2:1', 'tracepoint:999:3:2', 'comm:5:4']);
      assert.equal(pd.stats.unknownIds, 1);
    });
  }

  it("perf's ids far above 65,536 (they count every event opened since boot) still tell events apart", () => {
    const bytes = fileForm(
      [
        { attr: attr({ sampleType: TP, config: 1 }), ids: [455_774, 455_775] },
        { attr: attr({ sampleType: TP, config: 2 }), ids: [455_776, 9_000_000] },
      ],
      [sample(TP, { id: 455_774, time: 5 }), sample(TP, { id: 455_776, time: 6 }), sample(TP, { id: 9_000_000, time: 7 }), sample(TP, { id: 455_775, time: 8 })],
    );
    const events: number[] = [];
    for (const record of openPerfData(write(bytes)).records()) if (record.type === 'sample') events.push(record.event.index);
    assert.deepEqual(events, [0, 1, 1, 0]);
  });

  it('out-of-order records across FINISHED_ROUNDs come out sorted; late ones are counted', () => {
    const s = (t: number, tid: number): Uint8Array => sample(TP, { id: 7, time: 1_000_000 + t, tid });
    const bytes = pipeWith([
      s(10, 1), s(30, 1), s(20, 2), FINISHED_ROUND,
      s(25, 2), s(40, 1), s(35, 2), FINISHED_ROUND,
      s(50, 1), FINISHED_ROUND, // releases up to 40: everything but 40 and 50
      s(5, 3), // older than what was released: still delivered, counted
      s(60, 1),
    ]);
    const pd = openPerfData(write(bytes));
    const times = drain(pd.records()).map((r) => r.time);
    assert.equal(times.length, 9);
    assert.deepEqual(times, [0, 10, 15, 20, 25, 30, -5, 40, 50]);
    assert.equal(pd.stats.outOfOrder, 1);
    assert.equal(pd.timeBaseNs, 1_000_010n);
  });

  it('without rounds, a tiny memory bound forces flushes and everything still comes out sorted', () => {
    const recs: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) recs.push(sample(TP, { id: 7, time: 1e9 + i * 10 + (i % 2 === 0 ? 0 : 3), tid: i % 2 }));
    const pd = openPerfData(write(pipeWith(recs)), { maxQueueBytes: 4096 });
    const times = drain(pd.records()).map((r) => r.time);
    assert.equal(times.length, 2000);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1]);
    assert.ok(pd.stats.forcedFlushes > 10);
  });

  it('memory stays bounded by the round window: record blocks are recycled', () => {
    const recs: Uint8Array[] = [];
    // two "CPUs" interleaved per round, like perf's per-CPU buffers
    for (let round = 0; round < 200; round++) {
      for (let cpu = 0; cpu < 2; cpu++) {
        for (let k = 0; k < 50; k++) recs.push(sample(TP, { id: 7, time: 1e9 + round * 1000 + k * 20 + cpu * 10, tid: cpu, cpu }));
      }
      recs.push(FINISHED_ROUND);
    }
    const bytes = pipeWith(recs);
    assert.ok(bytes.length > 1_500_000);
    const pd = openPerfData(write(bytes), { blockSize: 16384 }) as ReturnType<typeof openPerfData> & { liveBlocks: number };
    let maxLive = 0;
    let prev = -Infinity;
    let count = 0;
    for (const r of pd.records()) {
      assert.ok(r.time >= prev);
      prev = r.time;
      count++;
      maxLive = Math.max(maxLive, pd.liveBlocks);
    }
    assert.equal(count, 20000);
    assert.equal(pd.stats.outOfOrder, 0);
    // ~2 rounds of 8 KiB each in 16 KiB blocks, plus the cutter's block: far below the 95 blocks of data
    assert.ok(maxLive <= 6, `max live blocks ${maxLive}`);
  });

  it('untimed records take the time of the last timed record; leading ones the earliest time', () => {
    const bytes = pipeWith([
      comm(TP, 1, 1, 'synth'), // perf-synthesized: time 0
      sample(TP, { id: 7, time: 500, tid: 1 }),
      sample(TP, { id: 7, time: 400, tid: 2 }),
      comm(TP, 2, 2, 'late-synth'),
      sample(TP, { id: 7, time: 600, tid: 1 }),
    ]);
    const pd = openPerfData(write(bytes));
    const recs = drain(pd.records());
    assert.deepEqual(recs.map((r) => `${r.comm ?? r.type}@${r.time}`), ['synth@-100', 'sample@-100', 'late-synth@-100', 'sample@0', 'sample@100']);
    assert.equal(pd.stats.untimed, 2);
  });

  it('fork/exit use their own time field when sample_id_all is off', () => {
    const st = ST.TID | ST.TIME;
    const bytes = pipeForm([headerAttr(attr({ sampleType: st, sampleIdAll: false }), [1]), sample(st, { time: 1000 }), fork(0, 10, 11, 10, 10, { time: 1500 })]);
    const recs = drain(openPerfData(write(bytes)).records());
    assert.deepEqual(recs.map((r) => `${r.type}@${r.time}`), ['sample@0', 'fork@500']);
  });

  it('callchain context markers are dropped', () => {
    const st = TP | ST.CALLCHAIN;
    const bytes = pipeForm([headerAttr(attr({ config: 316, sampleType: st }), [7]), tracingDataRecord(tracing),
      sample(st, { id: 7, time: 9, callchain: [0xffffffffffffff80n, 0xffffffff81000000n, 0xfffffffffffffe00n, 0x7f0000001234n], raw: switchPayload('c', 1, 'n') })]);
    for (const r of openPerfData(write(bytes)).records()) {
      assert.equal(r.type, 'sample');
      if (r.type === 'sample') assert.deepEqual(Array.from(r.callchain!), [Number(0xffffffff81000000n), 0x7f0000001234]);
    }
  });

  it('records cut at every chunk boundary (1..9-byte reads) decode the same', () => {
    const bytes = pipeWith([comm(TP, 1, 1, 'x', { id: 7, time: 50 }), sample(TP, { id: 7, time: 60, raw: switchPayload('p', 3, 'dd') }), FINISHED_ROUND, sample(TP, { id: 7, time: 70, tid: 9 })]);
    const expected = drain(openPerfDataStream(new MemorySource(bytes), 'mem').records());
    assert.equal(expected.length, 3);
    for (let chunk = 1; chunk < 10; chunk++) {
      assert.deepEqual(drain(openPerfDataStream(new MemorySource(bytes, chunk), 'mem').records()), expected, `chunk ${chunk}`);
    }
  });

  it('zstd: the real -z recording re-cut into tiny COMPRESSED records decodes the same', () => {
    const src = fs.readFileSync(thirdParty('uprobe_sched_py312_zstd.perf.data'));
    const dataOff = Number(src.readBigUInt64LE(40));
    const dataSize = Number(src.readBigUInt64LE(48));
    const out: Buffer[] = [];
    let chunk = 1;
    for (let p = dataOff; p < dataOff + dataSize; p += src.readUInt16LE(p + 6)) {
      const size = src.readUInt16LE(p + 6);
      if (src.readUInt32LE(p) !== 81) {
        out.push(src.subarray(p, p + size));
        continue;
      }
      // one zstd stream, cut at ever-changing sizes: records and zstd blocks straddle them
      for (let q = p + 8; q < p + size; q += chunk, chunk = (chunk % 97) + 1) {
        const part = src.subarray(q, Math.min(q + chunk, p + size));
        const rec = Buffer.alloc(8 + part.length);
        rec.writeUInt32LE(81, 0);
        rec.writeUInt16LE(8 + part.length, 6);
        part.copy(rec, 8);
        out.push(rec);
      }
    }
    const data = Buffer.concat(out);
    const head = Buffer.from(src.subarray(0, dataOff));
    head.writeBigUInt64LE(BigInt(data.length), 48);
    const tail = Buffer.from(src.subarray(dataOff + dataSize));
    const delta = BigInt(data.length - dataSize);
    let sections = 0;
    for (let w = 0; w < 8; w++) for (let v = head.readUInt32LE(72 + 4 * w); v !== 0; v &= v - 1) sections++;
    for (let i = 0; i < sections; i++) tail.writeBigUInt64LE(tail.readBigUInt64LE(16 * i) + delta, 16 * i);
    const recut = openPerfData(write(Buffer.concat([head, data, tail])));
    const original = openPerfData(thirdParty('uprobe_sched_py312_zstd.perf.data'));
    assert.deepEqual(drain(recut.records()), drain(original.records()));
    assert.ok(recut.stats.records > 2000);
  });

  it('zstd data that perf left unfinished (its last record cut short): the whole records come, the piece is counted', () => {
    const records = [comm(TP, 1, 1, 'x', { id: 7, time: 50 }), sample(TP, { id: 7, time: 60, raw: switchPayload('p', 3, 'dd') }), sample(TP, { id: 7, time: 70, tid: 9 })];
    const whole = Buffer.concat(records);
    const kept = whole.subarray(0, whole.length - 24); // perf never wrote the rest of the stream
    // a zstd frame of one raw (stored) block that is not its last: the stream goes on nowhere
    const frame = Buffer.alloc(6 + 3 + kept.length);
    frame.writeUInt32LE(0xfd2fb528, 0);
    frame[4] = 0x00; // no content size, no checksum, not single-segment
    frame[5] = 0x50; // window 1 MiB
    frame.writeUIntLE((kept.length << 3) | (0 << 1) | 0, 6, 3); // raw block, not the last
    kept.copy(frame, 9);
    const compressed = record(81, frame);
    const pd = openPerfDataStream(new MemorySource(pipeWith([compressed, FINISHED_ROUND])), 'mem');
    const got = drain(pd.records());
    assert.deepEqual(got, drain(openPerfDataStream(new MemorySource(pipeWith(records.slice(0, 2))), 'mem').records()));
    assert.equal(pd.stats.zstdTailBytes, records[2].length - 24);
  });

  it("'-' reads a pipe-form recording from stdin", () => {
    const script = `import { openPerfData } from ${JSON.stringify(new URL('./index.js', import.meta.url).href)};
      const pd = openPerfData('-'); let n = 0; for (const r of pd.records()) if (r.type === 'sample') n++;
      console.log(pd.form, n, pd.eventTypes.length);`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: fs.readFileSync(thirdParty('uprobe_sched_py312_pipe.perf.data')), encoding: 'utf8' });
    assert.equal(out.stderr, '');
    assert.equal(out.stdout.trim(), 'pipe 2100 8');
  });

  it('data beyond 4 GB (sparse file): offsets are never 32-bit', () => {
    const at = 2 ** 32 + 2 ** 31 + 8;
    const a = attr({ sampleType: TP, config: 316 });
    const { head, rest } = fileFormParts([{ attr: a, ids: [7] }], [sample(TP, { id: 7, time: 10, tid: 1, raw: switchPayload('far', 1, 'away') }), sample(TP, { id: 7, time: 20, tid: 2 }), record(9, new Uint8Array(0), 0, 0)], tracing, at);
    const p = path.join(tmp, 'sparse.data');
    const fd = fs.openSync(p, 'w');
    fs.writeSync(fd, head, 0, head.length, 0);
    fs.writeSync(fd, rest, 0, rest.length, at);
    fs.closeSync(fd);
    const pd = openPerfData(p);
    // the zero-size record at the end is reported at its true offset, above 2^32
    const e = expectError(() => drain(pd.records()), /record size 0/, p);
    assert.equal(e.offset, at + rest.length - 16 - tracing.length - 8);
    assert.ok(e.message.includes(`at byte ${at + rest.length - 16 - tracing.length - 8}`));
    fs.rmSync(p);
  });

  it('readTracepointInt: sizes and signedness from the format; out-of-payload is an error', () => {
    const raw = Uint8Array.from([0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x80, 0x10, 0, 0, 0]);
    const f = (offset: number, size: number, signed: boolean) => ({ name: 'f', type: 'x', offset, size, width: size, signed });
    assert.equal(readTracepointInt(raw, f(0, 1, true)), -1);
    assert.equal(readTracepointInt(raw, f(0, 1, false)), 255);
    assert.equal(readTracepointInt(raw, f(0, 2, true)), -257);
    assert.equal(readTracepointInt(raw, f(8, 4, false)), 0x80000001);
    assert.equal(readTracepointInt(raw, f(8, 4, true)), -0x7fffffff);
    assert.equal(readTracepointInt(raw, f(0, 8, true)), -257);
    assert.equal(readTracepointInt(raw, f(8, 8, false)), 0x1080000001);
    expectError(() => readTracepointInt(raw, f(12, 8, false)), /outside the 16-byte payload/);
    // readSampleInt's in-place path (a reader sample: the payload inside a bigger buffer, read
    // through its DataView) gives the same values and the same error
    const buffer = new Uint8Array(32);
    buffer.set(raw, 5);
    const sample = { rawBytes: buffer, rawAt: 5, rawLength: raw.length, rawDv: new DataView(buffer.buffer) } as unknown as SampleRecord;
    for (const [offset, size] of [[0, 1], [0, 2], [8, 4], [0, 8], [8, 8], [4, 4]]) {
      for (const signed of [false, true]) assert.equal(readSampleInt(sample, f(offset, size, signed)), readTracepointInt(raw, f(offset, size, signed)), `${offset} ${size} ${signed}`);
    }
    expectError(() => readSampleInt(sample, f(12, 8, false)), /outside the 16-byte payload/);
  });
});
