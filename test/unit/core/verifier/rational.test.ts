import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Rational, parseDecimalLiteral, parseRational } from '../../../../src/core/verifier/rational.js';

const r = (n: bigint, d: bigint = 1n): Rational => Rational.of(n, d);

describe('Rational', () => {
  it('keeps values reduced with a positive denominator', () => {
    const x = r(6n, -4n);
    assert.equal(x.num, -3n);
    assert.equal(x.den, 2n);
    assert.ok(r(0n, 5n).equals(Rational.ZERO));
  });

  it('does exact arithmetic', () => {
    assert.ok(r(1n, 3n).add(r(1n, 6n)).equals(r(1n, 2n)));
    assert.ok(r(1n, 10n).add(r(2n, 10n)).equals(r(3n, 10n)));
    assert.ok(r(5n).sub(r(7n, 2n)).equals(r(3n, 2n)));
    assert.ok(r(2n, 5n).mul(r(11n)).equals(r(22n, 5n)));
    assert.ok(r(13n * 8n).div(r(13n)).equals(r(8n)));
    assert.ok(r(2n, 3n).pow(3).equals(r(8n, 27n)));
    assert.ok(r(2n).pow(-2).equals(r(1n, 4n)));
    assert.ok(r(-2n, 3n).pow(0).equals(Rational.ONE));
    assert.throws(() => r(1n).div(Rational.ZERO), RangeError);
    assert.throws(() => Rational.ZERO.pow(-1), RangeError);
    assert.throws(() => r(1n, 0n), RangeError);
  });

  it('compares', () => {
    assert.equal(r(1n, 3n).compare(r(33n, 100n)), 1);
    assert.equal(r(-1n, 2n).compare(r(1n, 2n)), -1);
    assert.equal(r(2n, 4n).compare(r(1n, 2n)), 0);
    assert.equal(r(-7n).sign, -1);
    assert.ok(r(-7n, 2n).abs().equals(r(7n, 2n)));
  });

  it('writes integers, finite decimals, or fractions', () => {
    assert.equal(r(8n).toString(), '8');
    assert.equal(r(22n, 5n).toString(), '4.4');
    assert.equal(r(32n, 3n).toString(), '32/3');
    assert.equal(r(-1n, 3n).toString(), '-1/3');
    assert.equal(r(-1n, 8n).toString(), '-0.125');
    assert.equal(r(2469n, 2n).toString(), '1234.5');
  });

  it('counts decimal places of terminating expansions only', () => {
    assert.equal(r(3n, 4n).decimalPlaces(), 2);
    assert.equal(r(7n).decimalPlaces(), 0);
    assert.equal(r(1n, 80n).decimalPlaces(), 4);
    assert.equal(r(1n, 3n).decimalPlaces(), undefined);
    assert.equal(r(1n, 6n).decimalPlaces(), undefined);
  });

  it('rounds half away from zero', () => {
    assert.equal(r(10n, 3n).toFixed(2), '3.33');
    assert.equal(r(2n, 3n).toFixed(2), '0.67');
    assert.equal(r(1n, 8n).toFixed(2), '0.13');
    assert.equal(r(-1n, 8n).toFixed(2), '-0.13');
    assert.equal(r(-5n, 2n).toFixed(0), '-3');
    assert.equal(r(-1n, 1000n).toFixed(2), '0.00');
    assert.equal(r(32n, 3n).toFixed(2), '10.67');
    assert.equal(r(7n).toFixed(1), '7.0');
  });

  it('agrees with integer arithmetic (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (a, b) => {
        const x = Rational.fromInteger(a);
        const y = Rational.fromInteger(b);
        assert.equal(x.add(y).toString(), String(a + b));
        assert.equal(x.sub(y).toString(), String(a - b));
        assert.equal(x.mul(y).toString(), String(BigInt(a) * BigInt(b)));
        if (b !== 0) assert.ok(x.div(y).mul(y).equals(x));
      }),
    );
  });
});

describe('parseDecimalLiteral', () => {
  it('keeps the written number of decimals', () => {
    assert.deepEqual(parseDecimalLiteral('3.30'), { value: r(33n, 10n), decimals: 2 });
    assert.deepEqual(parseDecimalLiteral('1,234.5'), { value: r(2469n, 2n), decimals: 1 });
    assert.deepEqual(parseDecimalLiteral('1{,}000'), { value: r(1000n), decimals: 0 });
    assert.deepEqual(parseDecimalLiteral('1\\,000'), { value: r(1000n), decimals: 0 });
    assert.deepEqual(parseDecimalLiteral('-.5'), { value: r(-1n, 2n), decimals: 1 });
    assert.equal(parseDecimalLiteral('1,23'), undefined);
    assert.equal(parseDecimalLiteral('12a'), undefined);
  });
});

describe('parseRational', () => {
  const table: [string, Rational | undefined][] = [
    ['1,234.5', r(2469n, 2n)],
    ['3/4', r(3n, 4n)],
    ['12%', r(3n, 25n)],
    ['12\\%', r(3n, 25n)],
    ['-0.25', r(-1n, 4n)],
    ['−3', r(-3n)],
    ['+7', r(7n)],
    ['.5', r(1n, 2n)],
    ['\\frac{3}{4}', r(3n, 4n)],
    ['\\dfrac{3}{4}', r(3n, 4n)],
    ['-\\frac{3}{4}', r(-3n, 4n)],
    ['\\tfrac12', r(1n, 2n)],
    ['1 1/2', r(3n, 2n)],
    ['-2 3/4', r(-11n, 4n)],
    ['2\\frac{1}{2}', r(5n, 2n)],
    ['1,000,000', r(1000000n)],
    ['1,23', undefined],
    ['2+3', undefined],
    ['abc', undefined],
    ['', undefined],
    ['3/0', undefined],
    ['1/2/3', undefined],
    ['2 5/4', undefined],
    ['--3', undefined],
  ];
  for (const [text, want] of table) {
    it(`reads ${JSON.stringify(text)}`, () => {
      const got = parseRational(text);
      if (want === undefined) assert.equal(got, undefined);
      else assert.ok(got?.equals(want), `${text} → ${got?.toString()}`);
    });
  }
});
