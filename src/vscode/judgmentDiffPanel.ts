import { buildJudgment } from '../core/diff/alignResponses.js';
import { assembleScored } from '../core/scoring/scoreRecords.js';
import type { JudgmentDiffView } from '../protocol/messages.js';
import { viewScoring } from './traceTreePanel.js';
import type { PanelContent, PanelDeps } from './webviewPanel.js';

/** Webview type of the Judgment Diff panel. */
export const JUDGMENT_DIFF_VIEW_TYPE = 'rewardLens.judgmentDiff';

/** The Judgment Diff content: one preference record's responses, scores, margin and label. */
export function judgmentDiffContent(deps: PanelDeps): PanelContent {
  return {
    viewType: JUDGMENT_DIFF_VIEW_TYPE,
    title: 'Judgment Diff',
    snapshot(doc, recordIndex): JudgmentDiffView | { unavailable: string } {
      const record = doc.records.record(recordIndex);
      if (!record) return { unavailable: `Record ${recordIndex + 1} is no longer in the file.` };
      if (record.kind !== 'preference') {
        return { unavailable: `Record ${recordIndex + 1} is a single trace, not a preference record: open its Trace Tree to compare it with other responses to the same prompt.` };
      }
      const stored = deps.scores.lookup(doc.uri, record);
      const s = deps.settings();
      const scores = stored ? assembleScored(record, stored.results, { threshold: s.threshold, aggregation: s.aggregation, batchSize: 1 }) : undefined;
      const responses = scores?.kind === 'preference' ? scores.responses : [];
      // While comparing ("Compare With…"): the compared run's score of each response, combined the same way.
      const compared = deps.scores.comparison(doc.uri);
      const other = compared?.scores.lookup(record);
      const otherScored = other ? assembleScored(record, other.results, { threshold: s.threshold, aggregation: s.aggregation, batchSize: 1 }) : undefined;
      const otherScores = record.responses.map((_, i) => (otherScored?.kind === 'preference' ? (otherScored.responses[i]?.score ?? null) : null));
      return {
        kind: 'judgmentDiff',
        fileName: doc.uri.path.split('/').pop() ?? '',
        recordIndex,
        // Step scores travel too: their critiques explain each response's score beside the step they concern.
        judgment: buildJudgment(
          record,
          responses.map((r) => r.score),
          responses.map((r) => r.steps),
          record.responses.map((_, i) => stored?.results[i]?.judge),
        ),
        scoring: viewScoring(deps, stored?.stale ?? false),
        ...(compared ? { compared: { name: compared.name, scores: otherScores, stale: other?.stale ?? false } } : {}),
      };
    },
    scoreTargets(doc, recordIndex) {
      const record = doc.records.record(recordIndex);
      if (!record) return { indices: [], force: false };
      return { indices: [recordIndex], force: deps.scores.store(doc.uri).current(record) !== undefined };
    },
  };
}
