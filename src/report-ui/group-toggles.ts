/**
 * The buttons that expand and collapse the timeline's group rows: one per group, laid over the
 * label of its row (the canvas cannot take the focus row by row), so a mouse click, or Tab and
 * Enter / Space, works as on any button.
 */
import type { UiThreadGroup } from './group-tracks.js';
import { CPU_H, GIL_H, GUTTER, type Row } from './layout.js';

export class GroupToggles {
  private readonly buttons = new Map<string, HTMLButtonElement>();

  constructor(host: HTMLElement, groups: readonly UiThreadGroup[], toggle: (key: string) => void) {
    if (groups.length === 0) return;
    const layer = document.createElement('div');
    layer.className = 'gt-group-toggles';
    for (const group of groups) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'gt-group-toggle';
      button.dataset.group = group.key;
      button.addEventListener('click', () => toggle(group.key));
      this.buttons.set(group.key, button);
      layer.appendChild(button);
    }
    host.appendChild(layer);
  }

  /** Moves each button over its group's row and says what pressing it does. */
  place(rows: readonly Row[]): void {
    for (const row of rows) {
      if (row.kind !== 'group') continue;
      const group = row.group!;
      const button = this.buttons.get(group.key);
      if (!button) continue;
      const action = row.expanded ? 'hide' : 'show';
      button.style.top = `${row.y}px`;
      button.style.width = `${GUTTER - 1}px`;
      button.style.height = `${GIL_H + CPU_H + 1}px`;
      button.setAttribute('aria-expanded', String(Boolean(row.expanded)));
      button.setAttribute('aria-label', `${group.name}: ${group.members.length} threads in one row; ${action} each thread's row`);
      button.title = `${group.members.length} threads named ${group.name}, in one row: holding where any of them held the GIL, else waiting where any waited. Click to ${action} each thread's own row.`;
    }
  }
}
