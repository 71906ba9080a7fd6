/**
 * Function context in the exports of a real run (root, perf, a pyenv Python 3.11+ for qualified
 * names): `giltrace run` records test/programs/crunchers.py and writes the HTML report; the
 * report's data, the Chrome trace and the Perfetto trace name the function the threads held the
 * GIL in (crunch, at the line of its def, called from worker).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import type { ReportData } from '../../src/contract/report-data.js';
import { PERFETTO_SCHEMA } from '../support/fixture-paths.js';
import { PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.11');
const program = join(PROGRAMS, 'crunchers.py');
const defLine = readFileSync(program, 'utf8').split('\n').indexOf('def crunch(n):') + 1;

test('root, pyenv 3.11+: the report, Chrome and Perfetto traces of a real run name the function that held the GIL', { skip: !python && 'no pyenv Python 3.11 or 3.12' }, () => {
  const html = join(dir, 'report.html');
  const data = join(dir, 'rec.data');
  const run = giltrace(['run', '-o', html, '--data', data, '--', python!, program]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(leftoverProbes(), []);

  // HTML: the functions table names crunch; the worker threads' GIL steps point at its stacks.
  const page = readFileSync(html, 'utf8');
  const report = JSON.parse(page.match(/id="giltrace-data">(.*?)<\/script>/s)![1].replace(/\\u003c/g, '<')) as ReportData;
  const context = report.functionContext!;
  assert.ok(context, 'the report carries function context');
  const crunch = context.functions.findIndex((f) => f.name === 'crunch' && f.file === program && f.line === defLine);
  assert.ok(crunch > 0, `crunch (${program}:${defLine}) among ${context.functions.map((f) => f.name).join(', ')}`);
  assert.ok(report.stats.processes[0].functions!.some((f) => f.name === 'crunch' && f.held_ns > 0));
  const blob = gunzipSync(Buffer.from(page.match(new RegExp(`id="${report.blob.elementId}">([A-Za-z0-9+/=]*)<`))![1], 'base64'));
  const crunchers = report.processes[0].threads.filter((t) => t.name.startsWith('cruncher-'));
  assert.equal(crunchers.length, 2);
  for (const thread of crunchers) {
    const column = thread.gilStacks!;
    const width = { u8: 1, u16: 2, i32: 4 }[column.enc];
    const ids = Array.from({ length: column.length }, (_, i) => blob.readUIntLE(column.data.offset + i * width, width));
    const inCrunch = ids.filter((id) => context.stacks[id]?.[0] === crunch);
    assert.ok(inCrunch.length > 0, `${thread.name}: some GIL steps in crunch`);
    assert.ok(inCrunch.every((id) => context.stacks[id].length === 1 || context.callerNames[context.stacks[id][1]] === 'worker'), 'crunch is called from worker');
  }

  // Chrome trace: the crunchers' holding slices carry crunch in their args.
  const json = join(dir, 'trace.json');
  assert.equal(giltrace(['report', data, '-o', json]).code, 0);
  const trace = JSON.parse(readFileSync(json, 'utf8')) as { traceEvents: { ph: string; cat?: string; name: string; args?: Record<string, unknown> }[] };
  const held = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'gil' && e.name === 'holding' && e.args?.function === 'crunch');
  // A frame being torn down (a thread's last release) can read without its file and callers: most do not.
  const full = held.filter((e) => e.args!.file !== undefined);
  assert.ok(full.length > 0 && full.length >= held.length * 0.8, `${full.length} of ${held.length} holding slices in crunch read in full`);
  for (const e of full) {
    assert.equal(e.args!.file, program);
    assert.equal(e.args!.line, defLine);
    assert.match(String(e.args!.stack), /^crunch <- worker <- Thread\.run\b/);
  }

  // Perfetto: the same names, as interned debug annotation strings.
  const pftrace = join(dir, 'trace.pftrace');
  assert.equal(giltrace(['report', data, '-o', pftrace]).code, 0);
  const Trace = protobuf.loadSync(PERFETTO_SCHEMA).lookupType('perfetto.protos.Trace');
  const decoded = Trace.toObject(Trace.decode(readFileSync(pftrace)), { longs: String }) as { packet: any[] };
  const strings = decoded.packet.flatMap((p) => p.internedData?.debugAnnotationStringValues ?? []).map((v: any) => Buffer.from(v.str).toString('utf8'));
  assert.ok(strings.includes('crunch') && strings.includes(program), 'crunch and its file are interned');
  assert.ok(strings.some((s: string) => s.startsWith('crunch <- worker <- Thread.run')));
});
