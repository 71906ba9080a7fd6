import { openPerfData } from '/work/main/dist/src/perfdata/index.js';
const file = process.argv[2]; const bs = Number(process.argv[3]);
const t = process.hrtime.bigint();
const pd = openPerfData(file, bs ? { blockSize: bs } : {});
let n = 0, x = 0;
for (const r of pd.records()) { n++; x = (x + (r.time | 0)) | 0; }
console.log(bs || 'default', Number(process.hrtime.bigint() - t) / 1e6, 'ms', n);
