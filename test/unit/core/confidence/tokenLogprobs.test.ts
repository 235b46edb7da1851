import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Step } from '../../../../src/core/dataset/types.js';
import { alignTokenStream, concatStreams, decodeUtf8, readTokenStream, tokensOverlapping, utf8Bytes, type TokenStream } from '../../../../src/core/confidence/tokenLogprobs.js';

const step = (index: number, text: string, part: Step['part'] = 'answer'): Step => ({ index, text, label: 'unknown', part });

/** A stream whose tokens are `parts`, each at log-prob −1. */
function stream(...parts: string[]): TokenStream {
  const s = readTokenStream(parts.map((token) => ({ token, logprob: -1 })));
  assert.ok(s !== undefined && typeof s !== 'string');
  return s;
}

describe('UTF-8', () => {
  it('encodes and decodes with byte → character offsets', () => {
    // "a€😀": a = 1 byte, € = 3 bytes (1 UTF-16 unit), 😀 = 4 bytes (2 units).
    assert.deepEqual(utf8Bytes('a€😀'), [0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    const d = decodeUtf8([0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    assert.equal(d.text, 'a€😀');
    assert.deepEqual(d.charAt, [0, 1, 1, 1, 2, 2, 2, 2, 4]);
  });

  it('decodes a bad byte as U+FFFD, one per byte', () => {
    const d = decodeUtf8([0x61, 0xff, 0xe2, 0x82]);
    assert.equal(d.text, 'a\ufffd\ufffd\ufffd');
    assert.deepEqual(d.charAt, [0, 1, 2, 3, 4]);
  });
});

describe('readTokenStream', () => {
  it('is undefined for nothing requested, a message for a bad shape', () => {
    assert.equal(readTokenStream(null), undefined);
    assert.equal(readTokenStream([]), undefined);
    assert.equal(readTokenStream({ content: null }), undefined);
    assert.equal(readTokenStream({ content: [] }), undefined);
    assert.equal(readTokenStream({ content: [{ token: 'a', logprob: 'x' }] }), 'token 1 is not {"token": string, "logprob": number}');
    assert.match(String(readTokenStream(42)), /^expected /);
  });

  it('keeps the first of duplicated alternatives and drops the sampled token', () => {
    const s = readTokenStream([{ token: 'a', logprob: -0.1, top_logprobs: [{ token: 'a', logprob: -0.1 }, { token: 'b', logprob: -2 }, { token: 'b', logprob: -3 }] }]);
    assert.ok(s !== undefined && typeof s !== 'string');
    assert.deepEqual(s.alternatives, { starts: [0, 1], tokens: ['b'], logprobs: [-2] });
  });

  it('joins streams of several parts', () => {
    const joined = concatStreams([stream('ab', 'c'), stream('de')]);
    assert.equal(joined?.text, 'abcde');
    assert.deepEqual(joined?.offsets, [0, 2, 3, 5]);
    assert.deepEqual(joined?.logprobs, [-1, -1, -1]);
  });
});

describe('tokensOverlapping', () => {
  // Tokens "ab", "", "c", "de": offsets 0, 2, 2, 3, 5.
  const offsets = [0, 2, 2, 3, 5];
  it('takes every token that overlaps, and zero-length tokens inside', () => {
    assert.deepEqual(tokensOverlapping(offsets, 0, 2), { firstToken: 0, endToken: 1 });
    assert.deepEqual(tokensOverlapping(offsets, 2, 3), { firstToken: 1, endToken: 3 });
    assert.deepEqual(tokensOverlapping(offsets, 1, 4), { firstToken: 0, endToken: 4 });
    assert.deepEqual(tokensOverlapping(offsets, 4, 5), { firstToken: 3, endToken: 4 });
  });
});

describe('alignTokenStream', () => {
  const steps = [step(0, 'Think.', 'reasoning'), step(1, 'A.'), step(2, 'B.')];
  const pieces = [
    { text: 'Think.', firstStep: 0, endStep: 1 },
    { text: 'A.\nB.', firstStep: 1, endStep: 3 },
  ];

  it('matches reasoning then content', () => {
    const r = alignTokenStream(stream('Think', '.', '</think>', 'A', '.', '\n', 'B', '.'), pieces, steps);
    assert.ok('logprobs' in r);
    // "Think." [0, 6), "</think>" [6, 14), "A." [14, 16), "\n", "B." [17, 19).
    assert.deepEqual(r.logprobs.steps, [
      { text: 'Think.', start: 0, end: 6, firstToken: 0, endToken: 2 },
      { text: 'A.', start: 14, end: 16, firstToken: 3, endToken: 5 },
      { text: 'B.', start: 17, end: 19, firstToken: 6, endToken: 8 },
    ]);
  });

  it('matches a piece whose tokens leave out its surrounding whitespace', () => {
    const r = alignTokenStream(stream('A', '.\n', 'B.'), [{ text: '\n\nA.\nB.\n', firstStep: 1, endStep: 3 }], steps);
    assert.ok('logprobs' in r);
    // "A" [0, 1), ".\n" [1, 3), "B." [3, 5): ".\n" straddles into step 2's gap but not into "B.".
    assert.deepEqual(r.logprobs.steps, [null, { text: 'A.', start: 0, end: 2, firstToken: 0, endToken: 2 }, { text: 'B.', start: 3, end: 5, firstToken: 2, endToken: 3 }]);
  });

  it('fails when a later piece is missing, or none is found', () => {
    const later = alignTokenStream(stream('Think', '.', 'C.'), pieces, steps);
    assert.ok('problem' in later);
    assert.equal(later.problem, 'the tokens spell the response\'s earlier text but not "A. B." after it');
    const none = alignTokenStream(stream('Other'), pieces, steps);
    assert.ok('problem' in none);
    assert.match(none.problem, /^the tokens spell none of the response's text/);
  });

  it('with everyPiece, a missing first piece fails too', () => {
    const r = alignTokenStream(stream('A.\nB.'), pieces, steps, true);
    assert.ok('problem' in r);
    assert.equal(r.problem, 'the tokens do not spell "Think."');
  });
});
