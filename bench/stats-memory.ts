/**
 * `giltrace stats` on a long recording: its peak RSS must not grow with the recording (the stats
 * are summed window by window: model/timeline-windows.ts). A ~2.3 GB recording of the bench
 * program (165 s; made once into bench/.data/long.data, a few minutes) against the ~0.23 GB bench
 * recording, in the same run: RSS of each and their ratio (a timeline kept whole would need ~10x).
 * Goal (issue 12): < 300 MB on a 2.5 GB recording. Then `giltrace report` (the HTML report, also
 * window by window; the long recording's tracks drawn coarser) once on each.
 *
 *   node dist/bench/stats-memory.js [SHORT LONG]
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bigRecording, contentionRecording } from './big-recording.js';
import { median, statsOnce } from './stats-end-to-end.js';

const RUNS = 3;

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const short = argv[0] ?? bigRecording();
  const long = argv[1] ?? contentionRecording('long.data', '165');
  const measure = (file: string) => {
    const runs = Array.from({ length: RUNS }, () => statsOnce(file));
    const rss = runs.map((r) => r.rssMb ?? NaN);
    const mb = (fs.statSync(file).size / 1e6).toFixed(0);
    console.log(`${file} (${mb} MB): giltrace stats --json peak RSS median ${median(rss).toFixed(0)} MB, ${median(runs.map((r) => r.seconds)).toFixed(2)} s wall  (RSS runs: ${rss.map((r) => r.toFixed(0)).join(' ')} MB)`);
    return { rss: median(rss), size: fs.statSync(file).size };
  };
  const a = measure(short);
  const b = measure(long);
  if (!Number.isFinite(a.rss) || !Number.isFinite(b.rss)) {
    console.log('peak RSS unknown (no /usr/bin/time)');
    return 0;
  }
  console.log(`ratio: ${(b.size / a.size).toFixed(1)}x the recording, ${(b.rss / a.rss).toFixed(2)}x the peak RSS; ${b.rss.toFixed(0)} MB on the long one (goal < 300 MB)`);
  const dir = fs.mkdtempSync(join(tmpdir(), 'giltrace-bench-'));
  try {
    for (const file of [short, long]) {
      const run = statsOnce(file, undefined, ['report', '-o', join(dir, 'report.html')]);
      const page = fs.statSync(join(dir, 'report.html')).size / 1e6;
      console.log(`${file}: giltrace report peak RSS ${run.rssMb!.toFixed(0)} MB, ${run.seconds.toFixed(2)} s wall, a ${page.toFixed(1)} MB page`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  process.exitCode = await main();
}
