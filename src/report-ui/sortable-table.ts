/** A table whose rows re-sort when a header is clicked (again: the other direction): the thread and function tables. */
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
}

export function renderSortableTable<R>(host: HTMLElement, table: SortableTable<R>): void {
  const { columns, rows } = table;
  let sortColumn = table.sortColumn;
  let descending = true;
  const render = () => {
    const column = columns[sortColumn];
    const sorted = [...rows].sort((a, b) => {
      const va = column.value(a);
      const vb = column.value(b);
      const order = typeof va === 'string' ? va.localeCompare(String(vb), 'en', { numeric: true }) : va - (vb as number);
      return descending ? -order : order;
    });
    const head = columns
      .map((c, i) => {
        const mark = i === sortColumn ? (descending ? ' ▼' : ' ▲') : '';
        const sort = i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none';
        const cls = c.text ? ' class="text"' : '';
        return `<th data-col="${i}"${cls} aria-sort="${sort}" title="${escapeHtml(c.hint ?? `sort by ${c.title}`)}">${escapeHtml(c.title)}${mark}</th>`;
      })
      .join('');
    const body = sorted.map((row) => `<tr>${columns.map((c) => cell(c, row)).join('')}</tr>`).join('');
    host.innerHTML = `<table class="${table.className}" id="${table.id}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  };
  host.addEventListener('click', (e) => {
    const th = (e.target as HTMLElement).closest('th');
    if (!th) return;
    const col = Number(th.dataset.col);
    if (col === sortColumn) descending = !descending;
    else (sortColumn = col), (descending = typeof columns[col].value(rows[0]) === 'number');
    render();
  });
  if (rows.length === 0) host.innerHTML = table.emptyHtml;
  else render();
}

function cell<R>(c: Column<R>, row: R): string {
  const text = c.show(row);
  const title = c.cellTitle?.(row);
  const attr = title ? ` title="${escapeHtml(title)}"` : '';
  if (!c.bar) return `<td class="${c.text ? 'text' : 'num'}"${attr}>${text}</td>`;
  const width = Math.round(100 * Math.min(1, Math.max(0, c.bar.fraction(row) || 0)));
  return `<td class="num bar-cell"${attr}><span class="bar bar-${c.bar.kind}" style="width:${width}%"></span><span class="bar-text">${text}</span></td>`;
}
