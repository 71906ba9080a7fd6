/**
 * Grouped rows in the HTML report of a real run (root, perf, a pyenv Python 3.11+, Debian's
 * chromium): `giltrace run -o scraper.html` on test/programs/http_scraper.py, whose server starts
 * one thread per request (60 `Thread-N (process_request_thread)`). The report shows them as one
 * table row and one timeline track, collapsed, and expands both. Screenshots of the report,
 * collapsed and expanded, go to $GILTRACE_SCREENSHOTS when set.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from '../../src/contract/report-data.js';
import { chromiumMissing, launchChromium } from '../support/headless-chromium.js';
import { PROGRAMS, giltrace, leftoverProbes, pyenvPython, scratchDir } from './giltrace-cli.js';

const dir = scratchDir();
after(() => rmSync(dir, { recursive: true, force: true }));
const python = pyenvPython('3.12') ?? pyenvPython('3.13') ?? pyenvPython('3.11');
const skip = (!python && 'no pyenv Python 3.11+') || chromiumMissing();
const REQUESTS = 'Thread-* (process_request_thread)';
const screenshot = (name: string) => join(process.env.GILTRACE_SCREENSHOTS ?? dir, `giltrace-report-scraper-${name}.png`);

declare const window: { giltrace?: { view: { groups: { key: string; name: string; members: unknown[] }[] } } };

test('root, pyenv 3.11+, chromium: the scraper’s 60 request threads are one row and one track in the report, expandable', { skip }, async () => {
  const html = join(dir, 'scraper.html');
  const run = giltrace(['run', '-o', html, '--', python!, join(PROGRAMS, 'http_scraper.py')], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(leftoverProbes(), []);
  const data = JSON.parse(readFileSync(html, 'utf8').match(/id="giltrace-data">(.*?)<\/script>/s)![1].replace(/\\u003c/g, '<')) as ReportData;
  const requests = data.processes[0].threads.filter((t) => /^Thread-\d+ \(process_request_thread\)$/.test(t.name));
  assert.equal(requests.length, 60);

  const browser = await launchChromium();
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`file://${html}`);
    await page.waitForFunction(() => window.giltrace !== undefined, undefined, { timeout: 20_000 });

    // Table: one row ×60, its members hidden under it.
    const group = page.locator('#gt-thread-table tr.group-row', { hasText: REQUESTS });
    assert.equal(await group.count(), 1);
    assert.equal((await group.locator('td').nth(1).textContent()), '×60');
    assert.equal(await group.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#gt-thread-table tr.member-row[hidden]').count(), 60 + 4, 'the request threads and the 4 scrapers');
    // Timeline: one collapsed track for them.
    const rows = () => page.locator('canvas.gt-canvas li').allTextContents();
    assert.ok((await rows()).includes(`${REQUESTS} · 60 threads (collapsed)`));
    assert.ok(!(await rows()).some((r) => /^Thread-\d+ \(process_request_thread\)/.test(r)));
    await page.screenshot({ path: screenshot('collapsed'), fullPage: true });

    const key = await page.evaluate((name) => window.giltrace!.view.groups.find((g) => g.name === name)!.key, REQUESTS);
    await page.locator(`.gt-group-toggle[data-group="${key}"]`).click();
    await group.click();
    assert.equal(await group.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('#gt-thread-table tr.member-row:not([hidden])').count(), 60);
    const expanded = await rows();
    assert.ok(expanded.includes(`${REQUESTS} · 60 threads (expanded)`));
    for (const thread of requests) assert.ok(expanded.includes(`${thread.name} · tid ${thread.tid}`), thread.name);
    await page.screenshot({ path: screenshot('expanded'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
