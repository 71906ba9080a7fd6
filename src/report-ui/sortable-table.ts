/**
 * A table whose rows re-sort when a header is clicked (again: the other direction): the thread
 * and function tables. A row may stand for several (a group of alike threads): its member rows
 * follow it, hidden until it is expanded (click the row, or Enter / Space on its button), sorted
 * among themselves by the same column, so sorting never tears a group apart.
 */
import { escapeHtml } from './format.js';

export interface Column<R> {
  readonly title: string;
  /** The header's tooltip (default: "sort by <title>"). */
  readonly hint?: string;
  /** What the column sorts by. */
  readonly value: (row: R) => number | string;
  /** The cell's HTML (escape any text from the recording). */
  readonly show: (row: R) => string;
  /** Left-aligned text column (numbers are right-aligned). */
  readonly text?: boolean;
  /** A bar behind the number: `fraction` of the cell's width, in the GIL state's colour. */
  readonly bar?: { readonly kind: 'holding' | 'waiting'; readonly fraction: (row: R) => number };
  /** The cell's tooltip (plain text). */
  readonly cellTitle?: (row: R) => string | undefined;
  /** The column whose cell holds a group row's expand button. */
  readonly expander?: boolean;
}

export interface SortableTable<R> {
  /** The table element's id and classes. */
  readonly id: string;
  readonly className: string;
  readonly columns: readonly Column<R>[];
  readonly rows: readonly R[];
  /** The column sorted by at first, descending. */
  readonly sortColumn: number;
  /** Shown instead of a table when there are no rows. */
  readonly emptyHtml: string;
  /** The rows a row stands for, shown under it when expanded; undefined for a plain row. */
  readonly membersOf?: (row: R) => readonly R[] | undefined;
}

export function renderSortableTable<R>(host: HTMLElement, table: SortableTable<R>): void {
  const { columns, rows } = table;
  let sortColumn = table.sortColumn;
  let descending = true;
  /** Indices (in `rows`) of the expanded group rows: kept across sorts. */
  const expanded = new Set<number>();
  const render = () => {
    const column = columns[sortColumn];
    const order = (a: R, b: R) => compare(column.value(a), column.value(b), descending);
    const sorted = rows.map((row, index) => ({ row, index })).sort((a, b) => order(a.row, b.row));
    const head = columns
      .map((c, i) => {
        const mark = i === sortColumn ? (descending ? ' ▼' : ' ▲') : '';
        const sort = i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none';
        const cls = c.text ? ' class="text"' : '';
        return `<th data-col="${i}"${cls} aria-sort="${sort}" title="${escapeHtml(c.hint ?? `sort by ${c.title}`)}">${escapeHtml(c.title)}${mark}</th>`;
      })
      .join('');
    const body = sorted
      .map(({ row, index }) => {
        const members = table.membersOf?.(row);
        if (!members) return `<tr>${columns.map((c) => cell(c, row)).join('')}</tr>`;
        const open = expanded.has(index);
        const groupRow = `<tr class="group-row" data-group="${index}" aria-expanded="${open}">${columns.map((c) => cell(c, row, { open, size: members.length })).join('')}</tr>`;
        const memberRows = [...members]
          .sort(order)
          .map((member) => `<tr class="member-row" data-member-of="${index}"${open ? '' : ' hidden'}>${columns.map((c) => cell(c, member)).join('')}</tr>`);
        return groupRow + memberRows.join('');
      })
      .join('');
    host.innerHTML = `<table class="${table.className}" id="${table.id}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  };
  const toggle = (groupRow: HTMLElement) => {
    const index = Number(groupRow.dataset.group);
    const open = !expanded.has(index);
    if (open) expanded.add(index);
    else expanded.delete(index);
    // In place, not re-rendered: the focused button keeps the focus.
    groupRow.setAttribute('aria-expanded', String(open));
    const button = groupRow.querySelector<HTMLElement>('button.expander');
    button?.setAttribute('aria-expanded', String(open));
    if (button) button.title = button.title.replace(open ? /^show/ : /^hide/, open ? 'hide' : 'show');
    const mark = groupRow.querySelector('.expander-mark');
    if (mark) mark.textContent = open ? '▾' : '▸';
    for (const member of host.querySelectorAll<HTMLElement>(`tr[data-member-of="${index}"]`)) member.hidden = !open;
  };
  host.addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    const groupRow = target.closest<HTMLElement>('tr.group-row');
    if (groupRow) return toggle(groupRow);
    const th = target.closest('th');
    if (!th) return;
    const col = Number(th.dataset.col);
    if (col === sortColumn) descending = !descending;
    else (sortColumn = col), (descending = typeof columns[col].value(rows[0]) === 'number');
    render();
  });
  if (rows.length === 0) host.innerHTML = table.emptyHtml;
  else render();
}

/** Numbers or text in the asked direction; NaN (a number that does not apply, such as a group's percentile) always last. */
function compare(a: number | string, b: number | string, descending: boolean): number {
  if (typeof a === 'string' || typeof b === 'string') {
    const order = String(a).localeCompare(String(b), 'en', { numeric: true });
    return descending ? -order : order;
  }
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return descending ? b - a : a - b;
}

function cell<R>(c: Column<R>, row: R, group?: { open: boolean; size: number }): string {
  let text = c.show(row);
  if (group && c.expander) {
    const label = `${group.open ? 'hide' : 'show'} the ${group.size} threads`;
    text = `<button type="button" class="expander" aria-expanded="${group.open}" title="${label}"><span class="expander-mark" aria-hidden="true">${group.open ? '▾' : '▸'}</span> ${text}</button>`;
  }
  const title = c.cellTitle?.(row);
  const attr = title ? ` title="${escapeHtml(title)}"` : '';
  if (!c.bar) return `<td class="${c.text ? 'text' : 'num'}"${attr}>${text}</td>`;
  const width = Math.round(100 * Math.min(1, Math.max(0, c.bar.fraction(row) || 0)));
  return `<td class="num bar-cell"${attr}><span class="bar bar-${c.bar.kind}" style="width:${width}%"></span><span class="bar-text">${text}</span></td>`;
}
