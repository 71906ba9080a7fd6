/** `npm run bench`: every benchmark in turn, each printing its figure against an anchor measured in the same run. */
const BENCHMARKS = ['./perfdata-throughput.js', './report-load.js'];

for (const path of BENCHMARKS) {
  const module = (await import(path)) as { main(): Promise<void> };
  console.log(`\n=== ${path.replace(/^\.\/|\.js$/g, '')} ===`);
  await module.main();
}
