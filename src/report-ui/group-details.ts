/**
 * What a collapsed group row says when pointed at: which members held the GIL or waited for it
 * (or ran, or waited for a CPU) in the pixel under the pointer, and the Python function of the
 * member that held it; clicked, the same at the instant clicked, every member named.
 */
import type { ReportFunctionContext } from '../contract/report-data.js';
import { stepAt, type UiThread } from './data.js';
import { escapeHtml, formatDuration } from './format.js';
import { membersAt, membersDuring, type MemberTime, type UiThreadGroup } from './group-tracks.js';
import { stackOf, stackTooltipHtml, type UiStack } from './python-stack.js';

/** Names shown in a tooltip line before "+N more". */
const TOOLTIP_NAMES = 3;
const HOLDING = 2;
const WAITING = 1;
const RUNNING = 0;
const RUNNABLE = 1;

/**
 * The states worth naming members for, per track (the GIL's holders and waiters, the CPU's
 * running and runnable), with their tooltip and details labels.
 */
function namedStates(which: 'gil' | 'cpu'): readonly (readonly [number, string, string])[] {
  return which === 'gil'
    ? [
        [HOLDING, 'held by', 'holding then'],
        [WAITING, 'waiting', 'waiting then'],
      ]
    : [
        [RUNNING, 'running', 'running then'],
        [RUNNABLE, 'runnable', 'runnable then'],
      ];
}

const threadName = (t: UiThread) => `${t.name} · ${t.tid}`;

/** Tooltip lines for the pixel [t0, t1) of a group's row, and the holder's function when one member held the GIL. */
export function membersTooltipHtml(group: UiThreadGroup, which: 'gil' | 'cpu', t0: number, t1: number, context: ReportFunctionContext | undefined): string {
  const byState = membersDuring(group, which, t0, t1);
  const lines: string[] = [];
  for (const [state, label] of namedStates(which)) {
    const members = byState[state];
    if (members.length === 0) continue;
    lines.push(`<div class="tt-members"><span class="tt-label">${label}</span> ${namesHtml(members, group.members.length)}</div>`);
    if (which === 'gil' && state === HOLDING && members.length === 1) {
      const stack = holdStack(members[0].thread, t0, t1, context);
      if (stack) lines.push(stackTooltipHtml(stack));
    }
  }
  return lines.join('');
}

function namesHtml(members: readonly MemberTime[], of: number): string {
  const shown = members.slice(0, TOOLTIP_NAMES).map((m) => escapeHtml(threadName(m.thread)));
  const more = members.length > shown.length ? `, +${members.length - shown.length} more` : '';
  const count = members.length > 1 ? `${members.length} of ${of}: ` : '';
  return `${count}${shown.join(', ')}${more}`;
}

/** The Python stack of `thread`'s first hold within [t0, t1), if the recording has one. */
function holdStack(thread: UiThread, t0: number, t1: number, context: ReportFunctionContext | undefined): UiStack | undefined {
  if (!context || !thread.gilStacks) return undefined;
  const { times, states } = thread.gil;
  let i = Math.max(0, stepAt(times, t0));
  while (i < times.length && times[i] < t1 && states[i] !== HOLDING) i++;
  return i < times.length && times[i] < t1 && states[i] === HOLDING ? stackOf(context, thread.gilStacks[i]) : undefined;
}

/** Details facts for a group's row at instant `t`: every member in each named state, and the holder's function. */
export function memberFacts(group: UiThreadGroup, which: 'gil' | 'cpu', t: number, context: ReportFunctionContext | undefined): { facts: [string, string][]; stack: UiStack | undefined } {
  const byState = membersAt(group, which, t);
  const facts: [string, string][] = [];
  for (const [state, , label] of namedStates(which)) {
    const members = byState[state];
    facts.push([label, members.length ? `${members.length > 1 ? `${members.length}: ` : ''}${members.map((m) => threadName(m.thread)).join(', ')}` : 'none of them']);
  }
  const holders = which === 'gil' ? byState[HOLDING] : [];
  const stack = holders.length === 1 ? holdStack(holders[0].thread, t, t + 1, context) : undefined;
  return { facts, stack };
}

/** `Thread-* (process_request_thread) · 60 threads`. */
export function groupTitle(group: UiThreadGroup): string {
  return `${group.name} · ${group.members.length} threads`;
}

/** The members' lifetimes, for the details panel. */
export function groupSpanText(group: UiThreadGroup): string {
  return `${group.members.length} threads named ${group.name}, alive over ${formatDuration(group.end - group.start)}`;
}
