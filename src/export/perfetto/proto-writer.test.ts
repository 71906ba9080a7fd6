import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { ProtoWriter } from './proto-writer.js';

// protobufjs' own writer is the oracle for our varint / fixed64 / string encoding.
test('varints, fixed64 and strings encode exactly like protobufjs', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.string(), (value, text) => {
      const ours = new ProtoWriter(4).uint(1, value).fixed64(2, value).string(3, text);
      const small = Number(value & ((1n << 53n) - 1n));
      ours.uint(4, small);
      const oracle = protobuf.Writer.create();
      // protobufjs takes 64-bit values as decimal strings (parsed with its bundled Long).
      const big = value.toString() as unknown as number;
      oracle.uint32(8).uint64(big);
      oracle.uint32(17).fixed64(big);
      oracle.uint32(26).string(text);
      oracle.uint32(32).uint64(small);
      assert.deepEqual(Buffer.from(ours.finish()), Buffer.from(oracle.finish()));
    }),
  );
});
