/**
 * The HTML report in a real browser (Debian chromium via playwright-core): opens from file://
 * with no console errors and no network, names every thread, zooms, pans, hovers, selects,
 * sorts, draws the histograms. Screenshots go to /tmp/giltrace-report-*.png.
 * Skipped (with the reason) only when /usr/bin/chromium is not installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { toHtmlReport } from './html-report.js';
import { makeSyntheticInput } from '../../test/support/synthetic-timeline.js';
import { chromiumMissing, launchChromium } from '../../test/support/headless-chromium.js';
import { formatDuration, formatPercent } from '../base/time.js';
import { GilState, type ThreadTimeline } from '../model/timeline.js';
import { gilStepStacks } from '../analysis/index.js';

/** What the page exposes (src/report-ui/main.ts); these callbacks run in the browser. */
declare const window: {
  giltrace?: {
    data: { processes: { threads: { tid: number; gil: { times: ArrayLike<number>; states: ArrayLike<number> }; cpu: { times: ArrayLike<number>; states: ArrayLike<number> }; dropTimes: ArrayLike<number>; gilStacks?: ArrayLike<number> }[]; gils: { waiters: { times: ArrayLike<number>; states: ArrayLike<number> }; holderTids: ArrayLike<number> }[] }[] };
    view: {
      range: { start: number; end: number };
      setRange(start: number, end: number): void;
      locate(tid: number, time: number): { x: number; y: number } | undefined;
    };
  };
  pwned?: number;
};

const skip = chromiumMissing();
// A hostile thread name must show up as text, not markup.
const hostile = '</script><img src=x onerror="window.pwned=1">';
const input = makeSyntheticInput({ handoffs: 60, mainThreadName: hostile });
const process = input.timeline.processes[0];

let page: Page;
let close: () => Promise<void>;
/** The report of `input`, which the tests share (one that opens another page comes back to it). */
let reportFile: string;
const problems: string[] = [];
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-report-'));
  dirs.push(dir);
  return dir;
};
const requests: string[] = [];
/** Screenshots for review go to $GILTRACE_SCREENSHOTS when set; otherwise into a temp dir removed after the run. */
let shotsDir: string | undefined;
const screenshot = (name: string) => join(globalThis.process.env.GILTRACE_SCREENSHOTS ?? (shotsDir ??= tempDir()), `giltrace-report-${name}.png`);

before(async () => {
  if (skip) return;
  reportFile = join(tempDir(), 'report.html');
  writeFileSync(reportFile, toHtmlReport(input));
  const browser = await launchChromium();
  close = browser.close;
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requests.push(r.url()));
  await page.goto(`file://${reportFile}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
});

after(async () => {
  if (close) await close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const canvasOrigin = async () => (await page.locator('canvas.gt-canvas').boundingBox())!;
const range = () => page.evaluate(() => window.giltrace!.view.range);

test('opens from file:// without console errors or network requests', { skip }, async () => {
  await page.screenshot({ path: screenshot('full'), fullPage: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test('the page decodes exactly the timeline the model built', { skip }, async () => {
  const decoded = await page.evaluate(() =>
    window.giltrace!.data.processes.map((p) => ({
      threads: p.threads.map((t) => ({ tid: t.tid, gil: [Array.from(t.gil.times), Array.from(t.gil.states)], cpu: [Array.from(t.cpu.times), Array.from(t.cpu.states)], drops: Array.from(t.dropTimes), stacks: Array.from(t.gilStacks ?? []) })),
      gils: p.gils.map((g) => ({ waiters: [Array.from(g.waiters.times), Array.from(g.waiters.states)], holders: Array.from(g.holderTids) })),
    })),
  );
  const expected = input.timeline.processes.map((p) => ({
    threads: p.threads.map((t) => ({ tid: t.tid, gil: [Array.from(t.gilTrack.times), Array.from(t.gilTrack.states)], cpu: [Array.from(t.cpuTrack.times), Array.from(t.cpuTrack.states)], drops: t.drops.map((d) => d.time), stacks: Array.from(gilStepStacks(t, input.timeline.stacks)) })),
    gils: p.gils.map((g) => ({ waiters: [Array.from(g.waiters.times), Array.from(g.waiters.counts)], holders: Array.from(g.holders.tids) })),
  }));
  assert.deepEqual(decoded, expected);
});

test('every thread is named in the timeline and in the table', { skip }, async () => {
  const rows = await page.locator('canvas.gt-canvas li').allTextContents();
  const table = await page.locator('#gt-thread-table tbody').textContent();
  for (const thread of process.threads) {
    assert.ok(rows.some((r) => r.startsWith(thread.name) && r.includes(String(thread.tid))), `${thread.name} in the timeline rows`);
    assert.ok(table!.includes(thread.name), `${thread.name} in the table`);
  }
  assert.equal(await page.locator('#gt-thread-table tbody tr').count(), process.threads.length);
});

test('wheel and keys zoom, dragging pans', { skip }, async () => {
  const box = await canvasOrigin();
  const full = await range();
  await page.mouse.move(box.x + box.width * 0.6, box.y + 120);
  await page.mouse.wheel(0, -600);
  await page.waitForTimeout(50);
  const zoomed = await range();
  assert.ok(zoomed.end - zoomed.start < (full.end - full.start) * 0.6, 'wheel zooms in');
  await page.keyboard.press('w');
  const keyed = await range();
  assert.ok(keyed.end - keyed.start < zoomed.end - zoomed.start, 'W zooms in');
  await page.mouse.move(box.x + box.width * 0.6, box.y + 150);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + 150, { steps: 5 });
  await page.mouse.up();
  const panned = await range();
  assert.ok(panned.start > keyed.start, 'dragging left moves the view later');
  assert.ok(Math.abs(panned.end - panned.start - (keyed.end - keyed.start)) < 1e-3 * (keyed.end - keyed.start), 'panning keeps the zoom');
  await page.screenshot({ path: screenshot('zoomed') });
  await page.keyboard.press('0');
  assert.deepEqual(await range(), full);
});

test('clicking the overview moves the view there, keeping the zoom', { skip }, async () => {
  await page.keyboard.press('0');
  await page.keyboard.press('w');
  await page.keyboard.press('w');
  const before = await range();
  const box = (await page.locator('canvas.gt-overview').boundingBox())!;
  const gutter = 240;
  await page.mouse.click(box.x + gutter + (box.width - gutter) * 0.9, box.y + box.height / 2);
  const after = await range();
  assert.ok(after.start > before.start, 'moved later');
  assert.ok(Math.abs(after.end - after.start - (before.end - before.start)) < 1e-3 * (before.end - before.start));
  await page.keyboard.press('0');
});

test('hovering a slice shows its duration; clicking shows its details', { skip }, async () => {
  const worker = process.threads[1];
  const { times, states } = worker.gilTrack;
  const i = [...states].findIndex((s, k) => s === GilState.holding && k > 4);
  const start = times[i];
  const end = times[i + 1];
  // Zoom onto the slice so it spans many pixels, then point at its middle.
  await page.evaluate(([s, e]) => window.giltrace!.view.setRange(s - (e - s), e + (e - s)), [start, end]);
  await page.waitForTimeout(50);
  const at = await page.evaluate(([tid, t]) => window.giltrace!.view.locate(tid, t), [worker.tid, (start + end) / 2]);
  const box = await canvasOrigin();
  await page.mouse.move(box.x + at!.x, box.y + at!.y);
  const tooltip = page.locator('#gt-tooltip');
  await tooltip.waitFor({ state: 'visible' });
  const text = (await tooltip.textContent())!;
  assert.match(text, /holding/);
  assert.ok(text.includes(`duration ${formatDuration(end - start)}`), text);
  await page.screenshot({ path: screenshot('hover') });
  await page.mouse.click(box.x + at!.x, box.y + at!.y);
  const details = (await page.locator('#gt-details').textContent())!;
  assert.match(details, /holding/);
  assert.ok(details.includes(`${Math.round(end - start).toLocaleString('en-US')} ns`), details);
  assert.match(details, /forced drop|voluntary drop/);
});

test('the thread table sorts by a clicked column, both ways', { skip }, async () => {
  const tids = () => page.locator('#gt-thread-table tbody tr td:nth-child(2)').allTextContents();
  await page.locator('#gt-thread-table th', { hasText: /^tid/ }).click();
  const first = await tids();
  await page.locator('#gt-thread-table th', { hasText: /^tid/ }).click();
  const second = await tids();
  const sorted = process.threads.map((t) => String(t.tid)).sort();
  assert.deepEqual([...first].sort(), sorted);
  assert.deepEqual(second, [...first].reverse());
  assert.ok(JSON.stringify(first) === JSON.stringify(sorted) || JSON.stringify(second) === JSON.stringify(sorted));
});

/** Zooms onto the GIL step `i` of `thread`, points at its middle and returns the tooltip's text. */
async function hoverStep(thread: ThreadTimeline, i: number): Promise<{ text: string; at: { x: number; y: number } }> {
  const { times } = thread.gilTrack;
  const start = times[i];
  const end = i + 1 < times.length ? times[i + 1] : thread.end;
  await page.evaluate(([s, e]) => window.giltrace!.view.setRange(s - (e - s), e + (e - s)), [start, end]);
  await page.locator('canvas.gt-canvas').scrollIntoViewIfNeeded(); // an earlier test may have scrolled to a table
  await page.waitForTimeout(50);
  const local = await page.evaluate(([tid, t]) => window.giltrace!.view.locate(tid, t), [thread.tid, (start + end) / 2]);
  const box = await canvasOrigin();
  const at = { x: box.x + local!.x, y: box.y + local!.y };
  await page.mouse.move(at.x - 3, at.y);
  await page.mouse.move(at.x, at.y);
  const tooltip = page.locator('#gt-tooltip');
  await tooltip.waitFor({ state: 'visible' });
  return { text: (await tooltip.textContent())!, at };
}

test('hovering a holding or waiting slice names its Python function and callers; clicking shows the whole stack', { skip }, async () => {
  const worker = process.threads[1];
  const { states } = worker.gilTrack;
  const holding = [...states].findIndex((s, k) => s === GilState.holding && k > 4);
  const hold = await hoverStep(worker, holding);
  assert.match(hold.text, /holding/);
  assert.ok(hold.text.includes('some_computation app.py:7'), hold.text);
  assert.ok(hold.text.includes('called from Thread.run ← Thread._bootstrap_inner ← Thread._bootstrap'), hold.text);
  await page.screenshot({ path: screenshot('hover-function') });

  // A wait after a forced drop is charged to the function the switch interval interrupted.
  const waiting = [...states].findIndex((s, k) => s === GilState.waiting && k > holding);
  const wait = await hoverStep(worker, waiting);
  assert.match(wait.text, /waiting/);
  assert.ok(wait.text.includes('some_computation app.py:7'), wait.text);

  // The thread's first wait comes before any drop (where stacks are read): no function is named.
  const first = await hoverStep(worker, [...states].indexOf(GilState.waiting));
  assert.match(first.text, /waiting/);
  assert.ok(!first.text.includes('some_computation') && !first.text.includes('called from'), first.text);

  const again = await hoverStep(worker, holding); // the view moved to the other slices meanwhile
  await page.mouse.click(again.at.x, again.at.y);
  const details = page.locator('#gt-details');
  assert.ok((await details.textContent())!.includes('some_computation · /srv/app.py:7'));
  assert.deepEqual(await details.locator('ol.stack li').allTextContents(), [
    'some_computation /srv/app.py:7',
    'Thread.run',
    'Thread._bootstrap_inner',
    'Thread._bootstrap',
  ]);
  await page.keyboard.press('Escape');
  await page.keyboard.press('0');
});

test('the function table lists the stats’ functions, most held while others waited first, and sorts by a clicked column', { skip }, async () => {
  const functions = input.stats.processes[0].functions!;
  const table = page.locator('#gt-function-table');
  const column = (n: number) => table.locator(`tbody tr td:nth-child(${n})`).allTextContents();
  const header = (title: RegExp) => table.locator('th', { hasText: title });
  assert.equal(await table.locator('tbody tr').count(), functions.length);
  assert.deepEqual(await column(1), functions.map((f) => f.name), 'the stats order: held while others waited, most first');
  assert.equal(await header(/^held while others waited/).getAttribute('aria-sort'), 'descending');
  assert.deepEqual((await column(2)).slice(0, 2), ['app.py:7', 'app.py:21']);
  assert.equal(await table.locator('tbody tr td:nth-child(2)').first().getAttribute('title'), '/srv/app.py:7');
  assert.match((await table.locator('tbody tr td:nth-child(1)').first().getAttribute('title'))!, /called from:\nThread\.run ← Thread\._bootstrap_inner ← Thread\._bootstrap \(held/);

  const waits = async () => (await column(6)).map(Number);
  await header(/^waits/).click();
  const descending = await waits();
  assert.deepEqual(descending, functions.map((f) => f.waits).sort((a, b) => b - a));
  await header(/^waits/).click();
  assert.deepEqual(await waits(), [...descending].reverse());
  await header(/^function/).click();
  assert.deepEqual(await column(1), functions.map((f) => f.name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  await page.locator('#gt-functions-card').screenshot({ path: screenshot('functions') });
  assert.equal(await header(/^most at line/).count(), 0, 'no line column without lines (no holder samples)');
});

test('with holder samples, the function table says the line each function held the GIL at most, its other lines on hover', { skip }, async () => {
  const [first, ...rest] = input.stats.processes[0].functions!;
  const others = first.held_while_others_wait_ns;
  const lines = [
    { line: 9, held_ns: first.held_ns * 0.6, held_while_others_wait_ns: others * 0.6, text: 'total += <i>', samples: 30 },
    { line: 8, held_ns: first.held_ns * 0.3, held_while_others_wait_ns: others * 0.3, samples: 15 },
  ];
  const process = { ...input.stats.processes[0], functions: [{ ...first, lines, held_samples: 50 }, ...rest] };
  const file = join(tempDir(), 'lines.html');
  writeFileSync(file, toHtmlReport({ ...input, stats: { ...input.stats, processes: [process] } }));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  const table = page.locator('#gt-function-table');
  const at = (await table.locator('th').allTextContents()).findIndex((t) => t.startsWith('most at line')) + 1;
  assert.ok(at > 0, 'a line column');
  const cells = table.locator(`tbody tr td:nth-child(${at})`);
  // the line's text as code (text, not markup), all of it on hover
  assert.equal(await cells.first().textContent(), '9 total += <i> 60.0%');
  assert.equal(await cells.first().locator('code').textContent(), 'total += <i>');
  assert.equal(await cells.first().getAttribute('title'), `app.py:7, by line:\nline 9: held ${formatDuration(lines[0].held_ns)}, ${formatDuration(lines[0].held_while_others_wait_ns)} while others waited, 30 of 50 samples (60.0%)\n    total += <i>\nline 8: held ${formatDuration(lines[1].held_ns)}, ${formatDuration(lines[1].held_while_others_wait_ns)} while others waited, 15 of 50 samples (30.0%)`);
  assert.deepEqual((await cells.allTextContents()).slice(1), rest.map(() => ''), 'functions without lines leave it empty');
  assert.deepEqual(problems.slice(before), []);
  await page.goto(`file://${reportFile}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
});

test('with wait lines, the function table says the line its threads waited after most, and how long they slept without the GIL', { skip }, async () => {
  const [first, ...rest] = input.stats.processes[0].functions!;
  const wait_lines = [
    { line: 12, wait_ns: first.wait_ns * 0.75, waits: 30, text: 'sock.recv(4096)', paths: [{ callers: ['fetch', 'worker'], wait_ns: first.wait_ns * 0.7, waits: 28 }] },
    { line: 14, wait_ns: first.wait_ns * 0.25, waits: 10 },
  ];
  // the call path most of the sleep came by is not the one most of the time without the GIL did
  const paths = [
    { callers: ['fetch', 'worker'], released_ns: 2_500_000, released_asleep_ns: 1_000_000 },
    { callers: ['poll', 'main'], released_ns: 1_500_000, released_asleep_ns: 1_500_000 },
  ];
  const released_lines = [{ line: 12, released_ns: 4_000_000, released_asleep_ns: 3_000_000, text: 'sock.recv(4096)', paths }];
  const withWaits = { ...first, wait_lines, released_ns: 4_000_000, released_asleep_ns: 3_000_000, released_lines };
  const process = { ...input.stats.processes[0], functions: [withWaits, ...rest] };
  const file = join(tempDir(), 'wait-lines.html');
  writeFileSync(file, toHtmlReport({ ...input, stats: { ...input.stats, processes: [process] } }));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  const table = page.locator('#gt-function-table');
  const titles = await table.locator('th').allTextContents();
  const column = (title: string) => table.locator(`tbody tr td:nth-child(${titles.findIndex((t) => t.startsWith(title)) + 1})`);
  assert.ok(titles.findIndex((t) => t.startsWith('waited at line')) > titles.findIndex((t) => t.startsWith('waits')), 'after the waits');
  assert.equal(titles.findIndex((t) => t.startsWith('most at line')), -1, 'no holder-sample lines: no such column');
  const waited = column('waited at line');
  assert.equal(await waited.first().textContent(), '12 sock.recv(4096) 75.0%');
  assert.equal(await waited.first().getAttribute('title'), `app.py:7, by line:\nline 12: ${formatDuration(wait_lines[0].wait_ns)} waited after it, 30 waits; mostly called from fetch ← worker (75.0%)\n    sock.recv(4096)\nline 14: ${formatDuration(wait_lines[1].wait_ns)} waited after it, 10 waits (25.0%)`);
  const asleep = column('asleep without GIL');
  assert.equal(await asleep.first().textContent(), formatDuration(3_000_000));
  assert.equal(await asleep.first().getAttribute('title'), `app.py:7, by line:\nline 12: ${formatDuration(3_000_000)} asleep without the GIL after it (${formatDuration(4_000_000)} without it); mostly called from poll ← main\n    sock.recv(4096)`);
  assert.deepEqual(problems.slice(before), []);
  await page.goto(`file://${reportFile}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
});

test('a wait-time histogram per thread that waited, with bars', { skip }, async () => {
  const waited = process.threads.filter((t) => t.waits.length > 0);
  assert.equal(await page.locator('#gt-histograms figure').count(), waited.length);
  for (const thread of waited) {
    assert.ok((await page.locator(`#gt-histograms figure[data-tid="${thread.tid}"] rect`).count()) > 0);
  }
  await page.locator('#gt-histograms').screenshot({ path: screenshot('histograms') });
  assert.deepEqual(problems, []);
});

test('each process shows its run split (GIL held, C code with nobody holding it, every thread asleep) as a bar and in words', { skip }, async () => {
  // the page of `input` has no split (its stats were made without a CPU count): no bar there
  assert.equal(await page.locator('[data-gt-run-split]').count(), 0);
  const withSplit = makeSyntheticInput({ handoffs: 20, cpus: 2 });
  const stats = withSplit.stats.processes[0];
  const split = stats.time_split!;
  assert.ok(split.held_ns > 0 && split.handover_ns! > 0, JSON.stringify(split));
  const file = join(tempDir(), 'split.html');
  writeFileSync(file, toHtmlReport(withSplit));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  const shares = [split.held_ns, split.free_ns, split.idle_ns, split.handover_ns!].map((ns) => formatPercent(ns, stats.duration_ns));
  const titles = await page.locator('[data-gt-run-split] .split-bar span').evaluateAll((spans) => spans.map((s) => s.getAttribute('title')));
  assert.deepEqual(titles, [
    `a thread held the GIL: ${shares[0]}`,
    `C code ran with nobody holding it: ${shares[1]}`,
    `every thread asleep: ${shares[2]}`,
    `changing hands (nobody held it while threads were on their way to it): ${shares[3]}`,
  ]);
  // the four parts are the whole run
  assert.equal(split.held_ns + split.free_ns + split.idle_ns + split.handover_ns!, stats.duration_ns);
  const legend = (await page.locator('[data-gt-run-split] .split-legend').textContent())!;
  for (const share of shares) assert.ok(legend.includes(share), `${share} in ${legend}`);
  // the bar's held part is as wide as its share of the bar
  const bar = (await page.locator('[data-gt-run-split] .split-bar').boundingBox())!;
  const held = (await page.locator('[data-gt-run-split] .split-held').first().boundingBox())!;
  assert.ok(Math.abs(held.width / bar.width - split.held_ns / stats.duration_ns) < 0.02, `${held.width} of ${bar.width}`);
  await page.locator('#gt-facts').screenshot({ path: screenshot('run-split') });
  assert.deepEqual(problems.slice(before), []);
});

test('a recording without any Python process still opens cleanly', { skip }, async () => {
  const empty = { ...input, timeline: { ...input.timeline, processes: [] }, stats: { ...input.stats, processes: [] }, verdict: undefined };
  const file = join(tempDir(), 'empty.html');
  writeFileSync(file, toHtmlReport(empty));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  assert.match((await page.locator('#gt-threads').textContent())!, /No thread used the GIL/);
  assert.match((await page.locator('#gt-histograms').textContent())!, /No thread waited/);
  assert.deepEqual(problems.slice(before), []);
});

test('a recording without function context has no function table, and its tooltips name no function', { skip }, async () => {
  const plain = makeSyntheticInput({ handoffs: 20, functionContext: false });
  const file = join(tempDir(), 'no-functions.html');
  writeFileSync(file, toHtmlReport(plain));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  assert.equal(await page.locator('#gt-functions-card').count(), 0);
  assert.equal(await page.locator('#gt-thread-table tbody tr').count(), plain.timeline.processes[0].threads.length);
  const worker = plain.timeline.processes[0].threads[1];
  const holding = [...worker.gilTrack.states].findIndex((s, k) => s === GilState.holding && k > 4);
  const { text, at } = await hoverStep(worker, holding);
  assert.match(text, /holding/);
  assert.doesNotMatch(text, /called from|some_computation/);
  await page.mouse.click(at.x, at.y);
  assert.doesNotMatch((await page.locator('#gt-details').textContent())!, /Python function|call stack/);
  assert.deepEqual(problems.slice(before), []);
});

test('a timeline with more steps than a page draws is drawn coarser, says so, and its tables stay exact', { skip }, async () => {
  const long = makeSyntheticInput({ handoffs: 400 });
  const file = join(tempDir(), 'coarse.html');
  writeFileSync(file, toHtmlReport({ ...long, maxSteps: 500 }));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  assert.match((await page.locator('#gt-resolution').textContent())!, /drawn at .* resolution.*Every number on this page is exact/);
  const steps = await page.evaluate(() => window.giltrace!.data.processes[0].threads.reduce((n, t) => n + t.gil.times.length + t.cpu.times.length + t.dropTimes.length, 0));
  const exact = long.timeline.processes[0].threads.reduce((n, t) => n + t.gilTrack.times.length + t.cpuTrack.times.length + t.drops.length, 0);
  assert.ok(steps < exact / 2, `fewer steps drawn (${steps} of ${exact})`);
  // the thread table shows the stats, not sums over the drawn steps
  const worker = long.stats.processes[0].threads[1];
  const table = (await page.locator('#gt-threads').textContent())!;
  assert.match(table, new RegExp(escapeRegExp(`${worker.acquisitions}${formatDuration(worker.wait.p50_ns)}${formatDuration(worker.wait.p95_ns)}`)));
  assert.deepEqual(problems.slice(before), []);
});

test('a part of a recording says which, and its times count from the recording\'s start', { skip }, async () => {
  const part = makeSyntheticInput({ handoffs: 10 });
  const recordingStart = part.timeline.start - 5e9;
  const file = join(tempDir(), 'part.html');
  writeFileSync(file, toHtmlReport({ ...part, recordingStart }));
  const before = problems.length;
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
  assert.match((await page.locator('#gt-span').textContent())!, /of the recording, from \+5\.000 000 000 s on/);
  // a slice's details: its start after the recording's, not the page's
  const worker = part.timeline.processes[0].threads[1];
  const i = [...worker.gilTrack.states].findIndex((s) => s === GilState.holding);
  const [start, end] = [worker.gilTrack.times[i], worker.gilTrack.times[i + 1]];
  await page.evaluate(([s, e]) => window.giltrace!.view.setRange(s - (e - s), e + (e - s)), [start, end]);
  await page.waitForTimeout(50);
  const at = await page.evaluate(([tid, t]) => window.giltrace!.view.locate(tid, t), [worker.tid, (start + end) / 2]);
  const box = await canvasOrigin();
  await page.mouse.click(box.x + at!.x, box.y + at!.y);
  const details = (await page.locator('#gt-details').textContent())!;
  const seconds = Math.floor((start - recordingStart) / 1e9);
  assert.ok(seconds >= 5, `${seconds}`);
  assert.match(details, new RegExp(`\\+${seconds}\\.\\d{3} \\d{3} \\d{3} s from the recording start`));
  assert.deepEqual(problems.slice(before), []);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
