import type { PerfAttr } from './attr.js';
import { PERF_TYPE_TRACEPOINT } from './constants.js';
import { EventTypeImpl } from './event-type.js';
import type { EventDesc } from './features.js';
import type { TracepointFormat } from './tracepoint-format.js';

const HARDWARE = ['cycles', 'instructions', 'cache-references', 'cache-misses', 'branches', 'branch-misses', 'bus-cycles', 'stalled-cycles-frontend', 'stalled-cycles-backend', 'ref-cycles'];
const SOFTWARE = ['cpu-clock', 'task-clock', 'page-faults', 'context-switches', 'cpu-migrations', 'minor-faults', 'major-faults', 'alignment-faults', 'emulation-faults', 'dummy', 'bpf-output', 'cgroup-switches'];

/**
 * Names an attr the way perf does: the tracepoint's system:name from the tracing data, else the
 * name perf stored (EVENT_DESC feature / EVENT_UPDATE record), else a generic hardware/software
 * name or `type:config`.
 */
export function makeEventType(
  index: number,
  attr: PerfAttr,
  formats: ReadonlyMap<number, TracepointFormat>,
  descs: readonly EventDesc[],
  namesById: ReadonlyMap<number, string>,
): EventTypeImpl {
  const format = attr.type === PERF_TYPE_TRACEPOINT ? formats.get(attr.config) : undefined;
  let stored: string | undefined;
  for (const id of attr.ids) {
    stored = namesById.get(id);
    if (stored !== undefined) break;
  }
  if (stored === undefined) {
    for (const d of descs) {
      if (attr.ids.length > 0 && d.ids.includes(attr.ids[0])) { stored = d.name; break; }
    }
  }
  if (stored === undefined && attr.ids.length === 0 && descs.length > index) stored = descs[index].name;
  if (format !== undefined) {
    return new EventTypeImpl(index, `${format.system}:${format.name}`, format.system, format.name, format.fields);
  }
  const name = stored ?? genericName(attr);
  return new EventTypeImpl(index, name, '', '', []);
}

function genericName(attr: PerfAttr): string {
  if (attr.type === 0 && attr.config < HARDWARE.length) return HARDWARE[attr.config];
  if (attr.type === 1 && attr.config < SOFTWARE.length) return SOFTWARE[attr.config];
  if (attr.type === PERF_TYPE_TRACEPOINT) return `tracepoint:${attr.config}`;
  return `type${attr.type}:0x${attr.config.toString(16)}`;
}
