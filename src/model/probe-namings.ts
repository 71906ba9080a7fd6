/**
 * The GIL probe namings giltrace reads, one importer each, as speedscope's importers are: each
 * says whether an event name is its own and, if so, which probe it is. giltrace's own groups
 * (`giltrace_<pid>_<n>:take`, written from contract/probe-names.ts) come first; then the names
 * `perf probe` gives by default and per4m uses (`probe_libpython3:take_gil`, `take_gil__return`,
 * `python:drop_gil`, with `_N` for copies), so recordings made by hand or by per4m read too.
 * Recordings with neither are scheduler-only (recording-kind.ts).
 */
import { probeGroupOwner, probeRoleOf } from '../contract/probe-names.js';

export type GilRole = 'take' | 'take_ret' | 'drop' | 'drop_ret' | 'mark';

interface ProbeNaming {
  readonly name: string;
  /** The probe this event is, or undefined when the name is not this naming's. */
  roleOf(group: string, event: string): GilRole | undefined;
}

const giltraceNaming: ProbeNaming = {
  name: 'giltrace',
  roleOf: (group, event) => (probeGroupOwner(group) !== undefined ? probeRoleOf(event) : undefined),
};

const PERF_PROBE_NAME = /^(take_gil|drop_gil)(?:_\d+)?(__return)?(?:_\d+)?$/;

const perfProbeNaming: ProbeNaming = {
  name: 'perf probe / per4m',
  roleOf: (group, event) => {
    // a giltrace group is giltrace's to name, whatever its events are called
    if (probeGroupOwner(group) !== undefined) return undefined;
    const match = PERF_PROBE_NAME.exec(event);
    if (!match) return undefined;
    const take = match[1] === 'take_gil';
    if (match[2]) return take ? 'take_ret' : 'drop_ret';
    return take ? 'take' : 'drop';
  },
};

const PROBE_NAMINGS: readonly ProbeNaming[] = [giltraceNaming, perfProbeNaming];

/** Which probe an event name (`group:event`) is; undefined when it is not a GIL probe. */
export function gilRoleOf(eventName: string): GilRole | undefined {
  const colon = eventName.indexOf(':');
  if (colon < 0) return undefined;
  const group = eventName.slice(0, colon);
  const event = eventName.slice(colon + 1);
  for (const naming of PROBE_NAMINGS) {
    const role = naming.roleOf(group, event);
    if (role !== undefined) return role;
  }
  return undefined;
}
