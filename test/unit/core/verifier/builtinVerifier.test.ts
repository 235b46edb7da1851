import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ScoreRequest, StepScore } from '../../../../src/core/scoring/scorer.js';
import { checkArithmetic } from '../../../../src/core/verifier/arithmetic.js';
import { answerInText } from '../../../../src/core/text/finalAnswer.js';
import { answersMatch } from '../../../../src/core/verifier/answers.js';
import { BUILTIN_SCORES, createBuiltinVerifier, verifyRequest } from '../../../../src/core/verifier/builtinVerifier.js';
import { readSample, samplesAvailable } from '../../helpers.js';

const ok = (score: number): StepScore => ({ score });
const bad = (score: number, critique: string): StepScore => ({ score, critique });

/** Scores and critiques only (`checks` is tested on its own). */
const scoresOf = (steps: readonly StepScore[]): StepScore[] => steps.map((s) => (s.critique !== undefined ? bad(s.score, s.critique) : ok(s.score)));

function verify(steps: readonly string[], extra: Partial<ScoreRequest> = {}): readonly StepScore[] {
  return scoresOf(verifyRequest({ prompt: 'p', steps, ...extra }).steps);
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** The BUZZ record's five steps (Math-Shepherd / TRL stepwise line 2), verbatim. */
const BUZZ = [
  'Step 1: The total ratio representing the pizza is 5+8 = <<5+8=13>>13.',
  'Step 2: The waiter ate 13 x 8 / 13 = <<13*8/13=6>>6 slices of the pizza.',
  'Step 3: Buzz ate 78 - 6 = <<78-6=72>>72 slices of the pizza.',
  'Step 4: The waiter ate 20 less than the number of slices that Buzz ate which is 72 - 20 = 52.',
  'Step 5: The waiter ate 52 slices of the pizza. The answer is: 52',
];
// By hand: the waiter's share is 8/13 of 78 = 48 slices; twenty less is 28.
const BUZZ_EXPECTED = [
  ok(1),
  bad(0.05, 'Step 2: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8.'),
  ok(1),
  ok(1),
  bad(0.05, 'Step 5: final answer "52" does not match the reference "28".'),
];

describe('verifyRequest', () => {
  it('scores the Buzz trace: one wrong product, a wrong final answer', () => {
    assert.deepEqual(verify(BUZZ, { reference: '28' }), BUZZ_EXPECTED);
    // Without a reference the last step has nothing checkable.
    assert.deepEqual(verify(BUZZ).map((s) => s.score), [1, 0.05, 1, 1, 0.9]);
  });

  it('writes every failed check of a step, joined by a space', () => {
    const steps = ['Step 1: The waiter ate 13 x 8 / 13 = 6 slices, and 2 + 2 = 5.', 'Step 2: The waiter ate 13 x 8 / 13 = 6 slices, and 2 + 2 = 5.'];
    assert.deepEqual(verify(steps, { reference: '8' }), [
      bad(0.05, 'Step 1: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8. Step 1: wrote "2 + 2 = 5" but 2 + 2 = 4.'),
      bad(
        0.05,
        'Step 2: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8. Step 2: wrote "2 + 2 = 5" but 2 + 2 = 4. Step 2 repeats step 1.',
      ),
    ]);
  });

  it('scores a repeated step 0.25', () => {
    const steps = ['We count the red flamingos in the yard.', 'There are 18 of them.', 'We count the red flamingos in the yard.'];
    assert.deepEqual(verify(steps), [ok(0.9), ok(0.9), bad(0.25, 'Step 3 repeats step 1.')]);
  });

  it('writes rounding, expression and percentage critiques', () => {
    assert.deepEqual(verify(['Each gets 10/3 = 3.34 cups.']), [bad(0.05, 'Step 1: wrote "10/3 = 3.34" but 10/3 ≈ 3.33.')]);
    assert.deepEqual(verify(['Each gets 10/3 = 3 cups.']), [bad(0.05, 'Step 1: wrote "10/3 = 3" but 10/3 ≈ 3.33.')]);
    assert.deepEqual(verify(['so 1/8 = 0.14']), [bad(0.05, 'Step 1: wrote "1/8 = 0.14" but 1/8 = 0.125 ≈ 0.13.')]);
    assert.deepEqual(verify(['so 2/3 ≈ 0.5']), [bad(0.05, 'Step 1: wrote "2/3 ≈ 0.5" but 2/3 ≈ 0.7.')]);
    assert.deepEqual(verify(['so 2 + 3 = 1 + 5']), [bad(0.05, 'Step 1: wrote "2 + 3 = 1 + 5" but 2 + 3 = 5 and 1 + 5 = 6.')]);
    assert.deepEqual(verify(['The tip is 15% of $200 = $35.']), [bad(0.05, 'Step 1: wrote "15% of $200 = $35" but 15% of 200 = 30.')]);
    assert.deepEqual(verify(['\\(\\frac{3}{4} \\times 8 = 5\\)']), [bad(0.05, 'Step 1: wrote "\\frac{3}{4} \\times 8 = 5" but 3/4 × 8 = 6.')]);
    assert.deepEqual(verify(['He bought <<3*4=12>>13 apples.']), [bad(0.05, 'Step 1: wrote "<<3*4=12>>13" but 3 × 4 = 12.')]);
  });

  it('checks the final answer where it is stated, or on the last step', () => {
    assert.deepEqual(verify(['So the answer is 5.', 'Let me double-check: done.'], { reference: '6' }), [
      bad(0.05, 'Step 1: final answer "5" does not match the reference "6".'),
      ok(0.9),
    ]);
    // The request's own answer wins over text; it sits on the last step when no step states one.
    assert.deepEqual(verify(['We add.', 'We are done.'], { answer: '7', reference: '\\boxed{7}' }), [ok(0.9), ok(1)]);
    assert.deepEqual(verify(['We add.', 'We are done.'], { answer: '7', reference: '8' }), [
      ok(0.9),
      bad(0.05, 'Step 2: final answer "7" does not match the reference "8".'),
    ]);
    // No answer anywhere: nothing to compare.
    assert.deepEqual(verify(['We add.', 'We are done.'], { reference: '8' }), [ok(0.9), ok(0.9)]);
    // A matching answer after normalisation is a passed check.
    assert.deepEqual(verify(['The answer is \\boxed{\\dfrac{1}{2}}'], { reference: '0.5' }), [ok(1)]);
  });

  it('says which checks applied to each step', () => {
    const result = verifyRequest({ prompt: 'p', steps: BUZZ, reference: '28' });
    assert.deepEqual(
      result.steps.map((s) => s.checks),
      [['arithmetic', 'repeat'], ['arithmetic', 'repeat'], ['arithmetic', 'repeat'], ['arithmetic', 'repeat'], ['final-answer', 'repeat']],
    );
    const off = verifyRequest({ prompt: 'p', steps: BUZZ }, { repeats: false });
    assert.deepEqual(
      off.steps.map((s) => s.checks),
      [['arithmetic'], ['arithmetic'], ['arithmetic'], ['arithmetic'], []],
    );
  });

  it('finds the final answer in the visible answer first when the request says which steps are the answer', () => {
    const steps = ['Maybe \\boxed{3}? Let me check.', 'So it is 4.', 'The answer is 4.'];
    const request: ScoreRequest = { prompt: 'p', steps, parts: ['reasoning', 'reasoning', 'answer'], reference: '4' };
    assert.deepEqual(scoresOf(verifyRequest(request).steps), [ok(0.9), ok(0.9), ok(1)]);
    // Without parts the boxed answer is the strongest statement.
    assert.deepEqual(verify(steps, { reference: '4' })[0], bad(0.05, 'Step 1: final answer "3" does not match the reference "4".'));
  });

  it('turns checks off by option', () => {
    const request: ScoreRequest = { prompt: 'p', steps: BUZZ, reference: '28' };
    assert.deepEqual(verifyRequest(request, { arithmetic: false }).steps.map((s) => s.score), [0.9, 0.9, 0.9, 0.9, 0.05]);
    assert.deepEqual(verifyRequest(request, { finalAnswer: false }).steps.map((s) => s.score), [1, 0.05, 1, 1, 0.9]);
    const repeated = { prompt: 'p', steps: ['We count the red flamingos in the yard.', 'We count the red flamingos in the yard.'] };
    assert.deepEqual(scoresOf(verifyRequest(repeated, { repeats: false }).steps), [ok(0.9), ok(0.9)]);
    assert.deepEqual(scoresOf(verifyRequest(repeated, { repeatMinChars: 100 }).steps), [ok(0.9), ok(0.9)]);
  });

  it('answers an empty trace with no steps', () => {
    assert.deepEqual(verifyRequest({ prompt: 'p', steps: [], reference: '1' }), { steps: [], device: 'builtin' });
  });

  it('documents the scale it uses', () => {
    assert.deepEqual(BUILTIN_SCORES, { arithmeticError: 0.05, wrongAnswer: 0.05, repeat: 0.25, verified: 1, unverified: 0.9 });
  });
});

describe('verifyRequest: property', () => {
  const ops = ['+', '-', '*', '×', 'x', '\\times', '\\cdot', '/'] as const;
  const exact = (a: number, op: (typeof ops)[number], b: number): number => {
    if (op === '+') return a + b;
    if (op === '-') return a - b;
    if (op === '/') return a / b;
    return a * b;
  };
  const arb = fc
    .record({ a: fc.integer({ min: -100000, max: 100000 }), b: fc.integer({ min: -1000, max: 1000 }), op: fc.constantFrom(...ops) })
    // Division only where it comes out whole, so `= correct + 1` is an integer too.
    .map(({ a, b, op }) => (op === '/' ? { a: a * (b === 0 ? 1 : b), b: b === 0 ? 1 : b, op } : { a, b, op }));

  it('never critiques `a op b = correct`, always critiques `= correct + 1`', () => {
    fc.assert(
      fc.property(arb, ({ a, b, op }) => {
        const right = b < 0 ? `(${b})` : `${b}`;
        const correct = exact(a, op, b);
        for (const [pre, post] of [['', ''], ['So ', ' apples.']]) {
          const good = verify([`${pre}${a} ${op} ${right} = ${correct}${post}`]);
          const wrong = verify([`${pre}${a} ${op} ${right} = ${correct + 1}${post}`]);
          assert.deepEqual(good, [ok(1)]);
          assert.equal(wrong[0]?.score, 0.05);
          assert.equal(wrong[0]?.critique?.endsWith(` = ${correct}.`), true, wrong[0]?.critique);
          assert.equal(wrong[0]?.critique?.startsWith(`Step 1: wrote "${a} ${op} ${right} = ${correct + 1}" but `), true, wrong[0]?.critique);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('createBuiltinVerifier', () => {
  it('is the `builtin` step scorer', async () => {
    const scorer = createBuiltinVerifier();
    assert.equal(scorer.id, 'builtin');
    assert.equal(scorer.granularity, 'step');
    assert.match(scorer.description, /Built-in verifier/);
    const results = await scorer.score([
      { prompt: 'a', steps: ['2 + 2 = 5'] },
      { prompt: 'b', steps: ['2 + 2 = 4'] },
      { prompt: 'c', steps: [] },
    ]);
    assert.deepEqual(results, [
      { steps: [{ ...bad(0.05, 'Step 1: wrote "2 + 2 = 5" but 2 + 2 = 4.'), checks: ['arithmetic', 'repeat'] }], device: 'builtin' },
      { steps: [{ ...ok(1), checks: ['arithmetic', 'repeat'] }], device: 'builtin' },
      { steps: [], device: 'builtin' },
    ]);
    await scorer.dispose();
  });

  it('passes its options on', async () => {
    const scorer = createBuiltinVerifier({ arithmetic: false });
    const [result] = await scorer.score([{ prompt: 'a', steps: ['2 + 2 = 5'] }]);
    assert.deepEqual(result?.steps, [{ ...ok(0.9), checks: ['repeat'] }]);
  });

  it('rejects with an AbortError when aborted before the batch', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(createBuiltinVerifier().score([{ prompt: 'a', steps: ['1 + 1 = 2'] }], controller.signal), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'AbortError');
      return true;
    });
  });

  it('rejects with an AbortError when aborted between requests', async () => {
    let reads = 0;
    // Aborted from the second look on, i.e. after the first request.
    const signal = {
      get aborted(): boolean {
        reads++;
        return reads > 1;
      },
      reason: undefined,
    } as unknown as AbortSignal;
    const requests = [
      { prompt: 'a', steps: ['1 + 1 = 2'] },
      { prompt: 'b', steps: ['1 + 1 = 2'] },
    ];
    await assert.rejects(createBuiltinVerifier().score(requests, signal), { name: 'AbortError' });
    assert.equal(reads, 2);
  });

  it('honours an abort fired while a long batch is running', async () => {
    const controller = new AbortController();
    const long = 'So 12345 × 6789 = 83810205 and 83810205 - 5 = 83810200. '.repeat(200);
    const requests = Array.from({ length: 2000 }, () => ({ prompt: 'p', steps: [long] }));
    setTimeout(() => controller.abort(), 1);
    await assert.rejects(createBuiltinVerifier().score(requests, controller.signal), { name: 'AbortError' });
  });
});

describe('shared samples', { skip: !samplesAvailable() }, () => {
  it('Math-Shepherd: the Buzz record', () => {
    const [record] = jsonLines(readSample('math_shepherd.jsonl') ?? '') as { input: string; label: string; task: string }[];
    assert.ok(record);
    assert.equal(record.task, 'GSM8K');
    const steps = record.input
      .slice(record.input.indexOf('Step 1:'))
      .split(' ки')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    assert.deepEqual(steps, BUZZ);
    const labels = record.label
      .slice(record.label.indexOf('Step 1:'))
      .split('\n')
      .map((s) => s.slice(-1));
    assert.deepEqual(labels, ['+', '-', '-', '-', '-']);
    // The verifier's first low step is the dataset's first `-` step.
    const scores = verify(steps, { reference: '28' });
    assert.deepEqual(scores, BUZZ_EXPECTED);
    assert.equal(
      scores.findIndex((s) => s.score < 0.5),
      labels.indexOf('-'),
    );
  });

  it('TRL stepwise: three records', () => {
    const records = jsonLines(readSample('trl_stepwise.jsonl') ?? '') as { prompt: string; completions: string[]; labels: boolean[] }[];
    assert.equal(records.length, 3);
    const [musa, buzz, larger] = records;
    assert.ok(musa && buzz && larger);
    // Musa: 45 students, a third (15) and two-fifths (18): the third group is 45 − 15 − 18 = 12.
    assert.deepEqual(musa.labels, [true, false, false]);
    assert.deepEqual(verify(musa.completions, { prompt: musa.prompt, reference: '12' }), [
      bad(0.05, 'Step 1: wrote "11 - 1/3 = 7" but 11 - 1/3 = 32/3 ≈ 10.67.'),
      bad(0.05, 'Step 2: wrote "2/5 * 11 = 8" but 2/5 × 11 = 4.4.'),
      bad(0.05, 'Step 3: wrote "45 - 7 - 8 = 20" but 45 - 7 - 8 = 30. Step 3: final answer "20" does not match the reference "12".'),
    ]);
    assert.deepEqual(buzz.completions, BUZZ);
    assert.deepEqual(verify(buzz.completions, { reference: '28' }), BUZZ_EXPECTED);
    // 9.8 vs 9.11: the error is in words, with nothing to re-evaluate.
    assert.deepEqual(larger.labels, [true, false]);
    assert.deepEqual(verify(larger.completions, { prompt: larger.prompt }), [ok(0.9), ok(0.9)]);
  });

  it('ProcessBench gsm8k-0: right arithmetic, wrong reasoning, wrong answer', () => {
    const [record] = JSON.parse(readSample('processbench.json') ?? '[]') as { id: string; steps: string[]; label: number; final_answer_correct: boolean }[];
    assert.ok(record);
    assert.equal(record.id, 'gsm8k-0');
    assert.equal(record.label, 1);
    assert.equal(record.final_answer_correct, false);
    assert.equal(record.steps.length, 4);
    // Step 2 holds three equations, all arithmetically right (the error is putting 12 + 6 pink).
    assert.deepEqual(
      checkArithmetic(record.steps[1] ?? '').map((f) => [f.expression, f.written, f.expected, f.ok]),
      [
        ['1/3 × 18', '1/3 \\times 18 = 6', '6', true],
        ['18 - 6', '18 - 6 = 12', '12', true],
        ['12 + 6', '12 + 6 = 18', '18', true],
      ],
    );
    for (const f of checkArithmetic(record.steps[1] ?? '')) {
      assert.equal(record.steps[1]?.slice(f.span.start, f.span.end), f.written);
    }
    assert.deepEqual(
      checkArithmetic(record.steps[2] ?? '').map((f) => [f.written, f.ok]),
      [['18 + 18 = 36', true]],
    );
    assert.deepEqual(
      checkArithmetic(record.steps[3] ?? '').map((f) => [f.written, f.ok]),
      [['36 - 6 = 30', true]],
    );
    assert.equal(answerInText(record.steps[3] ?? '')?.text, '30');
    // By hand: 18 pink; a third (6) repainted white; 18 more pink: 30 pink and 6 white, 24 more pink.
    assert.deepEqual(verify(record.steps, { reference: '24' }), [
      ok(0.9),
      ok(1),
      ok(1),
      bad(0.05, 'Step 4: final answer "30" does not match the reference "24".'),
    ]);
    assert.deepEqual(verify(record.steps), [ok(0.9), ok(1), ok(1), ok(1)]);
  });

  it('PRM800K: a wrong seating count and a pencil price', () => {
    const [phase2, phase1] = jsonLines(readSample('prm800k.jsonl') ?? '') as {
      question: { pre_generated_steps?: string[]; pre_generated_answer?: string; ground_truth_answer?: string; ground_truth_solution?: string };
      label: { steps: { completions: { text: string }[] | null; human_completion: { text: string } | null }[] };
    }[];
    assert.ok(phase2 && phase1);
    const q = phase2.question;
    const steps = q.pre_generated_steps ?? [];
    assert.equal(steps.length, 13);
    assert.equal(q.pre_generated_answer, '7200');
    assert.equal(q.ground_truth_answer, '28800');
    // Checks ran in steps 4, 8 and 12 ((3-1)! = 2! = 2, 5!/2 = 60, 2 x 60 x 60 x 1 = 7200), all right.
    const expected = steps.map(() => ok(0.9));
    expected[3] = ok(1);
    expected[7] = ok(1);
    expected[11] = ok(1);
    expected[12] = bad(0.05, 'Step 13: final answer "7200" does not match the reference "28800".');
    assert.deepEqual(verify(steps, { answer: q.pre_generated_answer ?? '', reference: q.ground_truth_answer ?? '' }), expected);
    // The reference solution's own chain checks out, and its boxed answer is the reference.
    const solution = q.ground_truth_solution ?? '';
    assert.deepEqual(
      checkArithmetic(solution).map((f) => [f.expression, f.expected, f.ok]),
      [
        ['2 × 5! × 5!', '28800', true],
        ['2 × 120 × 120', '28800', true],
      ],
    );
    assert.ok(answersMatch(answerInText(solution)?.text ?? '', '28800'));

    // Phase 1: every completion is algebra in p and e; none is arithmetic over numbers alone.
    const texts = phase1.label.steps.flatMap((s) => [...(s.completions ?? []).map((c) => c.text), ...(s.human_completion ? [s.human_completion.text] : [])]);
    assert.equal(texts.length, 15);
    for (const t of texts) assert.deepEqual(checkArithmetic(t), [], t);
    assert.equal(phase1.question.ground_truth_answer, '29');
    assert.equal(answerInText('So the price of a pencil is 29 cents.\n\n# Answer\n\n29')?.text, '29');
    assert.ok(texts.includes('So the price of a pencil is 29 cents.\n\n# Answer\n\n29'));
  });

  it('PRM800K scored sample: 7i - 2 is -2+7i', () => {
    const [record] = jsonLines(readSample('prm800k_scored_samples.jsonl') ?? '') as { steps: string[]; answer: string; ground_truth_answer: string; is_correct: boolean }[];
    assert.ok(record);
    assert.equal(record.steps.length, 4);
    assert.equal(record.is_correct, true);
    assert.deepEqual(verify(record.steps, { answer: record.answer, reference: record.ground_truth_answer }), [ok(0.9), ok(0.9), ok(0.9), ok(1)]);
    assert.deepEqual(verify(record.steps, { answer: record.answer, reference: '7i + 2' }).at(-1), bad(0.05, 'Step 4: final answer "7i - 2" does not match the reference "7i + 2".'));
  });

  it('JudgeBench: the halving arithmetic of both responses checks out', () => {
    const records = jsonLines(readSample('judgebench.jsonl') ?? '') as { response_A: string; response_B: string }[];
    assert.equal(records.length, 2);
    const second = records[1];
    assert.ok(second);
    const brief = (t: string): [string, string, boolean][] => checkArithmetic(t).map((f) => [f.written, f.expected, f.ok]);
    assert.deepEqual(brief(second.response_A), [
      ['\\frac{0.1}{2} = 0.05', '0.05', true],
      ['\\frac{0.05}{2} = 0.025', '0.025', true],
      ['10 = 2 \\cdot 5', '10', true],
      ['\\frac{0.1}{32} = 0.003125', '0.003125', true],
    ]);
    assert.deepEqual(brief(second.response_B), [
      ['2 \\cdot 0.1 = 0.2', '0.2', true],
      ['2 \\cdot 0.2 = 0.4', '0.4', true],
      ['2 \\cdot 0.4 = 0.8', '0.8', true],
      ['2 \\cdot 0.8 = 1.6', '1.6', true],
      ['2 \\cdot 1.6 = 3.2', '3.2', true],
    ]);
  });

  it('raises no false alarm anywhere in the chat, preference and log samples', () => {
    const files = [
      'judgebench.jsonl',
      'judgebench_rm_output.jsonl',
      'hh_rlhf.jsonl',
      'openai_chat_messages.jsonl',
      'inspect_log_read_sample.json',
      'r1_trace_openai_chat_vllm.json',
      'trl_preference_conversational.jsonl',
      'trl_preference_docs.jsonl',
      'prm800k_scored_samples.jsonl',
    ];
    for (const file of files) {
      const text = readSample(file) ?? '';
      const values = file.endsWith('.jsonl') ? jsonLines(text) : [JSON.parse(text) as unknown];
      const strings: string[] = [];
      const walk = (v: unknown): void => {
        if (typeof v === 'string') strings.push(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
      };
      values.forEach(walk);
      assert.ok(strings.length > 0, file);
      for (const s of strings) {
        const failed = checkArithmetic(s).filter((f) => !f.ok);
        assert.deepEqual(failed, [], `${file}: ${s.slice(0, 80)}`);
      }
    }
  });

  it('RM-Bench: the tip arithmetic of the chosen answers checks out', () => {
    const [record] = JSON.parse(readSample('rm_bench.json') ?? '[]') as { id: number; chosen: string[]; rejected: string[] }[];
    assert.ok(record);
    assert.equal(record.id, 622);
    const brief = (t: string): [string, string, boolean][] => checkArithmetic(t).map((f) => [f.expression, f.expected, f.ok]);
    assert.deepEqual(brief(record.chosen[0] ?? ''), []);
    for (const t of [record.chosen[1] ?? '', record.chosen[2] ?? '']) {
      assert.deepEqual(brief(t), [
        ['14/100', '0.14', true],
        ['14/100', '0.14', true],
        ['47.50 × 0.14', '6.65', true],
      ]);
    }
    // The rejected answers state $7.65 in words only: nothing to re-evaluate.
    for (const t of record.rejected) assert.deepEqual(brief(t), []);
  });
});
