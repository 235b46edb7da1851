import type { DatasetRecord, ParsedDocument, Problem, StepLabel } from '../dataset/types.js';
import type { ScoredRecord } from '../scoring/scoreRecords.js';
import type { JudgeReport } from '../scoring/scorer.js';
import { stepConfidenceJson, traceConfidenceJson } from '../confidence/confidenceJson.js';

/** `inspect --json` step label: `unknown` prints as null. */
export type ReportLabel = 'good' | 'bad' | 'neutral' | null;

const reportLabel = (l: StepLabel): ReportLabel => (l === 'unknown' ? null : l);

/** The `{line, column, message}` shape of a problem in CLI JSON. */
export function problemJson(p: Problem): { line: number; column: number; message: string } {
  return { line: p.line, column: p.column, message: p.message };
}

/** `messages`: the prompt's chat turns, for records whose prompt came from a conversation. */
function messagesJson(r: DatasetRecord): { messages?: { role: string; content: string }[] } {
  return r.promptMessages === undefined ? {} : { messages: r.promptMessages.map((m) => ({ role: m.role, content: m.content })) };
}

/** One record as `reward-lens inspect --json` prints it. */
export function inspectRecordJson(r: DatasetRecord): Record<string, unknown> {
  if (r.kind === 'trace') {
    // Traces with their own token log-probabilities add `confidence` per step and for the whole response.
    const confidence = stepConfidenceJson(r);
    return {
      kind: 'trace',
      id: r.id,
      prompt: r.prompt,
      ...messagesJson(r),
      steps: r.steps.map((s, i) => ({ text: s.text, label: reportLabel(s.label), ...(confidence ? { confidence: confidence[i] ?? null } : {}) })),
      ...(r.answer !== undefined ? { answer: r.answer } : {}),
      ...(r.reference !== undefined ? { reference: r.reference } : {}),
      ...(r.correct !== undefined ? { correct: r.correct } : {}),
      ...traceConfidenceJson(r),
    };
  }
  return {
    kind: 'preference',
    id: r.id,
    prompt: r.prompt,
    ...messagesJson(r),
    responses: r.responses.map((x) => ({ text: x.text, chosen: x.chosen })),
    ...(r.subset !== undefined ? { subset: r.subset } : {}),
  };
}

/** The whole `inspect --json` object. */
export function inspectJson(doc: ParsedDocument): Record<string, unknown> {
  return { format: doc.format, records: doc.records.map(inspectRecordJson), problems: doc.problems.map(problemJson) };
}

/** A judge's report as `--json` prints it (snake_case, only the fields that apply). */
export function judgeJson(j: JudgeReport): Record<string, unknown> {
  return {
    name: j.name,
    model: j.model,
    text: j.text,
    verdict: j.verdict,
    truncated: j.truncated,
    source: j.source,
    ...(j.unaligned !== undefined && j.unaligned.length > 0 ? { unaligned: j.unaligned } : {}),
    ...(j.principles !== undefined ? { principles: j.principles } : {}),
    ...(j.textBa !== undefined ? { text_ba: j.textBa } : {}),
  };
}

/** `"judge"` and, for pairwise judges, `"order_ab"`, `"order_ba"` and `"consistent"` of a record. */
function judgeFields(j: JudgeReport | undefined): Record<string, unknown> {
  if (j === undefined) return {};
  return {
    judge: judgeJson(j),
    ...(j.orderAb !== undefined ? { order_ab: j.orderAb } : {}),
    ...(j.orderBa !== undefined ? { order_ba: j.orderBa } : {}),
    ...(j.consistent !== undefined ? { consistent: j.consistent } : {}),
  };
}

/** One scored record as `reward-lens score --json` prints it (one JSONL line with `--out`). */
export function scoreRecordJson(s: ScoredRecord): Record<string, unknown> {
  if (s.kind === 'trace') {
    const confidence = stepConfidenceJson(s.record);
    return {
      kind: 'trace',
      id: s.record.id,
      steps: s.record.steps.map((step, i) => {
        const sc = s.steps[i];
        return {
          text: step.text,
          score: sc?.score ?? null,
          critique: sc?.critique ?? null,
          ...(sc?.verdict !== undefined ? { verdict: sc.verdict } : {}),
          ...(sc?.source !== undefined ? { source: sc.source } : {}),
          ...(confidence ? { confidence: confidence[i] ?? null } : {}),
        };
      }),
      ...traceConfidenceJson(s.record, s.steps.map((x) => x.score)),
      scores: { min: s.scores.min ?? null, product: s.scores.product ?? null, mean: s.scores.mean ?? null, last: s.scores.last ?? null },
      score: s.score ?? null,
      first_error: s.firstError,
      device: s.device,
      ...judgeFields(s.results[0]?.judge),
      ...(s.warnings.length > 0 ? { warnings: s.warnings } : {}),
    };
  }
  return {
    kind: 'preference',
    id: s.record.id,
    ...(s.record.subset !== undefined ? { subset: s.record.subset } : {}),
    responses: s.record.responses.map((r, i) => {
      const judge = s.results[i]?.judge;
      return { text: r.text, chosen: r.chosen, score: s.responses[i]?.score ?? null, ...(judge !== undefined ? { judge: judgeJson(judge) } : {}) };
    }),
    margin: s.margin,
    agrees_with_label: s.agreesWithLabel,
    device: s.device,
    // The record's judge is its first response's (for a pair: that response as A, then as B).
    ...judgeFields(s.results[0]?.judge),
    ...(s.warnings.length > 0 ? { warnings: s.warnings } : {}),
  };
}
