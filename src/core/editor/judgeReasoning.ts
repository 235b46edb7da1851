import type { JudgeReport } from '../scoring/scorer.js';

/** A span of the reasoning document that links back to a step of the record. */
export interface ReasoningLink {
  readonly start: number;
  readonly end: number;
  /** 0-based step index within the response. */
  readonly stepIndex: number;
}

/** The read-only "Show Judge Reasoning" document: a header, the judge's output, and the links to the steps. */
export interface ReasoningDocument {
  readonly text: string;
  readonly links: readonly ReasoningLink[];
}

/** What the header names. */
export interface ReasoningContext {
  readonly recordId: string;
  /** `response 2 of 3` for preference records, undefined for traces. */
  readonly response?: { readonly index: number; readonly count: number };
}

const RULE = '─'.repeat(40);

/**
 * Builds the reasoning document of one judged response: the judge, model, verdict and score source, then the
 * output exactly as written (the B/A order's output after it for pairwise judges). Each step's part (the report's
 * `stepSpans`) becomes a link: its first line, which the editor points at that step in the data file.
 */
export function judgeReasoningDocument(report: JudgeReport, ctx: ReasoningContext): ReasoningDocument {
  const header: string[] = [];
  header.push(`Judge: ${report.name} · model: ${report.model}`);
  header.push(`Record: ${ctx.recordId}${ctx.response !== undefined ? ` · response ${ctx.response.index + 1} of ${ctx.response.count}` : ''}`);
  header.push(`Verdict: ${report.verdict ?? 'none in the expected format'} · score from ${report.source === 'logprob' ? 'verdict-token probabilities' : 'the verdict text (1/0)'}${report.truncated ? ' · output cut at the token limit' : ''}`);
  if (report.orderAb !== undefined || report.orderBa !== undefined) {
    header.push(`Both orders: as A → ${report.orderAb ?? 'no verdict'} · as B → ${report.orderBa ?? 'no verdict'} · ${report.consistent === true ? 'consistent' : 'inconsistent (position bias)'}`);
  }
  for (const p of report.principles ?? []) {
    header.push(`  ${p.satisfied === null ? '?' : p.satisfied ? '✓' : '✗'} ${p.principle} (weight ${p.weight}): ${p.reason}`);
  }
  for (const u of report.unaligned ?? []) header.push(`Could not place on a step: ${u}`);
  const head = `${header.join('\n')}\n${RULE}\n${report.orderAb !== undefined ? 'Order A/B (this response as A):\n' : ''}`;
  const links: ReasoningLink[] = [];
  (report.stepSpans ?? []).forEach((span, stepIndex) => {
    if (span === null || span.end <= span.start || span.end > report.text.length) return;
    // Link the span's first line: the step's heading in the judge's words.
    const newline = report.text.indexOf('\n', span.start);
    const end = newline === -1 || newline > span.end ? span.end : newline;
    if (end > span.start) links.push({ start: head.length + span.start, end: head.length + end, stepIndex });
  });
  const tail = report.textBa !== undefined ? `\n${RULE}\nOrder B/A (this response as B):\n${report.textBa}` : '';
  return { text: `${head}${report.text}${tail}\n`, links };
}
