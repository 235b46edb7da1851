import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildRmR1Prompt, buildRmR1Request, parseRmR1Verdict, RM_R1_SYSTEM_PROMPT } from '../../../../src/core/judges/rmR1.js';

// RM-R1 rm_r1/dataset/mix_data/mix_data.py SYSTEM_PROMPT, as the Python string evaluates.
const SYSTEM =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI Chatbots to the Client's question displayed below.\n\nFirst, classify the task into one of two categories: <type>Reasoning</type> or <type>Chat</type>.\n- Use <type>Reasoning</type> for tasks that involve math, coding, or require domain knowledge, multi-step inference, logical deduction, or combining information to reach a conclusion.\n- Use <type>Chat</type> for tasks that involve open-ended or factual conversation, stylistic rewrites, safety questions, or general helpfulness requests without deep reasoning.\n\nIf the task is Reasoning:\n1. Solve the Client's question yourself and present your final answer within <solution>...</solution> tags.\n2. Evaluate the two Chatbot responses based on correctness, completeness, and reasoning quality, referencing your own solution.\n3. Include your evaluation inside <eval>...</eval> tags, quoting or summarizing the Chatbots using the following tags:\n   - <quote_A>...</quote_A> for direct quotes from Chatbot A\n   - <summary_A>...</summary_A> for paraphrases of Chatbot A\n   - <quote_B>...</quote_B> for direct quotes from Chatbot B\n   - <summary_B>...</summary_B> for paraphrases of Chatbot B\n4. End with your final judgment in the format: <answer>[[A]]</answer> or <answer>[[B]]</answer>\n\nIf the task is Chat:\n1. Generate evaluation criteria (rubric) tailored to the Client's question and context, enclosed in <rubric>...</rubric> tags.\n2. Assign weights to each rubric item based on their relative importance.\n3. Inside <rubric>, include a <justify>...</justify> section explaining why you chose those rubric criteria and weights.\n4. Compare both Chatbot responses according to the rubric.\n5. Provide your evaluation inside <eval>...</eval> tags, using <quote_A>, <summary_A>, <quote_B>, and <summary_B> as described above.\n6. End with your final judgment in the format: <answer>[[A]]</answer> or <answer>[[B]]</answer>\n\nImportant Notes:\n- Be objective and base your evaluation only on the content of the responses.\n- Do not let response order, length, or Chatbot names affect your judgment.\n- Follow the response format strictly depending on the task type.\n\nYour output must follow one of the two formats below:\n\nFor Reasoning:\n<type>Reasoning</type>\n\n<solution> your own solution for the problem </solution>\n\n<eval>\n  include direct comparisons supported by <quote_A>...</quote_A> or <summary_A>...</summary_A>, and <quote_B>...</quote_B>, or <summary_B>...</summary_B>\n</eval>\n\n<answer>[[A/B]]</answer>\n\nFor Chat:\n<type>Chat</type>\n\n<rubric>\n  detailed rubric items\n  <justify> justification for the rubric </justify>\n</rubric>\n\n<eval>\n  include direct comparisons supported by <quote_A>...</quote_A> or <summary_A>...</summary_A>, and <quote_B>...</quote_B>, or <summary_B>...</summary_B> tags\n</eval>\n\n<answer>[[A/B]]</answer>";

describe('RM-R1 prompt', () => {
  it('is the training system prompt and single-turn user template', () => {
    assert.equal(RM_R1_SYSTEM_PROMPT, SYSTEM);
    const user = "[Client Question]\nQ?\n\n[The Start of Chatbot A's Response]\nfirst\n[The End of Chatbot A's Response]\n\n[The Start of Chatbot B's Response]\nsecond\n[The End of Chatbot B's Response]";
    assert.equal(buildRmR1Prompt('Q?', 'first', 'second'), user);
    assert.deepEqual(buildRmR1Request('Q?', 'first', 'second', 3).messages, [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: user },
    ]);
  });
});

describe('parseRmR1Verdict', () => {
  it('reads the last <answer> block with the letter offset', () => {
    const text = '<type>Chat</type>\n<rubric>…</rubric>\n<eval>…</eval>\n\n<answer>[[B]]</answer>';
    assert.deepEqual(parseRmR1Verdict(text).verdict, { label: 'B', winA: 0, letterOffset: text.lastIndexOf('B]]') });
    assert.equal(parseRmR1Verdict('<answer>[[B]]</answer> hmm, no: <answer>[[A]]</answer>').verdict?.label, 'A');
  });
  it('treats an answer naming both letters as an error', () => {
    assert.deepEqual(parseRmR1Verdict('<answer>[[A]] or [[B]]</answer>'), { verdict: null, unreadable: '<answer>[[A]] or [[B]]</answer>' });
    assert.deepEqual(parseRmR1Verdict('<answer>neither</answer>'), { verdict: null, unreadable: '<answer>neither</answer>' });
  });
  it('prefers the visible answer and falls back to the thinking', () => {
    assert.equal(parseRmR1Verdict('<think><answer>[[A]]</answer></think>\n<answer>[[B]]</answer>').verdict?.label, 'B');
    assert.equal(parseRmR1Verdict('<think>I pick <answer>[[A]]</answer></think>\nDone').verdict?.label, 'A');
  });
  it('without an <answer> block, reads exactly one of [[A]] and [[B]] as the evaluation code does', () => {
    assert.equal(parseRmR1Verdict('Chatbot A wins: [[A]]').verdict?.label, 'A');
    assert.equal(parseRmR1Verdict('[[A]] vs [[B]]').verdict, null);
    assert.equal(parseRmR1Verdict('<answer>[[A]] (cut off').verdict?.label, 'A');
    assert.equal(parseRmR1Verdict('No verdict at all.').verdict, null);
  });
});
