/**
 * Where two long texts (golden files) part, in a few lines a person can read: node's assert
 * prints a diff of the whole text, which for a dump of thousands of lines buries the change.
 */

/** undefined when equal; else the first differing line with a little context on each side. */
export function firstDifference(expected: string, actual: string, context = 3): string | undefined {
  if (expected === actual) return undefined;
  const want = expected.split('\n');
  const got = actual.split('\n');
  let at = 0;
  while (at < want.length && at < got.length && want[at] === got[at]) at++;
  let differing = 0;
  for (let i = 0; i < Math.max(want.length, got.length); i++) if (want[i] !== got[i]) differing++;
  const show = (lines: string[]) => {
    const out: string[] = [];
    for (let i = Math.max(0, at - context); i < Math.min(lines.length, at + context + 1); i++) out.push(`${i === at ? '>' : ' '} ${i + 1}: ${lines[i]}`);
    return out.join('\n');
  };
  return [
    `first difference at line ${at + 1} (expected ${want.length} lines, got ${got.length}; ${differing} differ by position)`,
    'expected:',
    show(want),
    'actual:',
    show(got),
  ].join('\n');
}
