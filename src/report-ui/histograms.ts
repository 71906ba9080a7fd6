/**
 * Wait-time histograms: one small SVG per thread that waited, log-spaced bins shared by all. A
 * group of alike threads (thread-groups.ts) gets one, of all its members' waits (the bins are
 * shared, so the counts and times add up exactly), with its members' own under it, folded.
 */
import type { ReportData, WaitHistogram } from '../contract/report-data.js';
import { escapeHtml, formatCount, formatDuration } from './format.js';
import { shownGroups } from './thread-groups.js';

const W = 360;
const H = 150;
const PAD = { left: 40, right: 22, top: 10, bottom: 26 };

export function histogramsHtml(data: ReportData): string {
  if (data.waitHistograms.length === 0) return '<p class="muted">No thread waited for the GIL.</p>';
  const names = new Map<string, string>();
  for (const p of data.stats.processes) for (const t of p.threads) names.set(`${p.pid}/${t.tid}`, t.name);
  for (const p of data.processes) for (const t of p.threads) if (!names.has(`${p.pid}/${t.tid}`)) names.set(`${p.pid}/${t.tid}`, t.name);
  const range = sharedRange(data.waitHistograms);
  const edges = data.histogramEdgesNs;
  const ofThread = (h: WaitHistogram) => one(h, edges, range, names.get(`${h.pid}/${h.tid}`) ?? `tid ${h.tid}`, `tid ${h.tid}`, `data-tid="${h.tid}"`);
  const groupOf = new Map<string, { key: string; name: string; tids: ReadonlySet<number> }>();
  for (const p of data.stats.processes) {
    for (const g of shownGroups(p)) {
      const group = { key: `${p.pid}:${g.name}`, name: g.name, tids: new Set(g.tids) };
      for (const tid of g.tids) groupOf.set(`${p.pid}/${tid}`, group);
    }
  }
  const shown = new Set<string>();
  const out: string[] = [];
  // The members' own, folded, after all the charts: the charts stay one compact grid.
  const folded: string[] = [];
  for (const h of data.waitHistograms) {
    const group = groupOf.get(`${h.pid}/${h.tid}`);
    if (!group) out.push(ofThread(h));
    else if (!shown.has(group.key)) {
      shown.add(group.key);
      const members = data.waitHistograms.filter((m) => m.pid === h.pid && group.tids.has(m.tid));
      const sum = { ...h, counts: sumBins(members.map((m) => m.counts)), totalNs: sumBins(members.map((m) => m.totalNs)) };
      const key = escapeHtml(group.key);
      out.push(one(sum, edges, range, group.name, `${members.length} of ${group.tids.size} threads waited`, `data-group="${key}"`));
      folded.push(
        `<details class="histogram-members" data-group="${key}"><summary>each of the ${members.length} threads of ${escapeHtml(group.name)}</summary><div class="histograms">${members.map(ofThread).join('')}</div></details>`,
      );
    }
  }
  return out.join('') + folded.join('');
}

function sumBins(columns: readonly (readonly number[])[]): number[] {
  return columns[0].map((_, i) => columns.reduce((n, c) => n + c[i], 0));
}

/**
 * The bins worth showing, the same for every thread so charts compare at a glance: whole
 * decades around the non-empty bins, at least four of them (edges come in quarter decades).
 */
function sharedRange(histograms: readonly WaitHistogram[]): { first: number; last: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of histograms) {
    h.counts.forEach((c, i) => {
      if (c > 0) (lo = Math.min(lo, i)), (hi = Math.max(hi, i));
    });
  }
  const bins = histograms[0]?.counts.length ?? 0;
  if (!(hi >= lo)) return { first: 0, last: bins - 1 };
  let first = Math.max(0, Math.floor(lo / 4) * 4 - 4);
  let last = Math.min(bins - 1, Math.ceil((hi + 1) / 4) * 4 + 3);
  while (last - first + 1 < 16 && (first > 0 || last < bins - 1)) {
    if (last < bins - 1) last += 4;
    if (last - first + 1 < 16 && first > 0) first -= 4;
  }
  return { first, last: Math.min(last, bins - 1) };
}

const SHORT_UNITS: readonly [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];
function shortDuration(ns: number): string {
  const [unit, name] = SHORT_UNITS.find(([u]) => ns >= u) ?? SHORT_UNITS[3];
  return `${Math.round(ns / unit)}${name}`;
}

function one(h: WaitHistogram, edges: readonly number[], range: { first: number; last: number }, name: string, who: string, attributes: string): string {
  const bins = range.last - range.first + 1;
  const count = h.counts.reduce((a, b) => a + b, 0);
  const total = h.totalNs.reduce((a, b) => a + b, 0);
  const shown = h.counts.slice(range.first, range.last + 1);
  const max = Math.max(1, ...shown);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / bins;
  const bars = shown
    .map((c, j) => {
      const i = j + range.first;
      if (c === 0) return '';
      const bh = Math.max(1.5, (c / max) * plotH);
      const tip = `${formatDuration(edges[i])} – ${formatDuration(edges[i + 1])}: ${formatCount(c)} waits, ${formatDuration(h.totalNs[i])} in total`;
      return `<rect x="${(PAD.left + j * bw + 0.5).toFixed(1)}" y="${(PAD.top + plotH - bh).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"><title>${escapeHtml(tip)}</title></rect>`;
    })
    .join('');
  // One label per decade: edges are quarter decades, so every 4th edge is a power of ten.
  const labels = edges
    .slice(range.first, range.last + 2)
    .map((e, j) => {
      if ((j + range.first) % 4 !== 0) return '';
      const x = PAD.left + j * bw;
      return `<text x="${x}" y="${H - 8}" text-anchor="middle">${shortDuration(e)}</text><line x1="${x}" x2="${x}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 4}"/>`;
    })
    .join('');
  const yLabels = `<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${formatCount(max)}</text><text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end">0</text>`;
  return `<figure class="histogram" ${attributes}>
    <figcaption><b>${escapeHtml(name)}</b> <span class="muted">${escapeHtml(who)} · ${formatCount(count)} waits · ${formatDuration(total)} waiting</span></figcaption>
    <svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="wait-time histogram of ${escapeHtml(name)}">
      <line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH + 0.5}" y2="${PAD.top + plotH + 0.5}"/>
      <g class="bars">${bars}</g><g class="labels">${labels}${yLabels}</g>
    </svg></figure>`;
}
