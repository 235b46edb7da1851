import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float16ArrayToFloat32, fromFloat16Bits, toFloat16Bits } from '../../../../../src/core/scoring/contracts/float16.js';

describe('float16', () => {
  it('encodes known values (IEEE 754 binary16 bit patterns)', () => {
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00, 'overflow → +Inf');
    assert.equal(toFloat16Bits(0.1), 0x2e66, '0.1 rounds to 0x2e66');
    assert.equal(toFloat16Bits(2 ** -24), 0x0001, 'smallest subnormal');
    assert.equal(toFloat16Bits(2 ** -26), 0x0000, 'under half the smallest subnormal → 0');
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, 'a tie rounds to even (up)');
  });

  it('decodes known patterns', () => {
    assert.equal(fromFloat16Bits(0x3c00), 1);
    assert.equal(fromFloat16Bits(0xc000), -2);
    assert.equal(fromFloat16Bits(0x7bff), 65504);
    assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
    assert.equal(fromFloat16Bits(0x7c00), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(fromFloat16Bits(0x7e00)));
    assert.deepEqual([...float16ArrayToFloat32(Uint16Array.from([0x3c00, 0x3800, 0xbc00]))], [1, 0.5, -1]);
  });

  it('round-trips every finite half value', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const exp = (bits >> 10) & 0x1f;
      if (exp === 0x1f) continue;
      const back = toFloat16Bits(fromFloat16Bits(bits));
      assert.equal(back === bits || (bits === 0x8000 && back === 0x8000), true, `bits ${bits.toString(16)}`);
    }
  });
});
