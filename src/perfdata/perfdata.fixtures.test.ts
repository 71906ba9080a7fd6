import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPerfData, readSampleInt, readSampleString, readTracepointInt, readTracepointString, type EventType, type OpenOptions, type PerfRecord } from './index.js';
import { thirdParty, thirdPartyText } from '../../test/support/fixture-paths.js';
import { formatAbs, parseScript, traceFields, type ScriptSample } from '../../test/support/perf-script-text.js';

interface Decoded {
  readonly time: string;
  readonly event: string;
  readonly pid: number;
  readonly tid: number;
  readonly cpu: number;
  readonly fields: Map<string, string | number>;
  readonly chain: number[] | undefined;
}

/** Reads a recording fully, converting each sample at once (samples are reused objects). */
function readAll(file: string, options: OpenOptions = {}): { samples: Decoded[]; others: PerfRecord[]; base: bigint; times: number[]; pd: ReturnType<typeof openPerfData> } {
  const pd = openPerfData(thirdParty(file), options);
  const samples: Decoded[] = [];
  const others: PerfRecord[] = [];
  const times: number[] = [];
  for (const r of pd.records()) {
    times.push(r.time);
    if (r.type !== 'sample') {
      others.push(r);
      continue;
    }
    const fields = new Map<string, string | number>();
    for (const f of r.event.fields) {
      const str = f.dataLoc === true || f.type.startsWith('char[');
      // read in place first (no copy), then from the copy `raw` makes: both must agree
      const inPlace: string | number = str ? readSampleString(r, f) : readSampleInt(r, f);
      const copied: string | number = str ? readTracepointString(r.raw!, f) : readTracepointInt(r.raw!, f);
      assert.equal(inPlace, copied, `${r.event.name}.${f.name} read in place vs from raw`);
      fields.set(f.name, copied);
    }
    samples.push({
      time: formatAbs(pd.timeBaseNs, r.time), event: r.event.name, pid: r.pid, tid: r.tid, cpu: r.cpu, fields,
      chain: r.callchain === undefined ? undefined : Array.from(r.callchain),
    });
  }
  return { samples, others, base: pd.timeBaseNs, times, pd };
}

function counts<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

const STATE_LETTERS = 'SDTtXZPI';
/** perf's rendering of sched_switch prev_state (R, S, D, ... with '+' for preempted). */
function stateText(v: number): string {
  const bits = v & 0xff;
  let s = '';
  for (let i = 0; i < STATE_LETTERS.length; i++) if (bits & (1 << i)) s += (s === '' ? '' : '|') + STATE_LETTERS[i];
  if (s === '') s = 'R';
  return v & 0x100 ? `${s}+` : s;
}

/** Checks every key=value perf printed against our decoded field of the same meaning. */
function checkTrace(ours: Decoded, theirs: ScriptSample): void {
  const where = `${theirs.time} ${theirs.event}`;
  if (ours.event.includes('take_gil__return') || ours.event.includes('drop_gil__return')) {
    const m = /^\(([0-9a-f]+) <- ([0-9a-f]+)\)/.exec(theirs.trace);
    assert.ok(m, where);
    assert.equal(ours.fields.get('__probe_func'), parseInt(m[1], 16), where);
    assert.equal(ours.fields.get('__probe_ret_ip'), parseInt(m[2], 16), where);
    return;
  }
  if (ours.fields.has('__probe_ip')) {
    const m = /^\(([0-9a-f]+)\)/.exec(theirs.trace);
    assert.ok(m, where);
    assert.equal(ours.fields.get('__probe_ip'), parseInt(m[1], 16), where);
    return;
  }
  const alias: Record<string, string> = ours.event === 'sched:sched_process_fork' ? { comm: 'parent_comm', pid: 'parent_pid' } : {};
  let checked = 0;
  for (const [k, v] of traceFields(theirs.trace)) {
    const name = alias[k] ?? k;
    const mine = ours.fields.get(name);
    if (mine === undefined) continue;
    checked++;
    if (name === 'prev_state') assert.equal(stateText(mine as number), v, where);
    else if (v === 'true' || v === 'false') assert.equal(mine !== 0, v === 'true', `${where} ${k}`);
    else if (typeof mine === 'number') assert.equal(mine, Number(v), `${where} ${k}`);
    else assert.equal(mine, v, `${where} ${k}`);
  }
  assert.ok(checked >= Math.min(2, traceFields(theirs.trace).size), `${where}: compared only ${checked} fields of "${theirs.trace}"`);
}

function sortKey(s: { time: string; event: string; tid: number; cpu: number }): string {
  return `${s.time} ${s.event} ${s.cpu} ${s.tid}`;
}

/** Our samples and perf's lines, matched one to one after sorting by time, event, cpu, tid. */
function crossCheck(file: string, script: string, opts: { pidInScript: boolean }): Decoded[] {
  const { samples, times } = readAll(file);
  const theirs = parseScript(thirdParty(script));
  assert.equal(samples.length, theirs.length, 'sample count equals perf script line count');
  for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1], `record ${i} out of time order`);
  const a = [...samples].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
  const b = [...theirs].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
  for (let i = 0; i < a.length; i++) {
    const where = `${b[i].time} ${b[i].event}`;
    assert.equal(a[i].time, b[i].time, `time of #${i}`);
    assert.equal(a[i].event, b[i].event, where);
    assert.equal(a[i].cpu, b[i].cpu, where);
    if (b[i].tid !== -1) assert.equal(a[i].tid, b[i].tid, where); // perf shows -1 for already-exited threads
    if (opts.pidInScript && b[i].pid !== undefined && b[i].tid !== -1) assert.equal(a[i].pid, b[i].pid, where);
    checkTrace(a[i], b[i]);
  }
  return samples;
}

// per-event counts as perf script reads them (test/fixtures/third-party/README.md)
const UPROBE_COUNTS: Record<string, [number, number, number, number, number, number, number]> = {
  'uprobe_sched_py312.perf.data': [657, 657, 657, 109, 47, 2, 3],
  'uprobe_sched_py312_zstd.perf.data': [661, 661, 661, 90, 47, 2, 3],
  'uprobe_sched_py312_pipe.perf.data': [661, 661, 661, 75, 37, 2, 3],
};
const UPROBE_EVENTS = ['probe_libpython3:take_gil', 'probe_libpython3:take_gil__return', 'probe_libpython3:drop_gil', 'sched:sched_switch', 'sched:sched_waking', 'sched:sched_process_fork', 'sched:sched_process_exit'];

describe('perf.data third-party recordings: samples equal perf script', () => {
  for (const [file, expected] of Object.entries(UPROBE_COUNTS)) {
    it(`${file}: counts, times to the ns, pids, cpus, decoded fields`, () => {
      const samples = crossCheck(file, file.replace('.perf.data', '.perf-script.txt.gz'), { pidInScript: true });
      const byEvent = counts(samples, (s) => s.event);
      UPROBE_EVENTS.forEach((e, i) => assert.equal(byEvent.get(e), expected[i], e));
    });
  }

  it('forms are detected from content', () => {
    assert.equal(openPerfData(thirdParty('uprobe_sched_py312.perf.data')).form, 'file');
    assert.equal(openPerfData(thirdParty('uprobe_sched_py312_zstd.perf.data')).form, 'file');
    assert.equal(openPerfData(thirdParty('uprobe_sched_py312_pipe.perf.data')).form, 'pipe');
  });

  it('per4m native recording (4 python: probes, no pid column)', () => {
    const samples = crossCheck('per4m_native_py312.perf.data', 'per4m_native_py312.perf-script.txt.gz', { pidInScript: false });
    const byEvent = counts(samples, (s) => s.event);
    for (const e of ['python:take_gil', 'python:take_gil__return', 'python:drop_gil', 'python:drop_gil__return']) assert.equal(byEvent.get(e), 668, e);
    const byTid = counts(samples.filter((s) => s.event === 'python:take_gil'), (s) => String(s.tid));
    assert.deepEqual([...byTid.keys()].sort(), ['8019', '8021', '8022']);
  });

  it('seed dwarf recording: callchains (kernel part) equal perf script, user stacks skipped', () => {
    const samples = crossCheck('seed_sched_dwarf_py311.perf.data', 'seed_sched_dwarf_py311.perf-script.txt.gz', { pidInScript: true });
    const byEvent = counts(samples, (s) => s.event);
    assert.deepEqual(Object.fromEntries(byEvent), {
      'sched:sched_switch': 233, 'sched:sched_waking': 104, 'sched:sched_wakeup': 44, 'sched:sched_wakeup_new': 5,
      'sched:sched_process_fork': 5, 'sched:sched_wake_idle_without_ipi': 4,
    });
    const theirs = parseScript(thirdParty('seed_sched_dwarf_py311.perf-script.txt.gz'));
    const byKey = new Map(theirs.map((t) => [sortKey(t), t]));
    let compared = 0;
    for (const s of samples) {
      const t = byKey.get(sortKey(s));
      assert.ok(t && s.chain, sortKey(s));
      // perf prints our kernel ips first, then frames it unwound from the copied user stack
      const kernel = t.chain.filter((h) => h.startsWith('ffffffff') && h !== 'ffffffffffffffff');
      assert.deepEqual(s.chain.slice(0, kernel.length), kernel.map((h) => Number(BigInt(`0x${h}`))), sortKey(s));
      compared += kernel.length;
    }
    assert.ok(compared > 1000, `compared ${compared} kernel frames`);
  });
});

/** `perf script --show-task-events --show-mmap-events` lines, normalised like ours below. */
function goldenTaskEvents(file: string): { key: string; time: string }[] {
  const out: { key: string; time: string }[] = [];
  const text = thirdPartyText(file.replace('.perf.data', '.task-events.txt'));
  for (const line of text.split('\n')) {
    const m = /\s(\d+\.\d{9}): PERF_RECORD_(\w+)(.*)$/.exec(line);
    if (m === null) continue;
    const [, time, kind, rest] = m;
    let key: string;
    if (kind === 'FORK' || kind === 'EXIT') {
      const t = /^\((-?\d+):(-?\d+)\):\((-?\d+):(-?\d+)\)/.exec(rest)!;
      key = `${kind.toLowerCase()} ${t[1]}/${t[2]} parent ${t[3]}/${t[4]}`;
    } else if (kind === 'COMM') {
      const c = /^( exec)?: (.*):(-?\d+)\/(-?\d+)$/.exec(rest)!;
      key = `comm ${c[3]}/${c[4]} ${c[2]}${c[1] ? ' exec' : ''}`;
    } else {
      const mm = /^ (-?\d+)\/(-?\d+): \[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ (0x[0-9a-f]+|0)[^\]]*\]: (\S+) (.*)$/.exec(rest)!;
      const exec = kind === 'MMAP' ? mm[6] === 'x' : mm[6].includes('x');
      key = `mmap ${mm[1]}/${mm[2]} ${BigInt(`0x${mm[3]}`)}+${BigInt(`0x${mm[4]}`)}@${BigInt(mm[5])} ${exec ? 'x' : '-'} ${mm[7]}`;
    }
    out.push({ key, time });
  }
  return out;
}

function ourKey(r: PerfRecord): string {
  switch (r.type) {
    case 'fork':
    case 'exit': return `${r.type} ${r.pid}/${r.tid} parent ${r.ppid}/${r.ptid}`;
    case 'comm': return `comm ${r.pid}/${r.tid} ${r.comm}${r.exec ? ' exec' : ''}`;
    case 'mmap': return `mmap ${r.pid}/${r.tid} ${BigInt(r.start)}+${BigInt(r.length)}@${BigInt(r.pgoff)} ${r.executable ? 'x' : '-'} ${r.filename}`;
    case 'lost': return `lost ${r.count}`;
    case 'sample': return 'sample';
  }
}

describe('perf.data third-party recordings: comm/fork/exit/mmap equal perf script --show-task-events --show-mmap-events', () => {
  for (const file of ['uprobe_sched_py312.perf.data', 'uprobe_sched_py312_pipe.perf.data', 'uprobe_sched_py312_zstd.perf.data', 'per4m_native_py312.perf.data', 'seed_sched_dwarf_py311.perf.data']) {
    it(file, () => {
      const { others, base } = readAll(file);
      const golden = goldenTaskEvents(file);
      const mine = others.map((r) => ({ key: ourKey(r), time: formatAbs(base, r.time) }));
      // kernel mmaps of the kernel image have pgoff/start above 2^53: compare those by name only
      const norm = (k: string): string => (k.includes('[kernel.kallsyms]') ? k.replace(/ \d+\+\d+@\d+/, ' kernel') : k);
      assert.deepEqual(mine.map((m) => norm(m.key)).sort(), golden.map((g) => norm(g.key)).sort());
      // every record perf timed (perf prints 0 for synthesized ones) has our time to the ns
      const ours = new Set(mine.map((m) => `${m.time} ${norm(m.key)}`));
      let timed = 0;
      for (const g of golden) {
        if (g.time === '0.000000000') continue;
        timed++;
        assert.ok(ours.has(`${g.time} ${norm(g.key)}`), `${g.time} ${g.key}`);
      }
      assert.ok(timed > 0);
    });
  }
});

describe('perf.data third-party recordings: tiny record blocks, recycled all the time, change nothing', () => {
  // 4 KB blocks: hundreds are read, recycled and reused per recording, so a block recycled
  // while a queued record still lies in it shows up as different record contents
  for (const file of ['uprobe_sched_py312.perf.data', 'uprobe_sched_py312_pipe.perf.data', 'uprobe_sched_py312_zstd.perf.data', 'seed_sched_dwarf_py311.perf.data']) {
    it(file, () => {
      const small = readAll(file, { blockSize: 4096 });
      const normal = readAll(file);
      assert.ok(small.samples.length > 0);
      // every record counted into its block was counted out again
      assert.equal((small.pd as typeof small.pd & { blockRefs: number }).blockRefs, 0);
      assert.deepEqual(small.samples, normal.samples);
      assert.deepEqual(small.others, normal.others);
      assert.deepEqual(small.times, normal.times);
    });
  }
});

describe('perf.data third-party recordings: header', () => {
  it('event types, fields from the tracing data formats, features', () => {
    const pd = openPerfData(thirdParty('uprobe_sched_py312.perf.data'));
    assert.deepEqual(pd.eventTypes.map((e) => e.name), [...UPROBE_EVENTS, 'dummy:HG']);
    const sw = pd.eventTypes[3] as EventType;
    assert.equal(sw.system, 'sched');
    assert.equal(sw.tracepoint, 'sched_switch');
    assert.deepEqual(sw.field('prev_comm'), { name: 'prev_comm', type: 'char[16]', offset: 8, size: 16, signed: false, arrayLength: 16, width: 1, dataLoc: false, relLoc: false });
    assert.deepEqual(sw.field('next_pid'), { name: 'next_pid', type: 'pid_t', offset: 56, size: 4, signed: true, arrayLength: undefined, width: 4, dataLoc: false, relLoc: false });
    assert.equal(pd.eventTypes[7].system, '');
    assert.equal(pd.timeBaseNs, 1892304265347n); // first record in file order (a sched_waking)
    assert.equal(pd.features.hostname, 'vm');
    assert.equal(pd.features.perfVersion, '6.1.187');
    assert.equal(pd.features.nrCpus, 2);
    assert.equal(pd.features.clockId, 1);
    assert.equal(pd.features.cmdline?.[0], '/usr/bin/perf');
    assert.equal(pd.features.cmdline?.at(-1), 'seed_two_threads.py');
  });

  it('stats after iteration', () => {
    const { pd } = readAll('uprobe_sched_py312.perf.data');
    assert.equal(pd.stats.samples, 2132);
    assert.equal(pd.stats.lostEvents, 0);
    assert.equal(pd.stats.unknownRecordTypes, 0);
    assert.equal(pd.stats.bytes, 205880); // the header's data size
    const z = readAll('uprobe_sched_py312_zstd.perf.data').pd;
    assert.ok(z.stats.compressedBytes > 0 && z.stats.bytes > 5 * z.stats.compressedBytes);
    assert.equal(z.features.compression?.type, 1);
  });
});
