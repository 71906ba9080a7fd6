/**
 * Groups of alike threads in the HTML report, in a real browser (Debian chromium via
 * playwright-core): a synthetic recording with a pool of 4 workers and 12 request threads
 * (test/support/synthetic-timeline.ts). Each group is one row of the thread table and one
 * track of the timeline, collapsed at first, expanded by click or by Enter / Space; sorting keeps
 * members under their group; the collapsed track is exactly "holding where any member held, else
 * waiting where any waited"; its tooltip names the members. Recordings without groups (two
 * workers) and reports made before the stats had thread_groups show a row per thread, as before.
 * Screenshots go to $GILTRACE_SCREENSHOTS when set. Skipped (with the reason) only when
 * /usr/bin/chromium is not installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { toHtmlReport } from './html-report.js';
import { deriveGil, holdsOf, makeSyntheticInput, stepTrack, waitsOf } from '../../test/support/synthetic-timeline.js';
import { computeStats } from '../analysis/index.js';
import { chromiumMissing, launchChromium } from '../../test/support/headless-chromium.js';
import { formatDuration } from '../base/time.js';
import type { ReportInput } from './report-input.js';
import type { ThreadStats } from '../contract/stats.js';
import { CpuState, GilState, type StepTrack, type ThreadTimeline, type Timeline } from '../model/timeline.js';

/** What the page exposes (src/report-ui/main.ts); these callbacks run in the browser. */
declare const window: {
  giltrace?: {
    view: {
      range: { start: number; end: number };
      setRange(start: number, end: number): void;
      locate(who: number | string, time: number): { x: number; y: number } | undefined;
      isExpanded(key: string): boolean;
      groups: { key: string; name: string; members: { tid: number }[]; gil: { times: ArrayLike<number>; states: ArrayLike<number> }; cpu: { times: ArrayLike<number>; states: ArrayLike<number> } }[];
    };
  };
};
declare const document: { activeElement: { className: string } | null };
/** A table row as the browser-side callbacks read it. */
interface TableRow {
  readonly classList: { contains(name: string): boolean };
  readonly dataset: Record<string, string | undefined>;
  readonly hidden: boolean;
  readonly children: ArrayLike<{ textContent: string | null }>;
}

const skip = chromiumMissing();
const input = makeSyntheticInput({ handoffs: 40, workers: 4, requestThreads: 12 });
const timeline = input.timeline.processes[0];
const stats = input.stats.processes[0];
const POOL = 'Thread-* (worker)';
const REQUESTS = 'Thread-* (process_request_thread)';
const membersOf = (pattern: string) => timeline.threads.filter((t) => t.tid !== timeline.pid && t.name.replace(/\d+/g, '*') === pattern);
const keyOf = (pattern: string) => `${timeline.pid}:${pattern}`;

let page: Page;
let close: () => Promise<void>;
const problems: string[] = [];
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'giltrace-groups-'));
  dirs.push(dir);
  return dir;
};
let shotsDir: string | undefined;
const screenshot = (name: string) => join(globalThis.process.env.GILTRACE_SCREENSHOTS ?? (shotsDir ??= tempDir()), `giltrace-report-${name}.png`);

async function open(report: ReportInput, name: string): Promise<void> {
  const file = join(tempDir(), `${name}.html`);
  writeFileSync(file, toHtmlReport(report));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 10_000 });
}

before(async () => {
  if (skip) return;
  const browser = await launchChromium();
  close = browser.close;
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await open(input, 'groups');
});

after(async () => {
  if (close) await close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const table = () => page.locator('#gt-thread-table');
const groupRow = (pattern: string) => table().locator('tr.group-row', { hasText: pattern });
const visibleTableNames = async () =>
  (await table().locator('tbody tr:not([hidden]) td:nth-child(3)').allTextContents()).map((s) => s.replace(/^[▸▾]\s*/, '').trim());
const timelineRows = () => page.locator('canvas.gt-canvas li').allTextContents();

test('the groups are one collapsed row each in the thread table: ×N, summed times, shares of the summed lifetime', { skip }, async () => {
  assert.deepEqual(problems, []);
  assert.deepEqual((await visibleTableNames()).sort(), ['MainThread', POOL, REQUESTS].sort());
  assert.equal(await table().locator('tbody tr').count(), 3 + 4 + 12, 'the members are there, hidden');
  for (const [pattern, size] of [[POOL, 4], [REQUESTS, 12]] as const) {
    const row = groupRow(pattern);
    assert.equal(await row.getAttribute('aria-expanded'), 'false');
    assert.equal(await row.locator('button.expander').getAttribute('aria-expanded'), 'false');
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[1], `×${size}`);
    const members = stats.threads.filter((t) => membersOf(pattern).some((m) => m.tid === t.tid));
    const sum = (of: (t: ThreadStats) => number) => members.reduce((n, t) => n + of(t), 0);
    assert.equal(cells[3], formatDuration(sum((t) => t.lifetime_ns)));
    assert.equal(cells[5], `${((100 * sum((t) => t.wait_ns)) / sum((t) => t.lifetime_ns)).toFixed(1)}%`);
    assert.equal(cells[12], sum((t) => t.acquisitions).toLocaleString('en-US'));
    assert.equal(cells[13], '–', 'percentiles do not add up');
    assert.equal(cells[16], formatDuration(Math.max(...members.map((t) => t.wait.max_ns))));
  }
});

test('a group row expands on click and on Enter / Space, and collapses again; the focus stays on its button', { skip }, async () => {
  const row = groupRow(REQUESTS);
  await row.locator('td').nth(4).click(); // anywhere on the row
  assert.equal(await row.getAttribute('aria-expanded'), 'true');
  const names = await visibleTableNames();
  const members = membersOf(REQUESTS).map((t) => t.name);
  const at = names.indexOf(REQUESTS);
  assert.deepEqual([...names.slice(at + 1, at + 1 + members.length)].sort(), [...members].sort(), 'the members follow their group');
  await page.locator('#gt-threads').screenshot({ path: screenshot('groups-table-expanded') });
  await row.click();
  assert.equal(await row.getAttribute('aria-expanded'), 'false');
  assert.equal((await visibleTableNames()).length, 3);

  const button = row.locator('button.expander');
  await button.focus();
  await page.keyboard.press('Enter');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  assert.equal((await visibleTableNames()).length, 3 + 12);
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'expander');
  await page.keyboard.press('Space');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal((await visibleTableNames()).length, 3);
});

test('sorting orders the groups among the threads and the members under their group, and keeps what is expanded', { skip }, async () => {
  await groupRow(POOL).click();
  const header = (title: RegExp) => table().locator('th', { hasText: title });
  for (const [title, column] of [[/^lifetime/, 4], [/^takes/, 13], [/^thread/, 3]] as const) {
    for (let click = 0; click < 2; click++) {
      await header(title).click();
      const descending = (await header(title).getAttribute('aria-sort')) === 'descending';
      const rows = await table().locator('tbody tr').evaluateAll((trs, col) =>
        (trs as unknown as TableRow[]).map((tr) => ({
          group: tr.classList.contains('group-row'),
          memberOf: tr.dataset.memberOf,
          hidden: tr.hidden,
          text: tr.children[col - 1].textContent!.replace(/^[▸▾]\s*/, '').trim(),
          tid: tr.children[1].textContent!,
        })),
        column,
      );
      // Top level: the main thread and the two groups, in the column's order.
      const top = rows.filter((r) => r.memberOf === undefined);
      assert.equal(top.length, 3);
      const value = (text: string) => (column === 3 ? text : parseValue(text));
      assertSorted(top.map((r) => value(r.text)), descending, `${title} top level`);
      // Each group's members come right after it, sorted the same way; the pool stays expanded.
      for (let i = 0; i < rows.length; i++) {
        if (!rows[i].group) continue;
        const members = [];
        for (let j = i + 1; j < rows.length && rows[j].memberOf !== undefined; j++) members.push(rows[j]);
        const pool = rows[i].tid === '×4';
        assert.equal(members.length, pool ? 4 : 12);
        assert.ok(members.every((m) => m.hidden === !pool), 'the pool expanded, the requests not');
        assertSorted(members.map((m) => value(m.text)), descending, `${title} members`);
      }
    }
  }
  await page.locator('#gt-threads').screenshot({ path: screenshot('groups-table-sorted') });
  await groupRow(POOL).click();
});

/** "12.3 ms" / "1,234" / "45.6%" → a number that sorts like the value behind it. */
function parseValue(text: string): number {
  const units: Record<string, number> = { ns: 1, 'µs': 1e3, ms: 1e6, s: 1e9 };
  const m = text.match(/^([\d.,]+)\s*(ns|µs|ms|s|%)?$/);
  assert.ok(m, `a number: ${text}`);
  return Number(m[1].replace(/,/g, '')) * (m[2] && m[2] !== '%' ? units[m[2]] : 1);
}

function assertSorted(values: readonly (number | string)[], descending: boolean, what: string): void {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1];
    const b = values[i];
    const order = typeof a === 'string' ? a.localeCompare(String(b), 'en', { numeric: true }) : a - (b as number);
    // Displayed durations are rounded to 3 digits: equal-looking neighbours may be in either order.
    assert.ok(descending ? order >= 0 : order <= 0, `${what}: ${JSON.stringify(values)} (${descending ? 'descending' : 'ascending'})`);
  }
}

/** Independently of the page's k-way merge: at every step boundary of any member, the best state of the members alive then. */
function expectedMerge(members: readonly ThreadTimeline[], track: (t: ThreadTimeline) => StepTrack, rank: readonly number[], gap: number) {
  // A step before a member's start counts from its start; one at or after its end does not count.
  const boundaries = [...new Set(members.flatMap((t) => [...Array.from(track(t).times).filter((x) => x < t.end).map((x) => Math.max(x, t.start)), t.end]))].sort((a, b) => a - b);
  const times: number[] = [];
  const states: number[] = [];
  for (const time of boundaries) {
    let best = gap;
    for (const t of members) {
      if (time < t.start || time >= t.end) continue;
      const { times: ts, states: ss } = track(t);
      let i = -1;
      while (i + 1 < ts.length && ts[i + 1] <= time) i++;
      if (i >= 0 && (best === gap || rank[ss[i]] > rank[best])) best = ss[i];
    }
    if (states.length === 0 || states[states.length - 1] !== best) (times.push(time), states.push(best));
  }
  return { times, states };
}

test('the timeline shows each group as one collapsed track: holding where any member held, else waiting where any waited', { skip }, async () => {
  const rows = await timelineRows();
  assert.ok(rows.includes(`${POOL} · 4 threads (collapsed)`), rows.join('\n'));
  assert.ok(rows.includes(`${REQUESTS} · 12 threads (collapsed)`));
  for (const member of [...membersOf(POOL), ...membersOf(REQUESTS)]) assert.ok(!rows.some((r) => r.startsWith(`${member.name} ·`)), `${member.name} has no row of its own`);
  const decoded = await page.evaluate(() =>
    window.giltrace!.view.groups.map((g) => ({ name: g.name, tids: g.members.map((m) => m.tid), gil: { times: Array.from(g.gil.times), states: Array.from(g.gil.states) }, cpu: { times: Array.from(g.cpu.times), states: Array.from(g.cpu.states) } })),
  );
  assert.deepEqual(decoded.map((g) => g.name).sort(), [POOL, REQUESTS].sort());
  for (const group of decoded) {
    const members = membersOf(group.name);
    assert.deepEqual(group.tids, members.map((t) => t.tid));
    assert.deepEqual(group.gil, expectedMerge(members, (t) => t.gilTrack, [0, 1, 2], 3), `${group.name} GIL`);
    assert.deepEqual(group.cpu, expectedMerge(members, (t) => t.cpuTrack, [3, 2, 0, 1], 4), `${group.name} CPU`);
  }
  await page.locator('.timeline-card').screenshot({ path: screenshot('groups-timeline-collapsed') });
});

/** Points at `time` on the row showing `who` (a tid, or a group key) and returns the tooltip's text and where it pointed. */
async function hover(who: number | string, time: number, span: number): Promise<{ text: string; at: { x: number; y: number } }> {
  await page.evaluate(([s, e]) => window.giltrace!.view.setRange(s, e), [time - span, time + span]);
  await page.locator('canvas.gt-canvas').scrollIntoViewIfNeeded();
  await page.waitForTimeout(50);
  const local = await page.evaluate(([w, t]) => window.giltrace!.view.locate(w, t), [who, time] as const);
  assert.ok(local, `a row for ${who}`);
  const box = (await page.locator('canvas.gt-canvas').boundingBox())!;
  const at = { x: box.x + local.x, y: box.y + local.y };
  await page.mouse.move(at.x - 3, at.y);
  await page.mouse.move(at.x, at.y);
  const tooltip = page.locator('#gt-tooltip');
  await tooltip.waitFor({ state: 'visible' });
  return { text: (await tooltip.textContent())!, at };
}

/** A hold of one request thread while others queue: the middle of the hold, and who waits then. */
function queuedHold() {
  const requests = membersOf(REQUESTS);
  for (const holder of requests) {
    const { times, states } = holder.gilTrack;
    const i = [...states].indexOf(GilState.holding);
    const mid = (times[i] + (i + 1 < times.length ? times[i + 1] : holder.end)) / 2;
    const waiting = requests.filter((t) => {
      let k = -1;
      while (k + 1 < t.gilTrack.times.length && t.gilTrack.times[k + 1] <= mid) k++;
      return t !== holder && mid < t.end && k >= 0 && t.gilTrack.states[k] === GilState.waiting;
    });
    if (waiting.length >= 2) return { holder, mid, waiting, span: (times[i + 1] - times[i]) / 4 };
  }
  assert.fail('no hold with a queue');
}

test('hovering the collapsed track names the member holding the GIL (and its function) and the members waiting; clicking lists them', { skip }, async () => {
  const { holder, mid, waiting, span } = queuedHold();
  const { text, at } = await hover(keyOf(REQUESTS), mid, span);
  assert.ok(text.startsWith(`${REQUESTS} · 12 threads`), text);
  assert.ok(text.includes(`held by ${holder.name} · ${holder.tid}`), text);
  assert.ok(text.includes('ThreadingMixIn.process_request_thread socketserver.py:691'), text);
  assert.ok(text.includes(`waiting ${waiting.length} of 12: `), text);
  await page.screenshot({ path: screenshot('groups-hover') });
  await page.mouse.click(at.x, at.y);
  const details = (await page.locator('#gt-details').textContent())!;
  assert.ok(details.includes(`holding then${holder.name} · ${holder.tid}`), details);
  for (const t of waiting) assert.ok(details.includes(`${t.name} · ${t.tid}`), `${t.name} among the waiting`);
  assert.ok(details.includes('ThreadingMixIn.process_request_thread'), details);
  await page.keyboard.press('Escape');
  await page.keyboard.press('0');
});

test('a group track expands to its members’ own tracks by click and by Enter / Space; member tracks hover as any thread’s', { skip }, async () => {
  const canvasHeight = async () => (await page.locator('canvas.gt-canvas').boundingBox())!.height;
  const collapsed = await canvasHeight();
  const button = page.locator(`.gt-group-toggle[data-group="${keyOf(REQUESTS)}"]`);
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  await button.click();
  assert.equal(await page.evaluate((k) => window.giltrace!.view.isExpanded(k), keyOf(REQUESTS)), true);
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  assert.ok((await canvasHeight()) > collapsed + 12 * 20, 'twelve more rows');
  const rows = await timelineRows();
  assert.ok(rows.includes(`${REQUESTS} · 12 threads (expanded)`));
  for (const member of membersOf(REQUESTS)) assert.ok(rows.includes(`${member.name} · tid ${member.tid}`), member.name);
  assert.ok(rows.includes(`${POOL} · 4 threads (collapsed)`), 'the other group stays collapsed');
  await page.locator('.timeline-card').screenshot({ path: screenshot('groups-timeline-expanded') });

  // A member's own track: its holding slice, with its function, as any thread's.
  const { holder, mid, span } = queuedHold();
  const { text } = await hover(holder.tid, mid, span);
  assert.ok(text.startsWith(`${holder.name} · tid ${holder.tid}`), text);
  assert.match(text, /holding/);
  assert.ok(text.includes('ThreadingMixIn.process_request_thread socketserver.py:691'), text);
  assert.ok(!text.includes('held by'), 'not the group tooltip');
  await page.keyboard.press('0');

  await button.focus();
  await page.keyboard.press('Enter');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await canvasHeight(), collapsed);
  assert.ok(!(await timelineRows()).some((r) => r.startsWith(`${holder.name} ·`)));
  await page.keyboard.press('Space');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Space');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'gt-group-toggle');
  assert.deepEqual(problems, []);
});

test('each group has one wait histogram, of all its members’ waits, with the members’ own folded under the charts', { skip }, async () => {
  for (const pattern of [POOL, REQUESTS]) {
    const members = membersOf(pattern);
    const waits = members.reduce((n, t) => n + t.waits.length, 0);
    const waited = members.filter((t) => t.waits.length > 0);
    const figure = page.locator(`#gt-histograms > figure[data-group="${keyOf(pattern)}"]`);
    assert.match((await figure.locator('figcaption').textContent())!, new RegExp(`^${escapeRegExp(pattern)} ${waited.length} of ${members.length} threads waited · ${waits.toLocaleString('en-US')} waits`));
    const folded = page.locator(`#gt-histograms > details[data-group="${keyOf(pattern)}"]`);
    assert.equal(await folded.getAttribute('open'), null);
    assert.equal(await folded.locator('figure').count(), waited.length);
    assert.equal(await folded.locator('figure').first().isVisible(), false);
    for (const t of members) assert.equal(await page.locator(`#gt-histograms > figure[data-tid="${t.tid}"]`).count(), 0, `${t.name} is not among the charts`);
  }
  const summary = page.locator(`#gt-histograms > details[data-group="${keyOf(POOL)}"] > summary`);
  await summary.click();
  assert.equal(await page.locator(`#gt-histograms > details[data-group="${keyOf(POOL)}"] figure`).first().isVisible(), true);
  await page.locator('#gt-histograms').screenshot({ path: screenshot('groups-histograms') });
  await summary.click();
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Four alike threads whose tracks meet the merge's edge cases: transitions of several members at
 * the same instant, a step before a member's start and one at its end, a member that never
 * touched the GIL, lives that leave a gap where no member lived.
 */
function edgeCaseInput(): ReportInput {
  const pid = 5000;
  const key = `${pid}:0x1`;
  const thread = (tid: number, start: number, end: number, gil: [number, number][], cpu: [number, number][]): ThreadTimeline => {
    const gilTrack = stepTrack(gil);
    return {
      pid, tid, name: tid === pid ? 'MainThread' : `pool-${tid - pid}`, start, end, gil: key, gilTrack, cpuTrack: stepTrack(cpu), drops: [],
      acquisitions: [...gilTrack.states].filter((s) => s === GilState.holding).length,
      ...waitsOf(gilTrack, end), holds: holdsOf(gilTrack, end, []),
    };
  };
  const { none, waiting, holding } = GilState;
  const { running, runnable, sleeping, blocked } = CpuState;
  const threads = [
    thread(pid, 0, 1000, [[0, holding], [100, none]], [[0, running], [100, sleeping]]),
    // Hands the GIL to pool-2 at 200 while pool-3 starts waiting at that very instant; a CPU step at its end.
    thread(pid + 1, 100, 300, [[100, waiting], [120, holding], [200, none]], [[100, runnable], [120, running], [200, sleeping], [300, running]]),
    thread(pid + 2, 110, 400, [[110, waiting], [200, holding], [350, none]], [[90, sleeping], [200, running], [350, blocked]]),
    thread(pid + 3, 200, 420, [[200, waiting], [350, holding], [410, none]], [[200, sleeping], [350, running]]),
    // Never took the GIL; lives after a gap where no pool thread lived.
    thread(pid + 4, 600, 700, [], [[600, running], [650, sleeping]]),
  ];
  const timeline: Timeline = {
    timeBaseNs: 1_000_000_000n, start: 0, end: 1000, lostEvents: 0,
    processes: [{ pid, start: 0, end: 1000, threads, gils: [deriveGil(key, pid, threads)], anomalies: {} }],
    functions: [], stacks: [],
  };
  const python = { executable: '/usr/bin/python3', version: '3.12.1', gil: 'enabled' as const };
  return { timeline, stats: computeStats(timeline, { events: 0, warnings: [], processes: new Map([[pid, { command: 'python3 pool.py', python }]]) }), verdict: undefined };
}

test('the collapsed track merges exactly at simultaneous transitions, steps outside a life, a member without GIL steps and gaps', { skip }, async () => {
  const edge = edgeCaseInput();
  await open(edge, 'edge-cases');
  const members = edge.timeline.processes[0].threads.slice(1);
  const decoded = await page.evaluate(() => window.giltrace!.view.groups.map((g) => ({ name: g.name, gil: { times: Array.from(g.gil.times), states: Array.from(g.gil.states) }, cpu: { times: Array.from(g.cpu.times), states: Array.from(g.cpu.states) } })));
  assert.equal(decoded.length, 1);
  assert.equal(decoded[0].name, 'pool-*');
  assert.deepEqual(decoded[0].gil, expectedMerge(members, (t) => t.gilTrack, [0, 1, 2], 3));
  assert.deepEqual(decoded[0].cpu, expectedMerge(members, (t) => t.cpuTrack, [3, 2, 0, 1], 4));
  // By hand. GIL: waiting from 100, holding 120–410 (the hand-offs at 200 and 350 leave no gap),
  // none until pool-3 ends at 420, then no state (pool-4 never touched the GIL).
  assert.deepEqual(decoded[0].gil, { times: [100, 120, 410, 420], states: [1, 2, 0, 3] });
  // CPU: runnable, running from 120 (someone always runs until 420; pool-1's step at its end does
  // not count, pool-2's before its start counts from its start), gap, pool-4 running then sleeping.
  assert.deepEqual(decoded[0].cpu, { times: [100, 120, 420, 600, 650, 700], states: [1, 0, 4, 0, 2, 4] });
  assert.deepEqual(problems, []);
});

test('a recording without groups of 3+ (two workers) shows a row and a track per thread, as before', { skip }, async () => {
  const plain = makeSyntheticInput({ handoffs: 20 });
  await open(plain, 'no-groups');
  const threads = plain.timeline.processes[0].threads;
  assert.equal(await page.locator('.gt-group-toggle').count(), 0);
  assert.equal(await table().locator('tr.group-row, tr.member-row, button.expander').count(), 0);
  assert.equal(await page.locator('#gt-histograms details, #gt-histograms figure[data-group]').count(), 0);
  assert.deepEqual((await table().locator('tbody tr td:nth-child(3)').allTextContents()).sort(), threads.map((t) => t.name).sort());
  const rows = await timelineRows();
  assert.deepEqual(rows.slice(3), threads.map((t) => `${t.name} · tid ${t.tid}`), 'process, holder, waiters, then each thread');
  assert.deepEqual(problems, []);
});

test('a report made before the stats had thread_groups opens with a row and a track per thread', { skip }, async () => {
  const old = { ...input, stats: { ...input.stats, processes: input.stats.processes.map(({ thread_groups: _, ...p }) => p) } } as unknown as ReportInput;
  await open(old, 'old-stats');
  assert.equal(await page.locator('.gt-group-toggle').count(), 0);
  assert.equal(await table().locator('tbody tr').count(), timeline.threads.length);
  assert.equal(await table().locator('tr.group-row').count(), 0);
  const rows = await timelineRows();
  for (const thread of timeline.threads) assert.ok(rows.includes(`${thread.name} · tid ${thread.tid}`), thread.name);
  assert.deepEqual(problems, []);
});
