import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { inspectRecordJson } from '../../../../src/core/report/jsonReports.js';
import { buildStepTree, treeInputOfTrace } from '../../../../src/core/tree/buildStepTree.js';
import { answerInText, finalAnswer, lastBoxed, locateFinalAnswer, SHORT_ANSWER_MAX_CHARS } from '../../../../src/core/text/finalAnswer.js';
import { readSample, samplesAvailable } from '../../helpers.js';

describe('answerInText', () => {
  const table: [string, string | undefined][] = [
    ['The answer is \\(\\boxed{30}\\).', '30'],
    ['So $x = \\boxed{\\frac{1}{2}}$.', '\\frac{1}{2}'],
    ['First \\boxed{1}, then \\boxed{2}.', '2'],
    ['\\boxed{3} and \\boxed{4', '3'],
    ['So \\fbox{7} it is.', '7'],
    ['Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips.\n#### 72', '72'],
    ['Total: 1,234 dollars\n#### 1,234', '1,234'],
    ['#### Step 2: add the numbers', undefined],
    ['# Answer\n\n7200', '7200'],
    ['So the price of a pencil is 29 cents.\n\n# Answer\n\n29', '29'],
    ['The waiter ate 52 slices of the pizza. The answer is: 52', '52'],
    ['The answer is 18', '18'],
    ['Final Answer: The final answer is $5$. I hope it is correct.', '$5$'],
    ['So the answer is **42**.', '42'],
    ['The answer is 3.5.', '3.5'],
    ['Answer: (B)', '(B)'],
    ['To find the answer, we add.', undefined],
    ['We add 5 and 8.', undefined],
    ['\\boxed{unbalanced', undefined],
    ['\\boxed{}', undefined],
  ];
  for (const [text, want] of table) {
    it(`finds ${JSON.stringify(want)} in ${JSON.stringify(text)}`, () => {
      const got = answerInText(text);
      assert.equal(got?.text, want);
      if (got) assert.equal(text.slice(got.span.start, got.span.end), got.text);
    });
  }

  it('balances nested braces in \\boxed', () => {
    assert.equal(lastBoxed('\\boxed{\\frac{\\sqrt{3}}{2}} rest')?.text, '\\frac{\\sqrt{3}}{2}');
    assert.equal(answerInText('so \\boxed{\\frac{1}{2}}.')?.text, '\\frac{1}{2}');
  });

  it('prefers the stronger pattern within one text', () => {
    assert.equal(answerInText('The answer is \\boxed{5}, so the answer is: 6')?.text, '5');
    assert.equal(answerInText('The answer is: 6\n#### 7')?.text, '7');
  });

  it('keeps hostile text as text', () => {
    assert.equal(answerInText('The answer is: <img src=x onerror=alert(1)>')?.text, '<img src=x onerror=alert(1)>');
    assert.equal(answerInText('\\boxed{<script>alert("x")</script>}')?.text, '<script>alert("x")</script>');
    assert.equal(answerInText('Answer: [click](command:workbench.action.terminal.new)')?.text, '[click](command:workbench.action.terminal.new)');
  });
});

describe('finalAnswer', () => {
  it('prefers the answer after </think> to the reasoning', () => {
    assert.equal(finalAnswer('<think>Maybe \\boxed{3}. The answer is 3.</think>\n\nThe answer is \\boxed{4}.'), '4');
    assert.equal(finalAnswer('<think>So the answer is: 3</think>\nIt is 4, as the table shows, and I am sure of that.\nThanks for asking!'), '3');
  });

  it('takes a one-line visible answer whole when no pattern matches', () => {
    assert.equal(finalAnswer('<think>Thinking about capitals.</think>\nParis.'), 'Paris.');
    assert.equal(finalAnswer('  B \n'), 'B');
    assert.equal(finalAnswer('x'.repeat(SHORT_ANSWER_MAX_CHARS + 1)), undefined);
    assert.equal(finalAnswer('It is Paris.\nIt has been the capital for centuries.'), undefined);
  });

  it('finds no answer in reasoning that states none', () => {
    assert.equal(finalAnswer([{ text: 'We add 5 and 8.', part: 'reasoning' }, { text: 'We get 13 apples.', part: 'reasoning' }]), undefined);
    assert.equal(finalAnswer(''), undefined);
    assert.equal(finalAnswer([]), undefined);
    assert.equal(finalAnswer('<think>no idea</think>'), undefined);
  });

  it('searches steps from the last, strongest pattern first', () => {
    const steps = [
      { text: 'Step 1: 2 + 2 = 4, so the answer is: 4', part: 'reasoning' as const },
      { text: 'Step 2: we double it. The answer is: 8', part: 'reasoning' as const },
    ];
    assert.deepEqual(locateFinalAnswer(steps), { text: '8', span: { start: 37, end: 38 }, sourceIndex: 1, pattern: 'phrase' });
    const boxedFirst = [{ text: 'So \\boxed{4}.' }, { text: 'The answer is: 8' }];
    assert.equal(locateFinalAnswer(boxedFirst)?.sourceIndex, 0);
    assert.equal(locateFinalAnswer(boxedFirst)?.pattern, 'boxed');
  });
});

/** The trace of a one-record sample. */
function traces(name: string): Trace[] {
  const doc = parseDocument(readSample(name) ?? '', name);
  return doc.records.filter((r): r is Trace => r.kind === 'trace');
}

describe('final answers of the shared samples', { skip: !samplesAvailable() }, () => {
  // Every expected answer below was read off the sample text by hand.
  it('ProcessBench: "The answer is \\(\\boxed{30}\\)." and final_answer_correct false', () => {
    const [t] = traces('processbench.json');
    assert.equal(t?.answer, '30');
    assert.equal(t?.correct, false);
    assert.equal(t && inspectRecordJson(t)['answer'], '30');
    assert.equal(t && inspectRecordJson(t)['correct'], false);
    // The Trace Tree's leaf: the answer, and the dataset's verdict as its correctness.
    const tree = t && buildStepTree(t.prompt, [treeInputOfTrace(t, 0)]);
    assert.deepEqual(tree?.traces.map((x) => [x.answer, x.correct, x.correctSource]), [['30', false, 'dataset']]);
  });

  it('TRL stepwise: "The answer is: 20", "The answer is: 52", and none for 9.11 vs 9.8', () => {
    assert.deepEqual(
      traces('trl_stepwise.jsonl').map((t) => t.answer),
      ['20', '52', undefined],
    );
    const json = traces('trl_stepwise.jsonl').map((t) => inspectRecordJson(t));
    assert.equal(json[0]?.['answer'], '20');
    assert.equal('answer' in (json[2] ?? {}), false);
  });

  it('Math-Shepherd: "The answer is: 52 ки"', () => {
    const [t] = traces('math_shepherd.jsonl');
    assert.equal(t?.answer, '52');
    assert.equal(t && inspectRecordJson(t)['answer'], '52');
  });

  it('PRM800K: the "# Answer" of the shown steps (29), none where the shown steps state none', () => {
    const [phase2, phase1] = traces('prm800k.jsonl');
    assert.equal(phase2?.answer, undefined);
    assert.equal(phase2?.reference, '28800');
    assert.equal(phase1?.answer, '29');
    assert.equal(phase1?.reference, '29');
  });

  it("PRM800K scored samples: the record's own answer field wins", () => {
    const [t] = traces('prm800k_scored_samples.jsonl');
    assert.equal(t?.answer, '7i - 2');
    assert.equal(t?.correct, true);
  });

  it('R1 chat completion: the "Answer:" after </think>, not the "answer should be three" inside it', () => {
    const [t] = traces('r1_trace_openai_chat_vllm.json');
    assert.equal(t?.answer, 'There are 3 Rs in "strawberry."');
  });

  it('one-line chat answers are taken whole', () => {
    assert.equal(traces('openai_chat_messages.jsonl')[0]?.answer, 'I\u2019m not sure what you mean. Can you clarify?');
    assert.equal(traces('inspect_log_read_sample.json')[0]?.answer, 'Yes');
    assert.equal(traces('codex_rollout_SHAPE.jsonl')[0]?.answer, 'done');
  });
});
