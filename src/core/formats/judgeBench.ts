import type { JsonEntry } from '../json/readJsonDocument.js';
import { isObject, locatedString, recordId, type JsonObject } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';
import { checkRecord, finiteNumber, preferenceResponse, preferenceSet, problemAt, stringOf, wrongType } from './preferenceSteps.js';

/** One judge trial of a JudgeBench output row, as kept in `metadata.judgments`. */
export interface JudgeDecision {
  /**
   * The judge's verdict as written (`A>B`, `B>A`, or others such as `A=B`), in the trial's own order; null when
   * the judge gave none (JudgeBench stores `null` judgments, and its metrics count them as no decision).
   */
  readonly decision: string | null;
  /**
   * True for a trial run with the responses swapped (B shown first): JudgeBench's second trial. Its decision and
   * scores refer to the swapped order, so `A>B` there prefers the row's `response_B` (JudgeBench flips it).
   */
  readonly swapped: boolean;
  /** The two scores a reward-model judge gave, in the trial's order, when present. */
  readonly scores?: readonly number[];
}

const FORMAT = 'JudgeBench';
const EXPECTED = 'an object with "pair_id", "question", "response_A", "response_B" (strings) and "label" ("A>B" or "B>A")';
const JUDGE_KEYS = ['pair_id', 'question', 'response_A', 'response_B', 'label'];

/**
 * The subset of a JudgeBench `source`: `mmlu-pro-<subject>` becomes `mmlu-pro`; the others
 * (`livebench-reasoning`, `livebench-math`, `livecodebench`) are categories already.
 */
export function judgeBenchCategory(source: string): string {
  return source.startsWith('mmlu-pro') ? 'mmlu-pro' : source;
}

function isJudgeRow(v: unknown): v is JsonObject {
  return isObject(v) && 'response_A' in v && 'response_B' in v && 'label' in v && ('pair_id' in v || 'question' in v);
}

function parseJudgeRow(entry: JsonEntry, ctx: FormatContext, withJudgments: boolean): RecordOutcome {
  const rec = checkRecord(FORMAT, EXPECTED, entry.value, JUDGE_KEYS.filter((k) => k !== 'pair_id'));
  if (!rec.ok) return rec.outcome;
  const v = rec.value;
  const problems: RecordProblem[] = [];
  const a = locatedString(entry, v, 'response_A');
  const b = locatedString(entry, v, 'response_B');
  if (!a) problems.push(wrongType(ctx, entry, ['response_A'], v['response_A'], 'a string', 'the record is skipped'));
  if (!b) problems.push(wrongType(ctx, entry, ['response_B'], v['response_B'], 'a string', 'the record is skipped'));
  const label = v['label'];
  if (label !== 'A>B' && label !== 'B>A') {
    problems.push(problemAt(ctx, entry, ['label'], `"label" is ${JSON.stringify(label)}, expected "A>B" or "B>A"; the record is skipped.`));
  }
  let prompt = locatedString(entry, v, 'question');
  if (!prompt) {
    problems.push(wrongType(ctx, entry, ['question'], v['question'], 'a string', 'the prompt is left empty'));
    prompt = { text: '' };
  }
  if (!a || !b || (label !== 'A>B' && label !== 'B>A')) return { records: [], problems };
  const model = stringOf(v['response_model']);
  const extras = model !== undefined ? { model } : {};
  const source = stringOf(v['source']);
  const metadata: Record<string, unknown> = { label };
  for (const key of ['source', 'original_id', 'response_model', 'judge_name']) if (key in v) metadata[key] = v[key];
  if (withJudgments) {
    const judgments = readJudgments(ctx, entry, v, problems);
    metadata['judgments'] = judgments.decisions;
    if (judgments.judgeModel !== undefined) metadata['judge_model'] = judgments.judgeModel;
  }
  return {
    records: [
      preferenceSet(entry, {
        id: recordId(entry, v, 'pair_id'),
        prompt,
        responses: [preferenceResponse(ctx, a, label === 'A>B', extras), preferenceResponse(ctx, b, label === 'B>A', extras)],
        subset: source !== undefined ? judgeBenchCategory(source) : undefined,
        labelSource: `label ${label}`,
        comparison: 'pair',
        metadata,
      }),
    ],
    problems,
  };
}

function isScorePair(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.length === 2 && v.every((n) => finiteNumber(n) !== undefined);
}

/**
 * Reads `judgments: [{judgment: {judge_model, prompt, response, scores?}, decision}]`. Every trial keeps its
 * place (the second is the swapped one); a trial of the wrong shape is warned about and kept with no decision.
 */
function readJudgments(ctx: FormatContext, entry: JsonEntry, v: JsonObject, problems: RecordProblem[]): { decisions: JudgeDecision[]; judgeModel?: string } {
  const list = v['judgments'];
  if (!Array.isArray(list)) {
    problems.push({ ...wrongType(ctx, entry, ['judgments'], list, 'a list of {judgment, decision} trials', 'no judge decisions are read'), severity: 'warning' });
    return { decisions: [] };
  }
  let judgeModel: string | undefined;
  const decisions = list.map((trial: unknown, i): JudgeDecision => {
    const swapped = i % 2 === 1;
    if (trial === null || (isObject(trial) && trial['decision'] === null)) return { decision: null, swapped };
    const decision = isObject(trial) ? stringOf(trial['decision']) : undefined;
    if (!isObject(trial) || decision === undefined) {
      problems.push({ ...problemAt(ctx, entry, ['judgments', i], `Judgment ${i + 1} has no "decision" (expected {judgment, decision} with a string or null decision); it counts as no decision.`), severity: 'warning' });
      return { decision: null, swapped };
    }
    const judgment = trial['judgment'];
    const raw = isObject(judgment) ? judgment['scores'] : undefined;
    judgeModel ??= isObject(judgment) ? stringOf(judgment['judge_model']) : undefined;
    return { decision, swapped, ...(isScorePair(raw) ? { scores: raw } : {}) };
  });
  return judgeModel !== undefined ? { decisions, judgeModel } : { decisions };
}

/**
 * JudgeBench (`ScalerLab/JudgeBench`): `{pair_id, original_id, source, question, response_model, response_A,
 * response_B, label: "A>B"|"B>A"}`. One pair per row: the prompt is `question`, both responses come from
 * `response_model`, and the subset is the source category (`mmlu-pro`, `livebench-math`…; the full `source` stays
 * in metadata).
 */
export const judgeBench: FormatSpec = {
  id: 'judgebench',
  label: 'JudgeBench',
  // A row with judgments is a judge output file: leave it to `judgebench-judgments`.
  detect: (v) => (isJudgeRow(v) ? ('judgments' in v ? 2 : 3) : 0),
  parse: (entry, ctx) => parseJudgeRow(entry, ctx, false),
};

/**
 * JudgeBench judge outputs (`outputs/…judge_name=…,judge_model=….jsonl`): the JudgeBench row plus `judge_name` and
 * `judgments: [{judgment: {judge_model, prompt, response, scores?: [a, b]}, decision}]` (usually two trials, the
 * second with the A/B order swapped). The decisions and scores go to `metadata.judgments` (`JudgeDecision[]`) so
 * metrics can compare them with the label; the judge model goes to `metadata.judge_model`.
 */
export const judgeBenchJudgments: FormatSpec = {
  id: 'judgebench-judgments',
  label: 'JudgeBench judge output',
  detect: (v) => (isJudgeRow(v) && 'judgments' in v ? 3 : 0),
  parse: (entry, ctx) => parseJudgeRow(entry, ctx, true),
};
