import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { GenerationResult } from '../../../../src/core/judges/generation.js';
import { buildProcessBenchPrompt, buildProcessBenchRequest, parseProcessBenchCritic, processBenchResult } from '../../../../src/core/judges/processBenchCritic.js';

const verdicts = (text: string, n: number): (string | null)[] => parseProcessBenchCritic(text, n).steps.map((s) => s.verdict?.verdict ?? null);

describe('ProcessBench critic prompt', () => {
  it('fills critique_template.txt with tagged paragraphs indexed from 0', () => {
    const expected =
      'The following is a math problem and a solution (split into paragraphs, enclosed with tags and indexed from 0):\n' +
      '\n' +
      '[Math Problem]\n' +
      '\n' +
      'Find x if 2x = 6.\n' +
      '\n' +
      '[Solution]\n' +
      '\n' +
      '<paragraph_0>\n' +
      'Divide both sides by 2.\n' +
      '</paragraph_0>\n' +
      '\n' +
      '<paragraph_1>\n' +
      'So x = 4.\n' +
      '</paragraph_1>\n' +
      '\n' +
      'Your task is to review and critique the solution paragraph by paragraph. Once you identify an error in a paragraph, return the index of the paragraph where the earliest error occurs. Otherwise, return the index of -1 (which typically denotes "not found").\n' +
      '\n' +
      'Please put your final answer (i.e., the index) in \\boxed{}.';
    assert.equal(buildProcessBenchPrompt('Find x if 2x = 6.', ['Divide both sides by 2.', 'So x = 4.']), expected);
    const req = buildProcessBenchRequest('p', ['a'], 77);
    assert.deepEqual(
      req.messages.map((m) => m.role),
      ['user'],
    );
    assert.equal(req.maxTokens, 77);
  });
});

describe('parseProcessBenchCritic', () => {
  it('marks steps before the index correct, the index incorrect, and later steps not judged', () => {
    assert.deepEqual(verdicts('Paragraph 0 is fine. Paragraph 1 is wrong.\n\\boxed{1}', 4), ['correct', 'incorrect', null, null]);
    const p = parseProcessBenchCritic('\\boxed{1}', 4);
    assert.match(p.steps[3]?.reason ?? '', /after the earliest error/);
    assert.equal(p.index, 1);
  });

  it('reads -1 as every step correct', () => {
    assert.deepEqual(verdicts('All good. \\boxed{-1}', 3), ['correct', 'correct', 'correct']);
  });

  it('takes the last box, including one only in the thinking', () => {
    assert.deepEqual(verdicts('maybe \\boxed{0} … no, \\boxed{2}', 3), ['correct', 'correct', 'incorrect']);
    assert.deepEqual(verdicts('<think>the earliest error is \\boxed{0}</think>\nI checked every paragraph.', 2), ['incorrect', null]);
  });

  it('reads the answer as Python int() does', () => {
    assert.equal(parseProcessBenchCritic('\\boxed{ +1 }', 3).index, 1);
    assert.equal(parseProcessBenchCritic('\\boxed{1_0}', 20).index, 10);
    assert.equal(parseProcessBenchCritic('\\boxed{1.0}', 3).problem, 'not-an-integer');
    assert.equal(parseProcessBenchCritic('\\boxed{\\text{2}}', 3).problem, 'not-an-integer');
  });

  it('judges no step for an out-of-range, unparseable or missing answer', () => {
    for (const [text, problem] of [
      ['\\boxed{3}', 'out-of-range'],
      ['\\boxed{-2}', 'out-of-range'],
      ['\\boxed{paragraph two}', 'not-an-integer'],
      ['I think paragraph 1 is wrong.', 'missing'],
    ] as const) {
      const p = parseProcessBenchCritic(text, 3);
      assert.equal(p.problem, problem, text);
      assert.equal(p.index, null);
      assert.deepEqual(
        p.steps.map((s) => s.verdict),
        [null, null, null],
      );
    }
  });

  it('locates each paragraph\'s critique by its line-start heading', () => {
    const text = 'Paragraph 0: divides by 2, fine.\n**Paragraph 1:** 6/2 is 3, not 4.\n\nSo the earliest error is in paragraph 1.\n\\boxed{1}';
    const p = parseProcessBenchCritic(text, 3);
    assert.equal(text.slice(p.steps[0]?.span?.start, p.steps[0]?.span?.end), 'Paragraph 0: divides by 2, fine.\n');
    assert.ok(text.slice(p.steps[1]?.span?.start).startsWith('**Paragraph 1:** 6/2 is 3'));
    assert.equal(p.steps[2]?.span, null);
  });
});

function gen(text: string, finish: GenerationResult['finish'] = 'stop'): GenerationResult {
  return { text, finish, model: 'qwq', device: 'host:8000' };
}

describe('processBenchResult', () => {
  it('scores 1/0 from the index with verdict source and a critique per located paragraph', () => {
    const r = processBenchResult(3, gen('Paragraph 0: ok.\nParagraph 1: wrong sign.\n\\boxed{1}'));
    assert.deepEqual(
      r.steps.map((s) => [s.score, s.verdict, s.source]),
      [
        [1, 'correct', 'verdict'],
        [0, 'incorrect', 'verdict'],
        [Number.NaN, 'not-judged', undefined],
      ],
    );
    assert.equal(r.steps[1]?.critique, 'Paragraph 1: wrong sign.\n\\boxed{1}');
    assert.equal(r.judge?.verdict, '1');
    assert.equal(r.device, 'host:8000');
    assert.equal(r.warnings, undefined);
  });

  it('reports an out-of-range index as unaligned with a warning', () => {
    const r = processBenchResult(2, gen('\\boxed{5}'));
    assert.deepEqual(r.judge?.unaligned, ['\\boxed{5}']);
    assert.equal(r.judge?.verdict, '5');
    assert.ok(r.steps.every((s) => Number.isNaN(s.score) && s.verdict === 'not-judged'));
    assert.ok((r.warnings ?? []).some((w) => /not a paragraph index/.test(w)));
  });

  it('warns when the judge ignores the format', () => {
    const r = processBenchResult(2, gen('Looks fine to me.'));
    assert.equal(r.judge?.verdict, null);
    assert.ok((r.warnings ?? []).some((w) => /no verdict in the expected format/.test(w)));
  });
});
