import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC } from '../contract/sampled-recording.js';
import { holderSamplesKey, NO_STACK_SAMPLE, readHolderSamples } from './holder-samples.js';
import { PythonStacks } from './python-stacks.js';

const HEADER = { timeBaseNs: '1000000', hz: 250, command: ['python3', 'app.py'], cpus: 2, holders: true };

function text(lines: string[], header: object = HEADER): string {
  return [SAMPLED_MAGIC, JSON.stringify(header), ...lines].join('\n') + '\n';
}

describe('readHolderSamples', () => {
  it("reads each thread's samples on the timeline's clock, their stacks interned", () => {
    const stacks = new PythonStacks();
    const samples = readHolderSamples(
      text([
        'C 100 1 0 5000',
        'P 100 7 12 /usr/lib/libpython3.12.so',
        'F 1\twork\t/app.py\t9\tworker\trun',
        'H 4100 7 8 1 4000000',
        'H 8100 7 8 0 4000000', // no stack read: held, by what is not known
        'H 30100 7 9 1 22000000', // a late tick stands for 4 periods at most
        'H 34100 7 9 2 4000000', // a stack no F line gave: left out
        'E 40000 10 2 90000',
      ]),
      stacks,
      999_000n,
      'rec.data',
    );
    assert.equal(samples.hz, 250);
    assert.equal(samples.count, 3);
    // the holder samples' time base is 1000 ns after the timeline's
    assert.deepEqual(samples.ticked, { from: 1100, to: 41000 });
    const first = samples.threads.get(holderSamplesKey(7, 8))!;
    assert.deepEqual([...first.times], [5100, 9100]);
    assert.deepEqual([...first.weights], [4e6, 4e6]);
    assert.equal(first.stacks[1], NO_STACK_SAMPLE);
    const stack = stacks.stacks[first.stacks[0]];
    assert.equal(stacks.functions[stack.leaf].name, 'work');
    assert.deepEqual(stack.callers, ['worker', 'run']);
    assert.deepEqual([...samples.threads.get(holderSamplesKey(7, 9))!.weights], [16e6]);
  });

  it('refuses a sampled recording given as holder samples', () => {
    const { holders: _, ...sampled } = HEADER;
    assert.throws(() => readHolderSamples(text([], sampled), new PythonStacks(), 0n, 'rec.data'), GiltraceError);
  });
});
