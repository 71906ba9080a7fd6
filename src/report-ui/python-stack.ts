/**
 * The Python function behind a GIL slice: a stack id of the report's function context, looked up
 * and written out for the tooltip (function, file:line, callers on one line) and the details
 * panel (the whole stack, innermost first).
 */
import { isProgramCode } from '../contract/python-frames.js';
import type { ReportFunctionContext } from '../contract/report-data.js';
import type { FunctionRef } from '../contract/stats.js';
import { escapeHtml } from './format.js';

export interface UiStack {
  /** The innermost frame's function. */
  readonly fn: FunctionRef;
  /** Names of the calling frames, innermost first (as deep as the probes read). */
  readonly callers: readonly string[];
}

/** The stack `id` names, or undefined when not known (id 0, no function context, a damaged id). */
export function stackOf(context: ReportFunctionContext | undefined, id: number | undefined): UiStack | undefined {
  if (!context || !id || id < 0) return undefined;
  const entry = context.stacks[id];
  const fn = entry && context.functions[entry[0]];
  if (!fn) return undefined;
  return { fn, callers: entry.slice(1).map((i) => context.callerNames[i] ?? '?') };
}

/** `app.py:7`: the file's last part (full paths are long), or '' when the function has no file. */
export function shortWhere(fn: FunctionRef): string {
  if (!fn.file) return '';
  const name = fn.file.slice(fn.file.lastIndexOf('/') + 1);
  return fn.line > 0 ? `${name}:${fn.line}` : name;
}

/** `/srv/app.py:7`, or '' when the function has no file. */
export function fullWhere(fn: FunctionRef): string {
  if (!fn.file) return '';
  return fn.line > 0 ? `${fn.file}:${fn.line}` : fn.file;
}

/** `<unknown>`, `<no Python frame>`: not a function of the program. */
export function isSpecial(fn: FunctionRef): boolean {
  return !isProgramCode(fn);
}

/** Two tooltip lines: the function and where it is, then its callers. */
export function stackTooltipHtml(stack: UiStack): string {
  const where = shortWhere(stack.fn);
  const lines = [
    `<div class="tt-fn"><b>${escapeHtml(stack.fn.name)}</b>${where ? ` <span class="tt-where">${escapeHtml(where)}</span>` : ''}</div>`,
  ];
  if (stack.callers.length) lines.push(`<div class="tt-callers">called from ${stack.callers.map(escapeHtml).join(' ← ')}</div>`);
  return lines.join('');
}

/** The whole stack as a list, innermost frame first, with the full path of the function. */
export function stackDetailsHtml(stack: UiStack): string {
  const where = fullWhere(stack.fn);
  const leaf = `<li><b>${escapeHtml(stack.fn.name)}</b>${where ? ` <span class="muted">${escapeHtml(where)}</span>` : ''}</li>`;
  return `<ol class="stack">${leaf}${stack.callers.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ol>`;
}

/** The stack in one line of text, innermost first: `some_computation ← Thread.run ← …`. */
export function stackText(stack: UiStack): string {
  return [stack.fn.name, ...stack.callers].join(' ← ');
}
