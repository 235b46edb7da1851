import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildThinkPrmFollowUp,
  buildThinkPrmPrompt,
  buildThinkPrmRequest,
  formatThinkPrmSolution,
  parseThinkPrm,
  thinkPrmResult,
  THINKPRM_ASSISTANT_PREFIX,
} from '../../../../src/core/judges/thinkPrm.js';
import type { GenerationResult } from '../../../../src/core/judges/generation.js';

const verdictsOf = (text: string, n: number): (string | null)[] => parseThinkPrm(text, n).steps.map((s) => s.verdict?.verdict ?? null);

describe('ThinkPRM prompt', () => {
  it('is the released instruction template with "Step {i}: " steps joined by newlines', () => {
    // utils/helper.py instruction_template (stripped) with {problem}, {solution} and the default instruction.
    const expected =
      'You are given a math problem and a proposed step-by-step solution:\n' +
      '\n' +
      '[Math Problem]\n' +
      '\n' +
      'What is 2+3 times 4?\n' +
      '\n' +
      '[Solution]\n' +
      '\n' +
      'Step 1: First 3 times 4 is 12.\n' +
      'Step 2: Then 2 + 12 = 14.\n' +
      '\n' +
      'Review and critique each step in the proposed solution to determine whether each step is correct. If the solution is incomplete, only verify the provided steps.';
    assert.equal(buildThinkPrmPrompt('What is 2+3 times 4?', ['First 3 times 4 is 12.', 'Then 2 + 12 = 14.']), expected);
  });

  it('drops "Step n:" the steps already carry and trims them, as process_example does', () => {
    assert.equal(formatThinkPrmSolution(['Step 7: a ', '  b', 'x Step 2: y']), 'Step 1: a\nStep 2: b\nStep 3: x  y');
  });

  it('continues the reply after "\\nLet\'s verify step by step:" and stops at the step after the last', () => {
    const req = buildThinkPrmRequest('P', ['a', 'b', 'c'], 123);
    assert.equal(THINKPRM_ASSISTANT_PREFIX, "\nLet's verify step by step:");
    assert.equal(req.assistantPrefix, "\nLet's verify step by step:");
    assert.deepEqual(req.stop, ['Step 4:']);
    assert.equal(req.maxTokens, 123);
    assert.deepEqual(
      req.messages.map((m) => m.role),
      ['user'],
    );
  });

  it('asks the decision in a one-token follow-up that continues the output', () => {
    const first = buildThinkPrmRequest('P', ['a'], 50);
    const follow = buildThinkPrmFollowUp(first, ' Step 1: fine \\boxed{correct}');
    assert.equal(follow.assistantPrefix, "\nLet's verify step by step: Step 1: fine \\boxed{correct}\nIs the solution correct?");
    assert.equal(follow.maxTokens, 1);
    assert.deepEqual(follow.verdictWords, ['Yes', 'No']);
    assert.deepEqual(follow.messages, first.messages);
    assert.equal(follow.stop, undefined);
    // An output that already ends with the question is not asked twice.
    assert.equal(buildThinkPrmFollowUp(first, 'x\nIs the solution correct?').assistantPrefix, "\nLet's verify step by step:x\nIs the solution correct?");
  });
});

const WELL_FORMED =
  '\nStep 1: The student computes 3 × 4 = 12. That is right.\n\n**This step is \\boxed{correct}**\n\n' +
  'Step 2: The student writes 2 + 12 = 15, but 2 + 12 = 14.\n\n**This step is \\boxed{incorrect}**\n\n' +
  'Step 3: It builds on step 2, so \\boxed{incorrect}\n</think>\n\nIs the solution correct? No';

describe('parseThinkPrm', () => {
  it('reads a well-formed output: verdicts by heading, from the thinking, and the decision', () => {
    const p = parseThinkPrm(WELL_FORMED, 3);
    assert.deepEqual(
      p.steps.map((s) => s.verdict?.verdict),
      ['correct', 'incorrect', 'incorrect'],
    );
    assert.equal(p.alignedBy, 'heading');
    assert.equal(p.part, 'thinking');
    assert.equal(p.asked, true);
    assert.equal(p.decision?.word, 'No');
    assert.equal(WELL_FORMED.slice(p.decision?.offset ?? 0), 'No');
    // The verdict word offset points at the word inside \boxed{…}.
    const w = p.steps[1]?.verdict?.wordOffset ?? -1;
    assert.equal(WELL_FORMED.slice(w, w + 9), 'incorrect');
    // Each step's span starts at its heading.
    for (const [i, s] of p.steps.entries()) assert.ok(WELL_FORMED.slice(s.span?.start ?? 0).startsWith(`Step ${i + 1}:`));
    assert.deepEqual(p.unaligned, []);
  });

  it('leaves a step without a verdict not judged and keeps where it was discussed', () => {
    const text = 'Step 1: ok \\boxed{correct}\nStep 2: hmm, hard to say.\nStep 3: wrong \\boxed{incorrect}\n';
    const p = parseThinkPrm(text, 3);
    assert.deepEqual(verdictsOf(text, 3), ['correct', null, 'incorrect']);
    assert.equal(text.slice(p.steps[1]?.span?.start, p.steps[1]?.span?.end), 'Step 2: hmm, hard to say.\n');
    assert.match(p.steps[1]?.reason ?? '', /no \\boxed\{correct\}/);
  });

  it('puts verdicts under headings outside the steps in unaligned, never on a step', () => {
    const text = 'Step 1: ok \\boxed{correct}\nStep 2: ok \\boxed{correct}\nStep 4: nope \\boxed{incorrect}\nStep 0: \\boxed{incorrect}';
    const p = parseThinkPrm(text, 2);
    assert.deepEqual(verdictsOf(text, 2), ['correct', 'correct']);
    assert.deepEqual(p.unaligned, ['Step 4: nope \\boxed{incorrect}', 'Step 0: \\boxed{incorrect}']);
  });

  it('keeps the last of repeated verdicts for one step', () => {
    const text = 'Step 1: ok \\boxed{correct}\nStep 2: ok \\boxed{correct}\nStep 1 again: wait, 3×4 is 12 but the sign is wrong. \\boxed{incorrect}\n';
    const p = parseThinkPrm(text, 2);
    assert.deepEqual(verdictsOf(text, 2), ['incorrect', 'correct']);
    assert.ok(text.slice(p.steps[0]?.span?.start).startsWith('Step 1 again'));
    // Two verdicts in one section: the later one counts.
    assert.deepEqual(verdictsOf('Step 1: \\boxed{incorrect} no, actually \\boxed{correct}', 1), ['correct']);
  });

  it('aligns out-of-order steps by their headings', () => {
    const text = 'Step 2: bad \\boxed{incorrect}\nStep 1: good \\boxed{correct}\n';
    assert.deepEqual(verdictsOf(text, 3), ['correct', 'incorrect', null]);
  });

  it('does not move a verdict written before the first heading', () => {
    const text = 'Overall \\boxed{incorrect}.\nStep 1: fine \\boxed{correct}\n';
    const p = parseThinkPrm(text, 2);
    assert.deepEqual(verdictsOf(text, 2), ['correct', null]);
    assert.deepEqual(p.unaligned, ['Overall \\boxed{incorrect}']);
  });

  it('treats a mention inside a sentence as text, not a heading', () => {
    const text = 'Step 1: fine \\boxed{correct}\nStep 2: uses the value from Step 1: 12, then adds wrongly \\boxed{incorrect}\n';
    assert.deepEqual(verdictsOf(text, 2), ['correct', 'incorrect']);
  });

  it('accepts \\boxed{\\text{…}} and any case, and ignores other boxes', () => {
    const text = 'Step 1: result \\boxed{12} is right \\boxed{\\text{Correct}}\nStep 2: \\boxed{ INCORRECT }\n';
    assert.deepEqual(verdictsOf(text, 2), ['correct', 'incorrect']);
  });

  it('prefers visible verdicts, and uses the thinking only when the visible part has none', () => {
    const both = 'Step 1: \\boxed{incorrect}\n</think>\nStep 1: \\boxed{correct}\n';
    assert.equal(parseThinkPrm(both, 1).part, 'visible');
    assert.deepEqual(verdictsOf(both, 1), ['correct']);
    const thinkOnly = '<think>\nStep 1: \\boxed{incorrect}\n</think>\nThe answer is wrong.';
    assert.equal(parseThinkPrm(thinkOnly, 1).part, 'thinking');
    assert.deepEqual(verdictsOf(thinkOnly, 1), ['incorrect']);
  });

  it('handles output truncated mid-step: later steps not judged, no decision', () => {
    const text = 'Step 1: ok \\boxed{correct}\nStep 2: The student then mult';
    const p = parseThinkPrm(text, 3);
    assert.deepEqual(verdictsOf(text, 3), ['correct', null, null]);
    assert.equal(p.asked, false);
    assert.equal(p.decision, null);
    assert.equal(p.steps[2]?.span, null);
  });

  it('reads nothing from a judge that ignores the format', () => {
    const p = parseThinkPrm('The solution looks right to me. Yes.', 2);
    assert.equal(p.alignedBy, 'none');
    assert.deepEqual(verdictsOf('The solution looks right to me. Yes.', 2), [null, null]);
    assert.equal(p.decision, null);
  });

  it('falls back to order only when there are no headings at all, surplus verdicts unaligned', () => {
    const text = 'First one is fine \\boxed{correct}. Second is off \\boxed{incorrect}. Third \\boxed{correct}. Extra \\boxed{incorrect}';
    const p = parseThinkPrm(text, 3);
    assert.equal(p.alignedBy, 'order');
    assert.deepEqual(verdictsOf(text, 3), ['correct', 'incorrect', 'correct']);
    assert.deepEqual(p.unaligned, ['\\boxed{incorrect}']);
    assert.deepEqual(verdictsOf('only \\boxed{incorrect}', 2), ['incorrect', null]);
  });

  it('takes the decision after the last question, and a question without answer has none', () => {
    const text = 'Is the solution correct? Yes\nStep 1: \\boxed{incorrect}\nIs the solution correct? **no**';
    assert.equal(parseThinkPrm(text, 1).decision?.word, 'no');
    assert.equal(parseThinkPrm('Step 1: \\boxed{correct}\nIs the solution correct?', 1).decision, null);
    assert.equal(parseThinkPrm('Step 1: \\boxed{correct}\nIs the solution correct?', 1).asked, true);
  });

  it('never places a verdict on a step other than the heading before it (property)', () => {
    const block = fc.record({ k: fc.integer({ min: 0, max: 10 }), v: fc.option(fc.constantFrom('correct', 'incorrect'), { nil: undefined }), filler: fc.constantFrom('', 'as in Step 2, ', 'see step 9: ', 'ok. ') });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(block, { minLength: 1, maxLength: 12 }), (n, blocks) => {
        const text = blocks.map((b) => `Step ${b.k}: ${b.filler}reasoning${b.v !== undefined ? ` \\boxed{${b.v}}` : ''}`).join('\n');
        const got = verdictsOf(text, n);
        // Expected: per step, the verdict of the last block headed with its number that has a verdict.
        const want: (string | null)[] = Array.from({ length: n }, () => null);
        for (const b of blocks) if (b.v !== undefined && b.k >= 1 && b.k <= n) want[b.k - 1] = b.v;
        assert.deepEqual(got, want);
        const unaligned = blocks.filter((b) => b.v !== undefined && (b.k < 1 || b.k > n)).length;
        assert.equal(parseThinkPrm(text, n).unaligned.length, unaligned);
      }),
      { numRuns: 300 },
    );
  });
});

function gen(text: string, finish: GenerationResult['finish'] = 'stop'): GenerationResult {
  return { text, finish, model: 'm', device: 'cpu' };
}

describe('thinkPrmResult', () => {
  it('scores steps 1/0 from the text and the solution from the decision', () => {
    const r = thinkPrmResult(3, gen(WELL_FORMED));
    assert.deepEqual(
      r.steps.map((s) => [s.score, s.verdict, s.source]),
      [
        [1, 'correct', 'verdict'],
        [0, 'incorrect', 'verdict'],
        [0, 'incorrect', 'verdict'],
      ],
    );
    assert.equal(r.sequenceScore, 0);
    assert.equal(r.judge?.verdict, 'No');
    assert.equal(r.judge?.source, 'verdict');
    assert.equal(r.judge?.truncated, false);
    assert.ok(r.steps[1]?.critique?.startsWith('Step 2: The student writes 2 + 12 = 15'));
    assert.equal(r.warnings, undefined);
  });

  it('appends the follow-up to the report and warns about truncation and unread steps', () => {
    const first = 'Step 1: ok \\boxed{correct}\nStep 2: The student then mult';
    const r = thinkPrmResult(2, gen(first, 'length'), gen(' Yes'));
    assert.equal(r.judge?.text, `${first}\nIs the solution correct? Yes`);
    assert.equal(r.judge?.verdict, 'Yes');
    assert.equal(r.sequenceScore, 1);
    assert.equal(r.judge?.truncated, true);
    assert.ok(Number.isNaN(r.steps[1]?.score));
    assert.equal(r.steps[1]?.verdict, 'not-judged');
    assert.ok((r.warnings ?? []).some((w) => /cut at the token limit/.test(w)));
    assert.ok((r.warnings ?? []).some((w) => /asked again/.test(w)));
  });
});
