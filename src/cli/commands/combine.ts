import { readFileSync, writeFileSync } from 'node:fs';
import { GiltraceError } from '../../base/errors.js';
import { combineChromeTraces } from '../../export/index.js';

export function combineCommand(gil: string, others: readonly string[], output: string): void {
  const combined = combineChromeTraces(readJson(gil), others.map(readJson));
  writeFileSync(output, JSON.stringify(combined));
  console.error(`giltrace: wrote ${output}`);
}

function readJson(file: string): object {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new GiltraceError(`cannot read ${file}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch (error) {
    throw new GiltraceError(`${file} is not a JSON trace: ${(error as Error).message}`);
  }
}
