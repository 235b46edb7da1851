/**
 * Two pairwise judges that read bracketed verdicts:
 * - `pairwise`: the Skywork-Critic prompt (model card of Skywork/Skywork-Critic-Llama-3.1-8B/-70B, as
 *   reproduced in ScalerLab/JudgeBench `utils/templates/skywork_critic_prompt.jinja2`, commit e2c52c28),
 *   one user turn, answered `[[A]]` or `[[B]]`.
 * - `arena-hard`: Arena-Hard-Auto's judge (lmarena/arena-hard-auto `utils/judge_utils.py` system prompt,
 *   `config/arena-hard-v2.0.yaml` user template and regexes, `gen_judgment.py` `get_score`, commit
 *   196f6b82), answered with one of `[[A>>B]]`, `[[A>B]]`, `[[A=B]]`, `[[B>A]]`, `[[B>>A]]`.
 */
import type { GenerationRequest } from './generation.js';
import { partsInOrder, splitThinking } from './judgeText.js';
import type { PairParse, PairVerdict } from './pairGames.js';

/**
 * Skywork-Critic's prompt as on its model card: note the spaces before the first two line breaks and the
 * final line break (Llama 3.1's chat template trims the turn, so the last one does not reach the model).
 */
export function buildSkyworkCriticPrompt(question: string, responseA: string, responseB: string): string {
  return (
    "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. You should choose the assistant that follows the user's instructions and answers the user's question better. \n" +
    'Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. \n' +
    'Please directly output your final verdict by strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better.\n\n' +
    `[User Question]\n${question}\n\n` +
    `[The Start of Assistant A's Answer]\n${responseA}\n[The End of Assistant A's Answer]\n\n` +
    `[The Start of Assistant B's Answer]\n${responseB}\n[The End of Assistant B's Answer]\n`
  );
}

/** The Skywork-Critic request: one user turn. */
export function buildSkyworkCriticRequest(question: string, responseA: string, responseB: string, maxTokens: number): GenerationRequest {
  return { messages: [{ role: 'user', content: buildSkyworkCriticPrompt(question, responseA, responseB) }], maxTokens, verdictWords: ['A', 'B'] };
}

/**
 * Reads `[[A]]` / `[[B]]`: the last one in the visible reply, else the last in the thinking; a reply that is
 * only the letter (`A`, `[A]`) also counts.
 */
export function parseSkyworkCriticVerdict(text: string): PairParse {
  for (const { range } of partsInOrder(splitThinking(text))) {
    const slice = text.slice(range.start, range.end);
    let last: PairVerdict | null = null;
    for (const m of slice.matchAll(/\[\[\s*([AB])\s*\]\]/gi)) {
      const letter = (m[1] ?? '').toUpperCase();
      const at = (m.index ?? 0) + m[0].indexOf(m[1] ?? '');
      last = { label: letter, winA: letter === 'A' ? 1 : 0, letterOffset: range.start + at };
    }
    if (last !== null) return { verdict: last };
    const bare = /^\s*\[?\s*([AB])\s*\]?\s*\.?\s*$/i.exec(slice);
    if (bare !== null && bare[1] !== undefined) {
      const letter = bare[1].toUpperCase();
      return { verdict: { label: letter, winA: letter === 'A' ? 1 : 0, letterOffset: range.start + bare[0].indexOf(bare[1]) } };
    }
  }
  return { verdict: null };
}

/** Arena-Hard's judge system prompt (`OG_ARENA_HARD_PROMPT`). */
export const ARENA_HARD_SYSTEM_PROMPT =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user prompt displayed below. You will be given assistant A's answer and assistant B's answer. Your job is to evaluate which assistant's answer is better.\n\n" +
  'Begin your evaluation by generating your own answer to the prompt. You must provide your answers before judging any answers.\n\n' +
  "When evaluating the assistants' answers, compare both assistants' answers with your answer. You must identify and correct any mistakes or inaccurate information.\n\n" +
  "Then consider if the assistant's answers are helpful, relevant, and concise. Helpful means the answer correctly responds to the prompt or follows the instructions. Note when user prompt has any ambiguity or more than one interpretation, it is more helpful and appropriate to ask for clarifications or more information from the user than providing an answer based on assumptions. Relevant means all parts of the response closely connect or are appropriate to what is being asked. Concise means the response is clear and not verbose or excessive.\n\n" +
  "Then consider the creativity and novelty of the assistant's answers when needed. Finally, identify any missing important information in the assistants' answers that would be beneficial to include when responding to the user prompt.\n\n" +
  'After providing your explanation, you must output only one of the following choices as your final verdict with a label:\n\n' +
  '1. Assistant A is significantly better: [[A>>B]]\n2. Assistant A is slightly better: [[A>B]]\n3. Tie, relatively the same: [[A=B]]\n4. Assistant B is slightly better: [[B>A]]\n5. Assistant B is significantly better: [[B>>A]]\n\n' +
  'Example output: "My final verdict is tie: [[A=B]]".';

/** Arena-Hard's user turn (`prompt_template`). */
export function buildArenaHardPrompt(question: string, responseA: string, responseB: string): string {
  return (
    `<|User Prompt|>\n${question}\n\n` +
    `<|The Start of Assistant A's Answer|>\n${responseA}\n<|The End of Assistant A's Answer|>\n\n` +
    `<|The Start of Assistant B's Answer|>\n${responseB}\n<|The End of Assistant B's Answer|>`
  );
}

/** The Arena-Hard request: system prompt and user turn. */
export function buildArenaHardRequest(question: string, responseA: string, responseB: string, maxTokens: number): GenerationRequest {
  return {
    messages: [
      { role: 'system', content: ARENA_HARD_SYSTEM_PROMPT },
      { role: 'user', content: buildArenaHardPrompt(question, responseA, responseB) },
    ],
    maxTokens,
  };
}

/**
 * A's share for each label `show_result.py` knows (`>>` counts as a plain win here, as JudgeBench does;
 * `A<B`-style labels are accepted as Arena-Hard accepts them).
 */
const ARENA_HARD_LABELS: Readonly<Record<string, number>> = {
  'A>>B': 1,
  'A>B': 1,
  'A=B': 0.5,
  'A<B': 0,
  'A<<B': 0,
  'B>A': 0,
  'B>>A': 0,
  'B=A': 0.5,
  'B<A': 1,
  'B<<A': 1,
};

function lastLabel(slice: string, re: RegExp): string | undefined {
  let last: string | undefined;
  for (const m of slice.matchAll(re)) if (m[1] !== undefined && m[1] !== '') last = m[1].toUpperCase();
  return last;
}

/**
 * Reads an Arena-Hard verdict as `get_score` does: on the upper-cased text, the last `[[…]]` of `A`, `B`,
 * `<`, `>`, `=`, and only when there is none, the last single-bracket `[…]`. The visible reply is read
 * first, then the thinking. A label outside the table above is unreadable (quoted in `unreadable`).
 */
export function parseArenaHardVerdict(text: string): PairParse {
  for (const { range } of partsInOrder(splitThinking(text))) {
    const slice = text.slice(range.start, range.end);
    const label = lastLabel(slice, /\[\[([AB<>=]+)\]\]/gi) ?? lastLabel(slice, /\[([AB<>=]+)\]/gi);
    if (label === undefined) continue;
    const winA = ARENA_HARD_LABELS[label];
    return winA === undefined ? { verdict: null, unreadable: `[[${label}]]` } : { verdict: { label, winA } };
  }
  return { verdict: null };
}
