import type { ScoredRecord } from '../scoring/scoreRecords.js';

/** Formats a score for tables: three decimals, `-` when absent. */
export function formatScore(x: number | undefined | null): string {
  return x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(3);
}

/** One-line preview of untrusted text for a terminal: control and bidi characters removed, whitespace folded. */
export function preview(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/** A readable table of scored records for the terminal: one block per record, one row per step or response. */
export function formatScoreTable(fileName: string, scored: readonly ScoredRecord[], threshold: number): string {
  const lines: string[] = [];
  const device = scored[0]?.device;
  lines.push(`${fileName}: ${scored.length} record${scored.length === 1 ? '' : 's'}${device ? ` · device ${device}` : ''}`);
  for (const s of scored) {
    if (s.kind === 'trace') {
      const fe = s.firstError === null ? 'none' : `step ${s.firstError + 1}`;
      lines.push(`  ${s.record.id}  trace min=${formatScore(s.scores.min)} mean=${formatScore(s.scores.mean)}  first step < ${threshold}: ${fe}`);
      const judge = s.results[0]?.judge;
      if (judge !== undefined) lines.push(`    ${preview(`${judge.name} verdict: ${judge.verdict ?? 'none in the expected format'}${judge.truncated ? ' (output cut at the token limit)' : ''}`, 100)}`);
      s.record.steps.forEach((step, i) => {
        const sc = s.steps[i];
        const mark = sc !== undefined && sc.score < threshold ? '✗' : ' ';
        const value = sc?.verdict === 'not-judged' ? 'n/j  ' : formatScore(sc?.score);
        lines.push(`    ${String(i + 1).padStart(3)} ${mark} ${value}  ${preview(step.text, 70)}`);
        if (sc?.critique) lines.push(`          ↳ ${preview(sc.critique, 100)}`);
      });
    } else {
      const verdict = s.agreesWithLabel === null ? 'no label' : s.agreesWithLabel ? 'agrees with label' : 'DISAGREES with label';
      lines.push(`  ${s.record.id}${s.record.subset ? ` [${s.record.subset}]` : ''}  margin=${formatScore(s.margin)}  ${verdict}`);
      s.record.responses.forEach((r, i) => {
        lines.push(`    ${r.chosen ? 'chosen  ' : 'rejected'} ${formatScore(s.responses[i]?.score)}  ${preview(r.text, 70)}`);
        const j = s.results[i]?.judge;
        if (j?.orderAb !== undefined) lines.push(`          ↳ ${preview(`${j.name}: as A → ${j.orderAb ?? 'no verdict'}, as B → ${j.orderBa ?? 'no verdict'}${j.consistent === false ? ' (inconsistent: position bias)' : ''}`, 100)}`);
        else if (j !== undefined) lines.push(`          ↳ ${preview(`${j.name}: ${j.verdict ?? 'no verdict in the expected format'}`, 100)}`);
      });
    }
  }
  return lines.join('\n');
}
