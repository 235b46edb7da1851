/**
 * RM-R1 (RM-R1-UIUC/RM-R1, `gaotang/RM-R1-Qwen2.5-Instruct-*`): the system prompt and single-turn user
 * template the models were trained with (`rm_r1/dataset/mix_data/mix_data.py` `SYSTEM_PROMPT` and
 * `TEMPALTE_SINGLE`, identical to `eval/reward-bench/rewardbench/generative.py`
 * `RM_R1_INSTRUCT_SYSTEM_PROMPT`, commit d4c2542f). The final verdict is `<answer>[[A]]</answer>` or
 * `<answer>[[B]]</answer>`; an answer naming both is an error, as in the evaluation code.
 */
import type { GenerationRequest } from './generation.js';
import { partsInOrder, splitThinking } from './judgeText.js';
import type { PairParse } from './pairGames.js';

/** RM-R1's system prompt. */
export const RM_R1_SYSTEM_PROMPT =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI Chatbots to the Client's question displayed below.\n\n" +
  'First, classify the task into one of two categories: <type>Reasoning</type> or <type>Chat</type>.\n' +
  '- Use <type>Reasoning</type> for tasks that involve math, coding, or require domain knowledge, multi-step inference, logical deduction, or combining information to reach a conclusion.\n' +
  '- Use <type>Chat</type> for tasks that involve open-ended or factual conversation, stylistic rewrites, safety questions, or general helpfulness requests without deep reasoning.\n\n' +
  'If the task is Reasoning:\n' +
  "1. Solve the Client's question yourself and present your final answer within <solution>...</solution> tags.\n" +
  '2. Evaluate the two Chatbot responses based on correctness, completeness, and reasoning quality, referencing your own solution.\n' +
  '3. Include your evaluation inside <eval>...</eval> tags, quoting or summarizing the Chatbots using the following tags:\n' +
  '   - <quote_A>...</quote_A> for direct quotes from Chatbot A\n' +
  '   - <summary_A>...</summary_A> for paraphrases of Chatbot A\n' +
  '   - <quote_B>...</quote_B> for direct quotes from Chatbot B\n' +
  '   - <summary_B>...</summary_B> for paraphrases of Chatbot B\n' +
  '4. End with your final judgment in the format: <answer>[[A]]</answer> or <answer>[[B]]</answer>\n\n' +
  'If the task is Chat:\n' +
  "1. Generate evaluation criteria (rubric) tailored to the Client's question and context, enclosed in <rubric>...</rubric> tags.\n" +
  '2. Assign weights to each rubric item based on their relative importance.\n' +
  '3. Inside <rubric>, include a <justify>...</justify> section explaining why you chose those rubric criteria and weights.\n' +
  '4. Compare both Chatbot responses according to the rubric.\n' +
  '5. Provide your evaluation inside <eval>...</eval> tags, using <quote_A>, <summary_A>, <quote_B>, and <summary_B> as described above.\n' +
  '6. End with your final judgment in the format: <answer>[[A]]</answer> or <answer>[[B]]</answer>\n\n' +
  'Important Notes:\n' +
  '- Be objective and base your evaluation only on the content of the responses.\n' +
  '- Do not let response order, length, or Chatbot names affect your judgment.\n' +
  '- Follow the response format strictly depending on the task type.\n\n' +
  'Your output must follow one of the two formats below:\n\n' +
  'For Reasoning:\n' +
  '<type>Reasoning</type>\n\n' +
  '<solution> your own solution for the problem </solution>\n\n' +
  '<eval>\n' +
  '  include direct comparisons supported by <quote_A>...</quote_A> or <summary_A>...</summary_A>, and <quote_B>...</quote_B>, or <summary_B>...</summary_B>\n' +
  '</eval>\n\n' +
  '<answer>[[A/B]]</answer>\n\n' +
  'For Chat:\n' +
  '<type>Chat</type>\n\n' +
  '<rubric>\n' +
  '  detailed rubric items\n' +
  '  <justify> justification for the rubric </justify>\n' +
  '</rubric>\n\n' +
  '<eval>\n' +
  '  include direct comparisons supported by <quote_A>...</quote_A> or <summary_A>...</summary_A>, and <quote_B>...</quote_B>, or <summary_B>...</summary_B> tags\n' +
  '</eval>\n\n' +
  '<answer>[[A/B]]</answer>';

/** RM-R1's single-turn user template. */
export function buildRmR1Prompt(question: string, responseA: string, responseB: string): string {
  return (
    `[Client Question]\n${question}\n\n[The Start of Chatbot A's Response]\n${responseA}\n[The End of Chatbot A's Response]\n\n` +
    `[The Start of Chatbot B's Response]\n${responseB}\n[The End of Chatbot B's Response]`
  );
}

/** The RM-R1 request: system prompt and user turn. */
export function buildRmR1Request(question: string, responseA: string, responseB: string, maxTokens: number): GenerationRequest {
  return {
    messages: [
      { role: 'system', content: RM_R1_SYSTEM_PROMPT },
      { role: 'user', content: buildRmR1Prompt(question, responseA, responseB) },
    ],
    maxTokens,
    verdictWords: ['A', 'B'],
  };
}

/**
 * Reads the last complete `<answer>…</answer>` of the visible reply (else of the thinking): `[[A]]` or
 * `[[B]]` inside it is the verdict, both is an error (no verdict, the answer quoted in `unreadable`). Without
 * any `<answer>` block, the part is read as the evaluation code reads a whole judgment: exactly one of
 * `[[A]]` and `[[B]]` anywhere.
 */
export function parseRmR1Verdict(text: string): PairParse {
  const parts = partsInOrder(splitThinking(text));
  for (const { range } of parts) {
    const slice = text.slice(range.start, range.end);
    let block: { inner: string; innerAt: number; raw: string } | undefined;
    for (const m of slice.matchAll(/<answer>([\s\S]*?)<\/answer>/g)) block = { inner: m[1] ?? '', innerAt: range.start + (m.index ?? 0) + '<answer>'.length, raw: m[0] };
    if (block === undefined) continue;
    const a = block.inner.indexOf('[[A]]');
    const b = block.inner.indexOf('[[B]]');
    if (a !== -1 && b !== -1) return { verdict: null, unreadable: block.raw };
    if (a !== -1) return { verdict: { label: 'A', winA: 1, letterOffset: block.innerAt + a + 2 } };
    if (b !== -1) return { verdict: { label: 'B', winA: 0, letterOffset: block.innerAt + b + 2 } };
    return { verdict: null, unreadable: block.raw };
  }
  for (const { range } of parts) {
    const slice = text.slice(range.start, range.end);
    const a = slice.lastIndexOf('[[A]]');
    const b = slice.lastIndexOf('[[B]]');
    if (a !== -1 && b !== -1) return { verdict: null };
    if (a !== -1) return { verdict: { label: 'A', winA: 1, letterOffset: range.start + a + 2 } };
    if (b !== -1) return { verdict: { label: 'B', winA: 0, letterOffset: range.start + b + 2 } };
  }
  return { verdict: null };
}
