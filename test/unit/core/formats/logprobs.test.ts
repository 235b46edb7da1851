import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { parseInspectEval } from '../../../../src/core/formats/inspectEval.js';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { readFixture } from '../../helpers.js';
import { tracesOf } from './responseTestUtils.js';

/** The characters token i spells in the generated text `generated`. */
function tokenTexts(t: Trace | undefined, generated: string): string[] {
  const lp = t?.logprobs;
  assert.ok(lp, `${t?.id} has logprobs`);
  return lp.logprobs.map((_, i) => generated.slice(lp.offsets[i], lp.offsets[i + 1]));
}

describe('token log-probabilities in chat completions (vLLM with a reasoning parser)', () => {
  const text = readFixture('logprobs/vllm_reasoning_chat.json');
  const doc = parseDocument(text, 'vllm_reasoning_chat.json');
  const [t] = tracesOf(doc.records);

  it('reads the tokens as offsets and numbers, without problems', () => {
    assert.equal(doc.format, 'openai-chat-completion');
    assert.deepEqual(doc.problems, []);
    const lp = t?.logprobs;
    assert.ok(lp);
    // 25 tokens, written by hand in the fixture.
    assert.deepEqual(lp.logprobs, [-0.1, -0.1, -0.2, -0.1, -0.1, -0.1, -0.4, -0.1, -0.3, -0.5, -0.1, -0.2, -1, -0.2, -0.1, -2, -0.1, -0.1, -0.1, -0.1, -0.2, -0.1, -0.1, -2.5, -0.1]);
    assert.equal(lp.offsets.length, 26);
    // "First, 3 + 4 = 7.\n\nThen, 7 * 2 = 14.\n</think>\n\nThe answer is 14." is 64 characters.
    assert.equal(lp.offsets[25], 64);
    const generated = 'First, 3 + 4 = 7.\n\nThen, 7 * 2 = 14.\n</think>\n\nThe answer is 14.';
    assert.deepEqual(tokenTexts(t, generated).slice(17, 21), ['\n', '</think>', '\n\n', 'The']);
  });

  it('finds reasoning then content in the generated text: each step gets its own tokens', () => {
    assert.deepEqual(
      t?.steps.map((s) => [s.part, s.text]),
      [
        ['reasoning', 'First, 3 + 4 = 7.'],
        ['reasoning', 'Then, 7 * 2 = 14.'],
        ['answer', 'The answer is 14.'],
      ],
    );
    // Step 2 starts after "First, 3 + 4 = 7.\n\n" (17 + 2); step 3 after "…14." (36) + "\n</think>\n\n" (11).
    assert.deepEqual(t?.logprobs?.steps, [
      { text: 'First, 3 + 4 = 7.', start: 0, end: 17, firstToken: 0, endToken: 8 },
      { text: 'Then, 7 * 2 = 14.', start: 19, end: 36, firstToken: 9, endToken: 17 },
      { text: 'The answer is 14.', start: 47, end: 64, firstToken: 20, endToken: 25 },
    ]);
  });

  it('keeps the listed alternatives without the sampled token itself', () => {
    const a = t?.logprobs?.alternatives;
    assert.ok(a);
    // Token 0 lists only itself; token 9 ("Then") lists "Next"; token 15 (" 14") lists " 15" and " 13".
    assert.equal(a.starts[1], 0);
    const alts = (i: number): string[] => a.tokens.slice(a.starts[i], a.starts[i + 1]);
    assert.deepEqual(alts(9), ['Next']);
    assert.deepEqual(alts(12), [' ×']);
    assert.deepEqual(alts(15), [' 15', ' 13']);
    assert.deepEqual(a.logprobs.slice(a.starts[15], a.starts[16]), [-2, -2]);
    assert.ok(Math.abs((a.logprobs[a.starts[9] ?? 0] ?? 0) - (-0.5 - Math.log(3))) < 1e-12);
  });
});

describe('token log-probabilities: coverage, misalignment and other shapes', () => {
  const text = readFixture('logprobs/completions.jsonl');
  const doc = parseDocument(text, 'completions.jsonl');
  const byId = new Map(tracesOf(doc.records).map((t) => [t.id, t]));

  it('covers the content only when a server reports no reasoning tokens: reasoning steps get none', () => {
    const t = byId.get('content-only');
    // "Step 1: 2 + 2 = 4." is 18 characters and 9 tokens; "\n" is token 9; "Step 2: So 4." is 13 characters and 6 tokens.
    assert.deepEqual(t?.logprobs?.steps, [
      null,
      { text: 'Step 1: 2 + 2 = 4.', start: 0, end: 18, firstToken: 0, endToken: 9 },
      { text: 'Step 2: So 4.', start: 19, end: 32, firstToken: 10, endToken: 16 },
    ]);
    // `top_logprobs: []` everywhere: no alternatives.
    assert.equal(t?.logprobs?.alternatives, undefined);
  });

  it('leaves logprobs off with a located warning when the tokens spell another text', () => {
    assert.equal(byId.get('misaligned')?.logprobs, undefined);
    assert.equal(doc.problems.length, 1);
    const [p] = doc.problems;
    assert.equal(p?.severity, 'warning');
    assert.equal(p?.line, 2);
    // Located at the first token's literal.
    assert.equal(text.slice(p?.offset, (p?.offset ?? 0) + (p?.length ?? 0)), 'The');
    assert.match(p?.message ?? '', /^Choice 1: Token log-probabilities cannot be matched to the steps: .*"The answer is 6\."/);
    // The trace is still read.
    assert.deepEqual(byId.get('misaligned')?.steps.map((s) => s.text), ['The answer is 5.']);
  });

  it('aligns a content string with an inline <think> block', () => {
    const t = byId.get('inline-think');
    // "<think>\n" is 8 characters: "Try 9." is [8, 14), tokens 2–4; "\\boxed{9}" starts after "\n</think>\n\n" (11 more).
    assert.deepEqual(t?.logprobs?.steps, [
      { text: 'Try 9.', start: 8, end: 14, firstToken: 2, endToken: 5 },
      { text: '\\boxed{9}', start: 25, end: 34, firstToken: 8, endToken: 12 },
    ]);
  });

  it('reads legacy completions logprobs (tokens, token_logprobs, top_logprobs maps)', () => {
    const lp = byId.get('legacy')?.logprobs;
    assert.deepEqual(lp?.offsets, [0, 2, 5, 8, 9]);
    assert.deepEqual(lp?.logprobs, [-0.2, -0.1, -0.8, -0.1]);
    assert.deepEqual(lp?.alternatives, { starts: [0, 1, 1, 2, 2], tokens: ['This', ' 21'], logprobs: [-1.8, -0.8] });
  });

  it('reads nothing, silently, when logprobs are null', () => {
    assert.equal(byId.get('no-logprobs')?.logprobs, undefined);
  });

  it('decodes bytes: a character split over two tokens gives a zero-length first piece', () => {
    // "×" is U+00D7, bytes C3 97, here split over two byte tokens.
    const tokens = [
      { token: '3', logprob: -0.1, bytes: [51] },
      { token: ' ', logprob: -0.2, bytes: [32] },
      { token: 'bytes:\\xc3', logprob: -0.3, bytes: [0xc3] },
      { token: 'bytes:\\x97', logprob: -0.4, bytes: [0x97] },
      { token: ' 4', logprob: -0.5, bytes: [32, 52] },
    ];
    const record = { id: 'b', object: 'chat.completion', choices: [{ message: { role: 'assistant', content: '3 × 4' }, logprobs: { content: tokens } }] };
    const d = parseDocument(JSON.stringify(record), 'b.json');
    assert.deepEqual(d.problems, []);
    const [t] = tracesOf(d.records);
    assert.deepEqual(t?.logprobs?.offsets, [0, 1, 2, 2, 3, 5]);
    assert.deepEqual(t?.logprobs?.steps, [{ text: '3 × 4', start: 0, end: 5, firstToken: 0, endToken: 5 }]);
  });

  it('reports malformed logprobs and reads the trace without them', () => {
    const record = { id: 'm', object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'Hi.' }, logprobs: { content: [{ token: 'Hi' }] } }] };
    const text2 = JSON.stringify(record);
    const d = parseDocument(text2, 'm.json');
    const [t] = tracesOf(d.records);
    assert.equal(t?.logprobs, undefined);
    assert.equal(d.problems.length, 1);
    assert.equal(d.problems[0]?.severity, 'warning');
    assert.match(d.problems[0]?.message ?? '', /malformed \(token 1 is not \{"token": string, "logprob": number\}\)/);
    assert.equal(text2.slice(d.problems[0]?.offset, (d.problems[0]?.offset ?? 0) + (d.problems[0]?.length ?? 0)), 'Hi');
  });
});

describe('token log-probabilities in Inspect logs', () => {
  const text = readFixture('logprobs/inspect_logprobs.json');

  it('reads output.choices[0].logprobs: the text part is covered, the reasoning part is not', () => {
    const doc = parseDocument(text, 'inspect_logprobs.json');
    assert.equal(doc.format, 'inspect-log');
    assert.deepEqual(doc.problems, []);
    const [t, plain] = tracesOf(doc.records);
    // "1. 6 * 7 = 42." is 14 characters (8 tokens); "\n" is token 8; "2. So the answer is 42." is 23 characters.
    assert.deepEqual(t?.logprobs?.steps, [
      null,
      { text: '1. 6 * 7 = 42.', start: 0, end: 14, firstToken: 0, endToken: 8 },
      { text: '2. So the answer is 42.', start: 15, end: 38, firstToken: 9, endToken: 17 },
    ]);
    assert.equal(plain?.logprobs, undefined);
  });

  it('reads them from an .eval archive too', () => {
    const log = JSON.parse(text) as { samples: Record<string, unknown>[] } & Record<string, unknown>;
    const { samples, ...header } = log;
    const bytes = zipSync({ 'header.json': strToU8(JSON.stringify(header)), 'samples/1_epoch_1.json': strToU8(JSON.stringify(samples[0])) });
    const doc = parseInspectEval(bytes);
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    assert.equal(t?.logprobs?.logprobs.length, 17);
    assert.deepEqual(t?.logprobs?.steps[2], { text: '2. So the answer is 42.', start: 15, end: 38, firstToken: 9, endToken: 17 });
  });
});

describe('token log-probabilities in Responses output_text parts', () => {
  const text = readFixture('logprobs/responses_logprobs.json');

  it('joins each part’s tokens; the reasoning item has none', () => {
    const doc = parseDocument(text, 'responses_logprobs.json');
    assert.equal(doc.format, 'openai-responses');
    assert.deepEqual(doc.problems, []);
    const [t] = tracesOf(doc.records);
    // Part 1 "Paris is the capital." (21 characters, 5 tokens); part 2 "\n\nAnswer: Paris": "\n\n" is token 5.
    assert.deepEqual(t?.logprobs?.steps, [
      null,
      { text: 'Paris is the capital.', start: 0, end: 21, firstToken: 0, endToken: 5 },
      { text: 'Answer: Paris', start: 23, end: 36, firstToken: 6, endToken: 9 },
    ]);
    assert.deepEqual(t?.logprobs?.alternatives?.tokens, ['Lyon']);
  });

  it('warns when a part’s tokens spell another text', () => {
    const v = JSON.parse(text) as { output: { content?: { text: string }[] }[] };
    const part = v.output[1]?.content?.[0];
    if (part) part.text = 'Lyon is the capital.';
    const doc = parseDocument(JSON.stringify(v), 'r.json');
    const [t] = tracesOf(doc.records);
    assert.equal(t?.logprobs, undefined);
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0]?.severity, 'warning');
    assert.match(doc.problems[0]?.message ?? '', /cannot be matched to the steps/);
  });
});
