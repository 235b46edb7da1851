import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  ARENA_HARD_SYSTEM_PROMPT,
  buildArenaHardPrompt,
  buildArenaHardRequest,
  buildSkyworkCriticPrompt,
  buildSkyworkCriticRequest,
  parseArenaHardVerdict,
  parseSkyworkCriticVerdict,
} from '../../../../src/core/judges/pairwise.js';

// Arena-Hard-Auto utils/judge_utils.py OG_ARENA_HARD_PROMPT, as the Python string evaluates.
const AH_SYSTEM =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user prompt displayed below. You will be given assistant A's answer and assistant B's answer. Your job is to evaluate which assistant's answer is better.\n\nBegin your evaluation by generating your own answer to the prompt. You must provide your answers before judging any answers.\n\nWhen evaluating the assistants' answers, compare both assistants' answers with your answer. You must identify and correct any mistakes or inaccurate information.\n\nThen consider if the assistant's answers are helpful, relevant, and concise. Helpful means the answer correctly responds to the prompt or follows the instructions. Note when user prompt has any ambiguity or more than one interpretation, it is more helpful and appropriate to ask for clarifications or more information from the user than providing an answer based on assumptions. Relevant means all parts of the response closely connect or are appropriate to what is being asked. Concise means the response is clear and not verbose or excessive.\n\nThen consider the creativity and novelty of the assistant's answers when needed. Finally, identify any missing important information in the assistants' answers that would be beneficial to include when responding to the user prompt.\n\nAfter providing your explanation, you must output only one of the following choices as your final verdict with a label:\n\n1. Assistant A is significantly better: [[A>>B]]\n2. Assistant A is slightly better: [[A>B]]\n3. Tie, relatively the same: [[A=B]]\n4. Assistant B is slightly better: [[B>A]]\n5. Assistant B is significantly better: [[B>>A]]\n\nExample output: \"My final verdict is tie: [[A=B]]\".";

describe('Skywork-Critic prompt', () => {
  it('is the model card template with its trailing spaces', () => {
    const expected =
      "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. You should choose the assistant that follows the user's instructions and answers the user's question better. \n" +
      'Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. \n' +
      'Please directly output your final verdict by strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better.\n' +
      '\n' +
      '[User Question]\n' +
      'Q?\n' +
      '\n' +
      "[The Start of Assistant A's Answer]\n" +
      'first\n' +
      "[The End of Assistant A's Answer]\n" +
      '\n' +
      "[The Start of Assistant B's Answer]\n" +
      'second\n' +
      "[The End of Assistant B's Answer]\n";
    assert.equal(buildSkyworkCriticPrompt('Q?', 'first', 'second'), expected);
    const req = buildSkyworkCriticRequest('Q?', 'first', 'second', 9);
    assert.deepEqual(req.messages, [{ role: 'user', content: expected }]);
    assert.deepEqual(req.verdictWords, ['A', 'B']);
  });
});

describe('parseSkyworkCriticVerdict', () => {
  it('reads [[A]] / [[B]] with the letter offset', () => {
    const text = 'My verdict: [[B]]';
    const p = parseSkyworkCriticVerdict(text);
    assert.deepEqual(p.verdict, { label: 'B', winA: 0, letterOffset: text.indexOf('B]]') });
    assert.equal(parseSkyworkCriticVerdict('[[A]]').verdict?.winA, 1);
  });
  it('takes the last verdict, the visible one over the thinking, and a bare letter', () => {
    assert.equal(parseSkyworkCriticVerdict('"[[A]]" if A is better… so [[B]]').verdict?.label, 'B');
    assert.equal(parseSkyworkCriticVerdict('<think>[[B]]</think>\n[[A]]').verdict?.label, 'A');
    assert.equal(parseSkyworkCriticVerdict('<think>so [[B]]</think>\nDone.').verdict?.label, 'B');
    assert.equal(parseSkyworkCriticVerdict(' A\n').verdict?.label, 'A');
  });
  it('has no verdict for a judge that ignores the format', () => {
    assert.equal(parseSkyworkCriticVerdict('Both answers are good.').verdict, null);
    assert.equal(parseSkyworkCriticVerdict('').verdict, null);
  });
});

describe('Arena-Hard prompt', () => {
  it('uses the judge system prompt and the v2.0 user template', () => {
    assert.equal(ARENA_HARD_SYSTEM_PROMPT, AH_SYSTEM);
    const user =
      '<|User Prompt|>\nQ?\n\n' +
      "<|The Start of Assistant A's Answer|>\nfirst\n<|The End of Assistant A's Answer|>\n\n" +
      "<|The Start of Assistant B's Answer|>\nsecond\n<|The End of Assistant B's Answer|>";
    assert.equal(buildArenaHardPrompt('Q?', 'first', 'second'), user);
    assert.deepEqual(buildArenaHardRequest('Q?', 'first', 'second', 5).messages, [
      { role: 'system', content: AH_SYSTEM },
      { role: 'user', content: user },
    ]);
  });
});

describe('parseArenaHardVerdict', () => {
  it('maps the five verdicts to A\'s share, counting >> as a plain win', () => {
    for (const [label, winA] of [
      ['A>>B', 1],
      ['A>B', 1],
      ['A=B', 0.5],
      ['B>A', 0],
      ['B>>A', 0],
    ] as const) {
      assert.deepEqual(parseArenaHardVerdict(`My final verdict is: [[${label}]]`).verdict, { label, winA });
    }
  });
  it('upper-cases, takes the last double-bracket match, and single brackets only without any', () => {
    assert.equal(parseArenaHardVerdict('[[A>B]] at first; final: [[b>>a]]').verdict?.label, 'B>>A');
    assert.equal(parseArenaHardVerdict('[[A=B]] then [B>A]').verdict?.label, 'A=B');
    assert.equal(parseArenaHardVerdict('verdict [B>A]').verdict?.label, 'B>A');
    assert.equal(parseArenaHardVerdict('<think>[[A>B]]</think>\nfinal [[B>A]]').verdict?.label, 'B>A');
    assert.equal(parseArenaHardVerdict('<think>[[A>B]]</think>\nno label here').verdict?.label, 'A>B');
  });
  it('quotes a label outside the five as unreadable, and has no verdict without a label', () => {
    assert.deepEqual(parseArenaHardVerdict('[[A>>>B]]'), { verdict: null, unreadable: '[[A>>>B]]' });
    assert.deepEqual(parseArenaHardVerdict('A is better.'), { verdict: null });
  });
});
