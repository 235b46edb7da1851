import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJsonValue } from '../../../src/data/parquetValues.js';

const roundTrips = (value: unknown): void => {
  const json = toJsonValue(value);
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
};

describe('toJsonValue', () => {
  it('turns INT64 BigInts into numbers when exact and decimal strings when not', () => {
    assert.equal(toJsonValue(42n), 42);
    assert.equal(toJsonValue(-9_007_199_254_740_991n), -9_007_199_254_740_991);
    assert.equal(toJsonValue(9_007_199_254_740_993n), '9007199254740993');
    assert.equal(toJsonValue(-(2n ** 63n)), '-9223372036854775808');
  });

  it('decodes bytes as UTF-8 when valid, else base64', () => {
    assert.equal(toJsonValue(new TextEncoder().encode('ки ’ 😀')), 'ки ’ 😀');
    assert.equal(toJsonValue(new Uint8Array([0xff, 0xfe, 0x00, 0x41])), '//4AQQ==');
    assert.equal(toJsonValue(new Uint8Array(0)), '');
  });

  it('writes dates as ISO strings and invalid dates as null', () => {
    assert.equal(toJsonValue(new Date(Date.UTC(2022, 10, 22, 16, 51, 29, 980))), '2022-11-22T16:51:29.980Z');
    assert.equal(toJsonValue(new Date(Number.NaN)), null);
  });

  it('converts lists, typed arrays, structs and maps recursively', () => {
    const value = {
      steps: ['a', 'b'],
      labels: new BigInt64Array([1n, -1n]),
      scores: new Float32Array([0.5]),
      messages: [{ role: 'user', content: new TextEncoder().encode('hi'), n: 3n }],
      nested: { inner: { when: new Date(0), missing: undefined } },
    };
    assert.deepEqual(toJsonValue(value), {
      steps: ['a', 'b'],
      labels: [1, -1],
      scores: [0.5],
      messages: [{ role: 'user', content: 'hi', n: 3 }],
      nested: { inner: { when: '1970-01-01T00:00:00.000Z', missing: null } },
    });
    roundTrips(value);
  });

  it('writes null, undefined, NaN and infinities as JSON does, and -0 as 0', () => {
    assert.deepEqual(toJsonValue([null, undefined, Number.NaN, Infinity, -Infinity, -0]), [null, null, null, null, null, 0]);
    assert.ok(Object.is(toJsonValue(-0), 0));
  });

  it('keeps a "__proto__" key as a key (a map column can hold any key)', () => {
    const map = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;
    const json = toJsonValue(map) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['__proto__']);
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    roundTrips(map);
  });
});
