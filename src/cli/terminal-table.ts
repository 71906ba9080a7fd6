/** Terminal output shared by `stats` and `diff`: optional ANSI styling and aligned columns. */

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

export const plain: Style = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t };
export const ansi: Style = {
  bold: (t) => `\x1b[1m${t}\x1b[22m`,
  dim: (t) => `\x1b[2m${t}\x1b[22m`,
  red: (t) => `\x1b[31m${t}\x1b[39m`,
  yellow: (t) => `\x1b[33m${t}\x1b[39m`,
  green: (t) => `\x1b[32m${t}\x1b[39m`,
};

export function styleFor(color: boolean): Style {
  return color ? ansi : plain;
}

/** Columns under one label (the `held` over `A  B  change`). */
export interface ColumnGroup {
  readonly label: string;
  /** How many columns the label spans; groups follow each other from the first column. An empty label: columns that stand alone. */
  readonly columns: number;
}

/**
 * Aligned columns; the first row is the (dim) header, whose names in `leftAligned` are text columns
 * (the others, numbers, are right-aligned). With `groups`, a (dim) line of labels comes first,
 * each centred over its columns, and groups are set apart by a wider gap.
 */
export function table(rows: readonly string[][], style: Style, leftAligned: ReadonlySet<string>, groups?: readonly ColumnGroup[]): string[] {
  const names = rows[0];
  const width = (text: string) => [...text].length;
  const widths = names.map((_, column) => Math.max(...rows.map((row) => width(row[column]))));
  const gapBefore = groupGaps(names.length, groups);
  if (groups) fitLabels(groups, widths, gapBefore);
  const lines = rows.map((row, index) => {
    const cells = row.map((cell, column) => {
      const pad = ' '.repeat(widths[column] - width(cell));
      const text = leftAligned.has(names[column]) ? cell + pad : pad + cell;
      return column === 0 ? text : ' '.repeat(gapBefore[column]) + text;
    });
    const line = cells.join('').trimEnd();
    return index === 0 ? style.dim(line) : line;
  });
  return groups ? [style.dim(groupLine(groups, widths, gapBefore)), ...lines] : lines;
}

const GAP = 2;
/** Grouped columns are narrow inside a group (its A, B and change read as one) and set apart between groups. */
const IN_GROUP_GAP = 1;
const GROUP_GAP = 2;

function groupGaps(count: number, groups: readonly ColumnGroup[] | undefined): number[] {
  const gaps = new Array<number>(count).fill(groups ? IN_GROUP_GAP : GAP);
  let column = 0;
  for (const group of groups ?? []) {
    if (column > 0 && column < count) gaps[column] = GROUP_GAP;
    // Text columns at the start (a name, a place) keep the ordinary gap between them.
    if (group.label === '') for (let i = column + 1; i < column + group.columns && i < count; i++) gaps[i] = GAP;
    column += group.columns;
  }
  return gaps;
}

/** Widens a group's first column where its label is longer than its columns. */
function fitLabels(groups: readonly ColumnGroup[], widths: number[], gapBefore: readonly number[]): void {
  let column = 0;
  for (const group of groups) {
    const missing = [...group.label].length - spanWidth(widths, gapBefore, column, group.columns);
    if (missing > 0) widths[column] += missing;
    column += group.columns;
  }
}

function spanWidth(widths: readonly number[], gapBefore: readonly number[], column: number, columns: number): number {
  return widths.slice(column, column + columns).reduce((n, w, i) => n + w + (i > 0 ? gapBefore[column + i] : 0), 0);
}

function groupLine(groups: readonly ColumnGroup[], widths: readonly number[], gapBefore: readonly number[]): string {
  let line = '';
  let column = 0;
  for (const group of groups) {
    const span = spanWidth(widths, gapBefore, column, group.columns);
    const lead = column === 0 ? 0 : gapBefore[column];
    const left = Math.floor((span - [...group.label].length) / 2);
    line += ' '.repeat(lead + left) + group.label + ' '.repeat(span - left - [...group.label].length);
    column += group.columns;
  }
  return line.trimEnd();
}

/** `text` in at most `width` characters (code points), its end cut to an ellipsis when longer. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}
