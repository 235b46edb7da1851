import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeLiteral, locateStrings, mapDecodedSpan, mapDecodedSpans, type StringLocator } from '../../../../src/core/json/locateStrings.js';

/** Every string value reachable from `v`, with its container and key. */
function strings(v: unknown, out: [object, string | number, string][] = []): [object, string | number, string][] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      if (typeof x === 'string') out.push([v, i, x]);
      else strings(x, out);
    });
  }
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') out.push([v, k, x]);
      else strings(x, out);
    }
  }
  return out;
}

function checkAll(text: string, locator: StringLocator, value: unknown): void {
  for (const [container, key, s] of strings(value)) {
    const r = locator.rangeOf(container, key);
    assert.ok(r, `no range for ${String(key)}`);
    assert.equal(decodeLiteral(text, r), s);
  }
}

describe('locateStrings', () => {
  it('locates strings with escapes, unicode escapes and nested containers', () => {
    const text = '{"a": "x\\"y\\\\", "b": ["\\u2019q", {"c": "\\n"}], "d": 5, "e": "\\ud83d\\ude00"}';
    const value: unknown = JSON.parse(text);
    checkAll(text, locateStrings(text, 0, text.length, value), value);
  });

  it('falls back to the tree for index-like keys (engines reorder them)', () => {
    const text = '{"-1": "neg", "1": "one", "0": "zero", "z": "last"}';
    const value: unknown = JSON.parse(text);
    checkAll(text, locateStrings(text, 0, text.length, value), value);
  });

  it('falls back to the tree for duplicate keys (the last one wins, as in JSON.parse)', () => {
    const text = '{"a": "first", "b": "x", "a": "second"}';
    const value = JSON.parse(text) as { a: string };
    const r = locateStrings(text, 0, text.length, value).rangeOf(value, 'a');
    assert.ok(r);
    assert.equal(text.slice(r.start, r.end), 'second');
  });

  it('locates every string of random JSON values, however they are spaced', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 2 }), (value, indent) => {
        const text = `  ${JSON.stringify(value, null, indent)} `;
        const parsed: unknown = JSON.parse(text);
        checkAll(text, locateStrings(text, 0, text.length, parsed), parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('maps decoded substrings to raw spans that decode back to the substring', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(), fc.nat(), (s, a, b) => {
        const text = `{"k": ${JSON.stringify(s)}}`;
        const value = JSON.parse(text) as { k: string };
        const lit = locateStrings(text, 0, text.length, value).rangeOf(value, 'k');
        assert.ok(lit);
        let from = s.length === 0 ? 0 : a % (s.length + 1);
        let to = s.length === 0 ? 0 : b % (s.length + 1);
        if (from > to) [from, to] = [to, from];
        // Do not cut a surrogate pair in half: that substring has no JSON encoding of its own.
        const isLow = (i: number): boolean => i > 0 && i < s.length && /[\uDC00-\uDFFF]/.test(s[i] ?? '') && /[\uD800-\uDBFF]/.test(s[i - 1] ?? '');
        if (isLow(from)) from--;
        if (isLow(to)) to++;
        const raw = mapDecodedSpan(text, lit, from, to);
        assert.equal(decodeLiteral(text, raw), s.slice(from, to));
      }),
      { numRuns: 500 },
    );
  });

  it('maps many sorted spans in one walk exactly as one at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'é', '"', '\\', '\n', '\u0001', '\u2019', ' '), { maxLength: 40 }).map((cs) => cs.join('')), fc.array(fc.nat(), { maxLength: 8 }), (s, cuts) => {
        const text = `[${JSON.stringify(s)}]`;
        const value = JSON.parse(text) as string[];
        const lit = locateStrings(text, 0, text.length, value).rangeOf(value, 0);
        assert.ok(lit);
        const bounds = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
        const spans = bounds.slice(0, -1).map((b, i) => ({ start: b, end: bounds[i + 1] ?? b }));
        assert.deepEqual(
          mapDecodedSpans(text, lit, s.length, spans),
          spans.map((sp) => mapDecodedSpan(text, lit, sp.start, sp.end)),
        );
      }),
      { numRuns: 400 },
    );
  });
});
