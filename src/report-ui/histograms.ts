/** Wait-time histograms: one small SVG per thread that waited, log-spaced bins shared by all. */
import type { ReportData, WaitHistogram } from '../contract/report-data.js';
import { escapeHtml, formatCount, formatDuration } from './format.js';

const W = 360;
const H = 150;
const PAD = { left: 40, right: 10, top: 10, bottom: 26 };

export function histogramsHtml(data: ReportData): string {
  if (data.waitHistograms.length === 0) return '<p class="muted">No thread waited for the GIL.</p>';
  const names = new Map<string, string>();
  for (const p of data.stats.processes) for (const t of p.threads) names.set(`${p.pid}/${t.tid}`, t.name);
  for (const p of data.processes) for (const t of p.threads) if (!names.has(`${p.pid}/${t.tid}`)) names.set(`${p.pid}/${t.tid}`, t.name);
  return data.waitHistograms.map((h) => one(h, data.histogramEdgesNs, names.get(`${h.pid}/${h.tid}`) ?? `tid ${h.tid}`)).join('');
}

function one(h: WaitHistogram, edges: readonly number[], name: string): string {
  const bins = h.counts.length;
  const count = h.counts.reduce((a, b) => a + b, 0);
  const total = h.totalNs.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...h.counts);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / bins;
  const bars = h.counts
    .map((c, i) => {
      if (c === 0) return '';
      const bh = Math.max(1.5, (c / max) * plotH);
      const tip = `${formatDuration(edges[i])} – ${formatDuration(edges[i + 1])}: ${formatCount(c)} waits, ${formatDuration(h.totalNs[i])} in total`;
      return `<rect x="${(PAD.left + i * bw + 0.5).toFixed(1)}" y="${(PAD.top + plotH - bh).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"><title>${escapeHtml(tip)}</title></rect>`;
    })
    .join('');
  // One label per decade: edges are quarter decades, so every 4th edge is a power of ten.
  const labels = edges
    .map((e, i) => (i % 4 === 0 ? `<text x="${PAD.left + i * bw}" y="${H - 8}" text-anchor="middle">${formatDuration(e).replace('.00', '')}</text><line x1="${PAD.left + i * bw}" x2="${PAD.left + i * bw}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 4}"/>` : ''))
    .join('');
  const yLabels = `<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${formatCount(max)}</text><text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end">0</text>`;
  return `<figure class="histogram" data-tid="${h.tid}">
    <figcaption><b>${escapeHtml(name)}</b> <span class="muted">tid ${h.tid} · ${formatCount(count)} waits · ${formatDuration(total)} waiting</span></figcaption>
    <svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="wait-time histogram of ${escapeHtml(name)}">
      <line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH + 0.5}" y2="${PAD.top + plotH + 0.5}"/>
      <g class="bars">${bars}</g><g class="labels">${labels}${yLabels}</g>
    </svg></figure>`;
}
