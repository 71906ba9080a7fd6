/**
 * What a streamed recording's manifest can keep at its end: it is rewritten in the room its first
 * record left (one perf record: 64 KB at most), so when the attach found more than fits, the
 * least needed goes first: the functions the threads found waiting at the attach were in, then
 * thread names (those keep their OS names), then those threads themselves (holders first kept;
 * the others' waits begun before the probes are then missing until their next take). Each cut is
 * said in a warning.
 */
import type { GilAtAttach, NamedThread, RecordingManifest } from '../contract/recording-manifest.js';

/**
 * The manifest `write` took (it writes one when it fits the room, and says whether it did), with
 * as much of `threadNames` and of `manifest.gilAtAttach` as fit; undefined (with a warning) when
 * even none did.
 */
export function fitStreamManifest(
  manifest: RecordingManifest,
  threadNames: readonly NamedThread[],
  write: (manifest: RecordingManifest) => boolean,
  warnings: string[],
): RecordingManifest | undefined {
  const allUsers = [...(manifest.gilAtAttach ?? [])].sort((a, b) => Number(b.holding ?? false) - Number(a.holding ?? false));
  let users: readonly GilAtAttach[] = allUsers;
  let names = threadNames;
  let stacks = true;
  const made = () => ({
    ...manifest,
    gilAtAttach: users.length === 0 ? undefined : stacks ? users : users.map(({ stack: _stack, ...user }) => user),
    threadNames: names.length === 0 ? undefined : names,
  });
  let candidate: RecordingManifest = made();
  while (!write(candidate)) {
    if (stacks && users.some((u) => u.stack)) stacks = false;
    else if (names.length > 0) names = names.slice(0, Math.floor(names.length * 0.9));
    else if (users.length > 0) users = users.slice(0, Math.floor(users.length * 0.9));
    else {
      if (manifest.holderSamples) warnings.push('the holder samples did not fit in the recording: function context from the probes alone');
      return undefined;
    }
    candidate = made();
  }
  if (!stacks) warnings.push(`where the ${allUsers.length} threads found holding or waiting for the GIL as giltrace attached were did not fit in the recording: their time until their next take is charged to no function`);
  if (names.length < threadNames.length) {
    warnings.push(`the names of ${threadNames.length - names.length} of the ${threadNames.length} threads found did not fit in the recording: those keep their OS names`);
  }
  if (users.length < allUsers.length) {
    warnings.push(`${allUsers.length - users.length} of the ${allUsers.length} threads found waiting for the GIL as giltrace attached did not fit in the recording: their waits begun before it show from their next take on`);
  }
  return candidate;
}
