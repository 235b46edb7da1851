import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { GeneratedToken, GenerationProgress, GenerationRequest, GenerationResult, TextGenerator } from '../../../../src/core/judges/generation.js';
import { findJudge, JUDGES } from '../../../../src/core/judges/judgeRegistry.js';
import { createJudgeScorer } from '../../../../src/core/judges/judgeScorer.js';
import type { PrincipleRubric, ScoreRubric } from '../../../../src/core/judges/rubric.js';
import type { ScoreRequest } from '../../../../src/core/scoring/scorer.js';

type Reply = string | Omit<GenerationResult, 'model' | 'device'>;
type Script = (request: GenerationRequest, call: number, signal?: AbortSignal) => Reply | Promise<Reply>;

/** The model's stand-in: answers each request with a scripted reply and records what it was asked. */
class ScriptedGenerator implements TextGenerator {
  readonly id = 'fake-gen';
  readonly description = 'scripted test generator';
  readonly calls: GenerationRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly script: Script,
    readonly hasLogprobs = false,
  ) {}
  async generate(request: GenerationRequest, opts?: { readonly signal?: AbortSignal; readonly onProgress?: (p: GenerationProgress) => void }): Promise<GenerationResult> {
    const call = this.calls.push(request) - 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const reply = await this.script(request, call, opts?.signal);
      const result = typeof reply === 'string' ? { text: reply, finish: 'stop' as const } : reply;
      opts?.onProgress?.({ delta: result.text, tokens: 1 });
      return { ...result, model: 'judge-model', device: 'test-device' };
    } finally {
      this.inFlight--;
    }
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

const userText = (r: GenerationRequest): string => r.messages.find((m) => m.role === 'user')?.content ?? '';
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Tokens of `text` split at `at`, with the token at `at` holding alternatives. */
function tokensWith(text: string, at: number, len: number, top: readonly (readonly [string, number])[], chosenP: number): GeneratedToken[] {
  return [
    { text: text.slice(0, at), logprob: 0, top: [] },
    { text: text.slice(at, at + len), logprob: Math.log(chosenP), top: top.map(([token, p]) => ({ token, logprob: Math.log(p) })) },
    { text: text.slice(at + len), logprob: 0, top: [] },
  ];
}

const TRACE: ScoreRequest = { prompt: 'What is 2+3×4?', steps: ['3×4 = 12.', '2 + 12 = 15.'] };
const THINK_OUTPUT = '\nStep 1: 3×4 = 12 is right. \\boxed{correct}\nStep 2: 2 + 12 is 14, not 15. \\boxed{incorrect}\n</think>\nIs the solution correct? No';

function pairRequests(responses: readonly string[]): ScoreRequest[] {
  return responses.map((response, index) => ({ prompt: 'Q?', steps: [response], response, siblings: { responses, index } }));
}

describe('createJudgeScorer: construction', () => {
  it('rejects an unknown judge, listing the judges', () => {
    assert.throws(() => createJudgeScorer('nope', new ScriptedGenerator(() => '')), (err: Error) => JUDGES.every((j) => err.message.includes(j.name)) && err.message.includes('"nope"'));
  });

  it('needs principles for the rubric judge and a score rubric for prometheus', () => {
    const g = new ScriptedGenerator(() => '');
    assert.throws(() => createJudgeScorer('rubric', g), /needs a rubric file/);
    const score: ScoreRubric = { kind: 'score', criteria: 'c', descriptions: ['1', '2', '3', '4', '5'] };
    const principles: PrincipleRubric = { kind: 'principles', principles: [{ text: 'p', weight: 1 }] };
    assert.throws(() => createJudgeScorer('rubric', g, { rubric: score }), /list of principles/);
    assert.throws(() => createJudgeScorer('prometheus', g, { rubric: principles }), /takes a score rubric/);
  });

  it('names the judge, the generator and (when used) the rubric in its id', () => {
    const g = new ScriptedGenerator(() => '');
    const s = createJudgeScorer('thinkprm', g);
    assert.equal(s.id, 'judge:thinkprm:fake-gen');
    assert.equal(s.granularity, 'step');
    assert.match(s.description, /ThinkPRM/);
    assert.match(s.description, /scripted test generator/);
    assert.equal(createJudgeScorer('pairwise', g).granularity, 'sequence');
    const r1: PrincipleRubric = { kind: 'principles', principles: [{ text: 'p', weight: 1 }] };
    const r2: PrincipleRubric = { kind: 'principles', principles: [{ text: 'q', weight: 1 }] };
    const id1 = createJudgeScorer('rubric', g, { rubric: r1 }).id;
    assert.match(id1, /^judge:rubric:fake-gen:[0-9a-f]{8}$/);
    assert.notEqual(id1, createJudgeScorer('rubric', g, { rubric: r2 }).id);
    // A judge that does not use a rubric ignores one.
    assert.equal(createJudgeScorer('arena-hard', g, { rubric: r1 }).id, 'judge:arena-hard:fake-gen');
  });

  it('registers every judge by name', () => {
    assert.deepEqual(
      JUDGES.map((j) => j.name),
      ['thinkprm', 'processbench-critic', 'pairwise', 'arena-hard', 'rm-r1', 'prometheus', 'rubric'],
    );
    assert.equal(findJudge('rm-r1')?.kind, 'pair');
    assert.equal(findJudge('prometheus')?.kind, 'single-or-pair');
    assert.equal(findJudge('missing'), undefined);
  });
});

describe('createJudgeScorer: steps judges', () => {
  it('thinkprm: step verdicts, critiques and the solution score from the text', async () => {
    const g = new ScriptedGenerator(() => THINK_OUTPUT);
    const [r] = await createJudgeScorer('thinkprm', g, { maxTokens: 300, temperature: 0.6, topP: 0.95, seed: 7 }).score([TRACE]);
    assert.deepEqual(
      r?.steps.map((s) => [s.score, s.verdict, s.source]),
      [
        [1, 'correct', 'verdict'],
        [0, 'incorrect', 'verdict'],
      ],
    );
    assert.equal(r?.steps[1]?.critique, 'Step 2: 2 + 12 is 14, not 15. \\boxed{incorrect}');
    assert.equal(r?.sequenceScore, 0);
    assert.equal(r?.device, 'test-device');
    assert.equal(r?.judge?.name, 'thinkprm');
    assert.equal(r?.judge?.model, 'judge-model');
    assert.equal(r?.judge?.text, THINK_OUTPUT);
    assert.equal(r?.judge?.verdict, 'No');
    // One generation with the ThinkPRM prompt and the options passed through.
    assert.equal(g.calls.length, 1);
    assert.match(userText(g.calls[0] ?? { messages: [], maxTokens: 0 }), /^You are given a math problem/);
    assert.deepEqual([g.calls[0]?.maxTokens, g.calls[0]?.temperature, g.calls[0]?.topP, g.calls[0]?.seed], [300, 0.6, 0.95, 7]);
    const span = r?.judge?.stepSpans?.[0];
    assert.equal(THINK_OUTPUT.slice(span?.start, span?.end), 'Step 1: 3×4 = 12 is right. \\boxed{correct}\n');
  });

  it('thinkprm: scores from verdict-token log-probabilities when the generator has them', async () => {
    const c = THINK_OUTPUT.indexOf('correct}');
    const g = new ScriptedGenerator(
      () => ({ text: THINK_OUTPUT, finish: 'stop', tokens: tokensWith(THINK_OUTPUT, c, 'correct'.length, [['incorrect', 0.25]], 0.75) }),
      true,
    );
    const [r] = await createJudgeScorer('thinkprm', g).score([TRACE]);
    assert.equal(r?.steps[0]?.score, 0.75);
    assert.equal(r?.steps[0]?.source, 'logprob');
    // Step 2's verdict lies in a token with no alternatives: only the chosen side is seen, so P(correct) = 0.
    assert.deepEqual([r?.steps[1]?.score, r?.steps[1]?.source], [0, 'logprob']);
    assert.equal(r?.judge?.source, 'logprob');
  });

  it('thinkprm: asks "Is the solution correct?" in a follow-up when the output lacks it', async () => {
    const cut = '\nStep 1: fine \\boxed{correct}\nStep 2: fine \\boxed{correct}\n';
    const g = new ScriptedGenerator((_req, call) => (call === 0 ? { text: cut, finish: 'length' } : { text: ' Yes', finish: 'length', tokens: [{ text: ' Yes', logprob: Math.log(0.6), top: [{ token: ' No', logprob: Math.log(0.2) }] }] }), true);
    const [r] = await createJudgeScorer('thinkprm', g).score([TRACE]);
    assert.equal(g.calls.length, 2);
    assert.equal(g.calls[1]?.assistantPrefix, `\nLet's verify step by step:${cut}\nIs the solution correct?`);
    assert.equal(g.calls[1]?.maxTokens, 1);
    assert.deepEqual(g.calls[1]?.verdictWords, ['Yes', 'No']);
    assert.deepEqual(g.calls[1]?.messages, g.calls[0]?.messages);
    assert.ok(Math.abs((r?.sequenceScore ?? NaN) - 0.75) < 1e-12); // 0.6 / (0.6 + 0.2)
    assert.equal(r?.judge?.truncated, true);
    assert.equal(r?.judge?.text, `${cut}\nIs the solution correct? Yes`);
  });

  it('processbench-critic: verdicts from the earliest-error index', async () => {
    const g = new ScriptedGenerator(() => 'Paragraph 0: right.\nParagraph 1: 2 + 12 is 14.\n\\boxed{1}');
    const [r] = await createJudgeScorer('processbench-critic', g).score([{ ...TRACE, steps: [...TRACE.steps, 'So 15.'] }]);
    assert.deepEqual(
      r?.steps.map((s) => s.verdict),
      ['correct', 'incorrect', 'not-judged'],
    );
    assert.match(userText(g.calls[0] ?? { messages: [], maxTokens: 0 }), /<paragraph_2>\nSo 15\.\n<\/paragraph_2>/);
  });

  it('scores no request without steps', async () => {
    const g = new ScriptedGenerator(() => '');
    const [r] = await createJudgeScorer('thinkprm', g).score([{ prompt: 'p', steps: [] }]);
    assert.equal(g.calls.length, 0);
    assert.deepEqual(r?.steps, []);
    assert.equal(r?.warnings?.length, 1);
  });
});

describe('createJudgeScorer: pair judges', () => {
  /** A consistent critic: prefers whichever answer says "good". */
  const fair: Script = (req) => {
    const u = userText(req);
    return u.indexOf('good') < u.indexOf("[The End of Assistant A's Answer]") ? 'A is better. [[A]]' : 'B is better. [[B]]';
  };

  it('runs both orders once per pair and scores a consistent win 1 vs 0', async () => {
    const g = new ScriptedGenerator(fair);
    const [chosen, rejected] = await createJudgeScorer('pairwise', g).score(pairRequests(['good answer', 'bad answer']));
    assert.equal(g.calls.length, 2); // (good, bad) and (bad, good), shared by both requests
    assert.equal(chosen?.sequenceScore, 1);
    assert.equal(rejected?.sequenceScore, 0);
    assert.deepEqual([chosen?.judge?.orderAb, chosen?.judge?.orderBa, chosen?.judge?.consistent], ['A', 'B', true]);
    assert.deepEqual([rejected?.judge?.orderAb, rejected?.judge?.orderBa, rejected?.judge?.consistent], ['B', 'A', true]);
    assert.equal(chosen?.judge?.textBa, 'B is better. [[B]]');
    assert.deepEqual(chosen?.steps, []);
  });

  it('scores a position-biased judge 0.5 / 0.5', async () => {
    const g = new ScriptedGenerator(() => '[[A]]');
    const [a, b] = await createJudgeScorer('pairwise', g).score(pairRequests(['good answer', 'bad answer']));
    assert.deepEqual([a?.sequenceScore, b?.sequenceScore], [0.5, 0.5]);
    assert.equal(a?.judge?.consistent, false);
  });

  it('averages P(A) vs P(B) at the verdict letter over the games', async () => {
    const g = new ScriptedGenerator((req) => {
      const text = '[[A]]';
      const pA = userText(req).indexOf('good') < userText(req).indexOf('bad') ? 0.9 : 0.3;
      return { text, finish: 'stop', tokens: tokensWith(text, 2, 1, [['B', 1 - pA]], pA) };
    }, true);
    const [good, bad] = await createJudgeScorer('pairwise', g).score(pairRequests(['good answer', 'bad answer']));
    // good: (0.9 + (1 − 0.3)) / 2 = 0.8; bad: ((1 − 0.9) + 0.3) / 2 = 0.2
    assert.ok(Math.abs((good?.sequenceScore ?? NaN) - 0.8) < 1e-12, String(good?.sequenceScore));
    assert.ok(Math.abs((bad?.sequenceScore ?? NaN) - 0.2) < 1e-12, String(bad?.sequenceScore));
    assert.equal(good?.judge?.source, 'logprob');
  });

  it('judges each response of a larger set against every sibling, in both orders', async () => {
    const g = new ScriptedGenerator((req) => {
      const u = userText(req);
      const rank = (s: string): number => (s.includes('best') ? 3 : s.includes('mid') ? 2 : 1);
      const a = u.slice(u.indexOf("Assistant A's Answer]\n"), u.indexOf("[The End of Assistant A's Answer]"));
      const b = u.slice(u.indexOf("Assistant B's Answer]\n"), u.indexOf("[The End of Assistant B's Answer]"));
      return rank(a) > rank(b) ? '[[A]]' : '[[B]]';
    });
    const results = await createJudgeScorer('pairwise', g).score(pairRequests(['mid', 'best', 'low']));
    assert.equal(g.calls.length, 6); // 3 pairs × 2 orders
    assert.deepEqual(
      results.map((r) => r.sequenceScore),
      [0.5, 1, 0],
    );
  });

  it('arena-hard: five-way verdicts with a system prompt', async () => {
    const g = new ScriptedGenerator((req) => (userText(req).indexOf('good') < userText(req).indexOf('bad') ? 'My final verdict is: [[A>>B]]' : 'My final verdict is tie: [[A=B]]'));
    const [good, bad] = await createJudgeScorer('arena-hard', g).score(pairRequests(['good', 'bad']));
    assert.equal(g.calls[0]?.messages[0]?.role, 'system');
    // good: A>>B as A → 1, A=B as B → 0.5; bad: 0 and 0.5.
    assert.deepEqual([good?.sequenceScore, bad?.sequenceScore], [0.75, 0.25]);
    assert.deepEqual([good?.judge?.orderAb, good?.judge?.orderBa], ['A>>B', 'A=B']);
  });

  it('rm-r1: an answer naming both letters is no verdict', async () => {
    const g = new ScriptedGenerator(() => '<eval>…</eval>\n<answer>[[A]] [[B]]</answer>');
    const [a] = await createJudgeScorer('rm-r1', g).score(pairRequests(['x', 'y']));
    assert.equal(a?.sequenceScore, undefined);
    assert.deepEqual(a?.judge?.unaligned, ['<answer>[[A]] [[B]]</answer>', '<answer>[[A]] [[B]]</answer>']);
    assert.equal(a?.judge?.verdict, null);
  });

  it('warns and does not score a pair judge\'s request without siblings', async () => {
    const g = new ScriptedGenerator(() => '[[A]]');
    const [r] = await createJudgeScorer('pairwise', g).score([TRACE]);
    assert.equal(g.calls.length, 0);
    assert.equal(r?.sequenceScore, undefined);
    assert.match(r?.warnings?.[0] ?? '', /no other response/);
  });
});

describe('createJudgeScorer: single-response judges', () => {
  it('prometheus grades one response absolutely and a preference pair relatively', async () => {
    const g = new ScriptedGenerator((req) => (userText(req).includes('###Response A:') ? 'Feedback: A is right. [RESULT] A' : 'Feedback: fine. [RESULT] 4'));
    const scorer = createJudgeScorer('prometheus', g);
    const [single] = await scorer.score([{ ...TRACE, reference: '14' }]);
    assert.equal(single?.sequenceScore, 0.75);
    assert.match(userText(g.calls[0] ?? { messages: [], maxTokens: 0 }), /###Response to evaluate:\n3×4 = 12\.\n\n2 \+ 12 = 15\.\n\n###Reference Answer \(Score 5\):\n14/);
    const pair = await scorer.score(pairRequests(['one', 'two']));
    assert.deepEqual(
      pair.map((r) => r.sequenceScore),
      [0.5, 0.5],
    );
  });

  it('rubric: weighted share of principles from the judge\'s yes/no lines', async () => {
    const rubric: PrincipleRubric = {
      kind: 'principles',
      principles: [
        { text: 'Gives 14', weight: 3 },
        { text: 'Explains order of operations', weight: 1 },
      ],
    };
    const g = new ScriptedGenerator(() => 'Principle 1: no - says 15\nPrinciple 2: yes - multiplies first');
    const [r] = await createJudgeScorer('rubric', g, { rubric }).score([TRACE]);
    assert.equal(r?.sequenceScore, 0.25);
    assert.deepEqual(
      r?.judge?.principles?.map((p) => p.satisfied),
      [false, true],
    );
  });
});

describe('createJudgeScorer: running', () => {
  it('keeps request order when generations finish out of order, within the concurrency limit', async () => {
    const g = new ScriptedGenerator(async (req) => {
      const n = Number(/Problem\]\n\n(\d+)/.exec(userText(req))?.[1]);
      await delay(n === 0 ? 30 : 1);
      return `Step 1: \\boxed{${n % 2 === 0 ? 'correct' : 'incorrect'}}\nIs the solution correct? Yes`;
    });
    const requests = [0, 1, 2, 3, 4].map((n) => ({ prompt: String(n), steps: ['s'] }));
    const results = await createJudgeScorer('thinkprm', g, { concurrency: 2 }).score(requests);
    assert.deepEqual(
      results.map((r) => r.steps[0]?.verdict),
      ['correct', 'incorrect', 'correct', 'incorrect', 'correct'],
    );
    assert.equal(g.maxInFlight, 2);
  });

  it('reports progress with the request index', async () => {
    const seen: [number, string][] = [];
    const g = new ScriptedGenerator((req) => `Step 1: \\boxed{correct} for ${/Problem\]\n\n(\w+)/.exec(userText(req))?.[1]}\nIs the solution correct? Yes`);
    await createJudgeScorer('thinkprm', g, { onProgress: (p) => seen.push([p.requestIndex, p.delta]) }).score([
      { prompt: 'a', steps: ['s'] },
      { prompt: 'b', steps: ['s'] },
    ]);
    assert.deepEqual(
      seen.sort(),
      [
        [0, 'Step 1: \\boxed{correct} for a\nIs the solution correct? Yes'],
        [1, 'Step 1: \\boxed{correct} for b\nIs the solution correct? Yes'],
      ],
    );
  });

  it('rejects with the generator\'s error', async () => {
    const g = new ScriptedGenerator(() => {
      throw new Error('server said 500: overloaded');
    });
    await assert.rejects(createJudgeScorer('thinkprm', g).score([TRACE]), /server said 500: overloaded/);
  });

  it('rejects with an AbortError when aborted before or during generation', async () => {
    const before = new AbortController();
    before.abort();
    const idle = new ScriptedGenerator(() => '');
    await assert.rejects(createJudgeScorer('thinkprm', idle).score([TRACE], before.signal), { name: 'AbortError' });
    assert.equal(idle.calls.length, 0);

    // A local generator returns what it has with finish "cancelled" once the signal fires.
    const during = new AbortController();
    const g = new ScriptedGenerator(
      (_req, _call, signal) =>
        new Promise<Reply>((resolve) => {
          signal?.addEventListener('abort', () => resolve({ text: 'Step 1: \\boxed{correct}', finish: 'cancelled' }));
        }),
    );
    const pending = createJudgeScorer('thinkprm', g).score([TRACE, TRACE], during.signal);
    await delay(5);
    during.abort();
    await assert.rejects(pending, { name: 'AbortError' });
  });
});
