import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiltraceError } from '../base/errors.js';
import { SAMPLED_MAGIC } from '../contract/sampled-recording.js';
import { HolderSamplesBuilder, holderSamplesKey, NO_STACK_SAMPLE, readHolderSamples } from './holder-samples.js';
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

  it('reads the line each sample ran (0: none, or a file from before lines) and the lines\' text onto their functions', () => {
    const stacks = new PythonStacks();
    const samples = readHolderSamples(
      text([
        'F 1\twork\t/app.py\t9\tworker',
        'L 1 12\ttotal = sum(range(n))  # the text as read, tabs and all\there',
        'H 4100 7 8 1 4000000 12',
        'H 8100 7 8 1 4000000',
        'L 5 3\tnot a stack of this file',
        'H 12100 7 8 1 4000000 13',
      ]),
      stacks,
      1_000_000n,
      'rec.data',
    );
    const thread = samples.threads.get(holderSamplesKey(7, 8))!;
    assert.deepEqual([...thread.lines], [12, 0, 13]);
    const work = stacks.functions[stacks.stacks[thread.stacks[0]].leaf];
    assert.deepEqual([...work.source!], [[12, 'total = sum(range(n))  # the text as read, tabs and all\there']]);
  });

  it('refuses a sampled recording given as holder samples', () => {
    const { holders: _, ...sampled } = HEADER;
    assert.throws(() => readHolderSamples(text([], sampled), new PythonStacks(), 0n, 'rec.data'), GiltraceError);
  });
});

describe('HolderSamplesBuilder.take (a live view, window by window)', () => {
  it('gives each window the samples and the ticks up to its end once; finish gives the rest', () => {
    const builder = new HolderSamplesBuilder(250);
    for (const t of [4e6, 8e6, 12e6, 16e6]) {
      builder.tick(t);
      builder.sample(t, 1, 2, 7, 4e6);
    }
    const first = builder.take(10e6);
    assert.deepEqual(Array.from(first.threads.get(holderSamplesKey(1, 2))!.times), [4e6, 8e6]);
    assert.equal(first.count, 2);
    // the sampler ticked past the window's end: it covered the window to its end
    assert.deepEqual(first.ticked, { from: 4e6, to: 10e6 });
    // nothing new up to the same end: no samples, and no ticks
    assert.equal(builder.take(10e6).count, 0);
    builder.tick(20e6);
    const rest = builder.finish();
    assert.deepEqual(Array.from(rest.threads.get(holderSamplesKey(1, 2))!.times), [12e6, 16e6]);
    assert.equal(rest.count, 2);
    assert.deepEqual(rest.ticked, { from: 10e6, to: 20e6 });
  });
});
