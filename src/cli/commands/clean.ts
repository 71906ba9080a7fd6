import { ensureTracefs } from '../../probe/tracefs.js';
import { removeStaleProbeGroups } from '../../probe/uprobes.js';
import { killOrphanRecorders } from '../../record/orphan-recorders.js';
import { removeTempFilesOfDeadRuns } from '../../record/temp-files.js';
import { requireRoot } from './record.js';

export function cleanCommand(): void {
  requireRoot();
  ensureTracefs();
  const stopped = killOrphanRecorders();
  const removed = removeStaleProbeGroups({ waitMs: 5_000 });
  const files = removeTempFilesOfDeadRuns();
  if (stopped.length) console.log(`stopped ${stopped.length} orphaned perf recorder(s): ${stopped.join(', ')}`);
  if (files.length) console.log(`removed ${files.length} temporary file(s) of killed runs`);
  console.log(removed.length ? `removed probe groups: ${removed.join(', ')}` : 'no stale giltrace probes found');
}
