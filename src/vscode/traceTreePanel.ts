import type { DatasetRecord, Trace } from '../core/dataset/types.js';
import { groupTracesByPrompt } from '../core/formats/groupTraces.js';
import { aggregate } from '../core/scoring/aggregate.js';
import { assembleScored } from '../core/scoring/scoreRecords.js';
import { buildStepTree, chooseTreeScores, datasetStepScores, treeInputOfTrace, treeInputsOfPreference, type TreeResponseScores } from '../core/tree/buildStepTree.js';
import type { TraceTreeView, ViewScoring } from '../protocol/messages.js';
import type { IndexedDocument } from './documentIndex.js';
import type { PanelContent, PanelDeps } from './webviewPanel.js';

/** Webview type of the Trace Tree panel. */
export const TRACE_TREE_VIEW_TYPE = 'rewardLens.traceTree';

/** Record indices of the traces sharing the prompt of the trace at `recordIndex` (just it for a preference record). */
export function treeMembers(doc: IndexedDocument, recordIndex: number): number[] {
  // The whole file's traces may share the prompt: the tree reads every record.
  const records = doc.records.all();
  const record = records[recordIndex];
  if (record?.kind !== 'trace') return record ? [recordIndex] : [];
  const indexOf = new Map<DatasetRecord, number>(records.map((r, i) => [r, i]));
  const traces = records.filter((r): r is Trace => r.kind === 'trace' && r.prompt === record.prompt);
  const group = groupTracesByPrompt(traces).find((g) => g.traces.includes(record));
  return (group?.traces ?? [record]).map((t) => indexOf.get(t) ?? recordIndex);
}

/** The view settings part of a snapshot. */
export function viewScoring(deps: PanelDeps, stale: boolean): ViewScoring {
  const s = deps.settings();
  return { model: deps.scores.status.model, threshold: s.threshold, highThreshold: s.highThreshold, aggregation: s.aggregation, stale };
}

function modelScores(deps: PanelDeps, doc: IndexedDocument, record: DatasetRecord): (TreeResponseScores | undefined)[] {
  const stored = deps.scores.lookup(doc.uri, record);
  if (!stored) return [];
  const s = deps.settings();
  const scored = assembleScored(record, stored.results, { threshold: s.threshold, aggregation: s.aggregation, batchSize: 1 });
  if (scored.kind === 'trace') return [{ steps: scored.steps.map((x) => x.score), ...(scored.score !== undefined ? { trace: scored.score } : {}), stale: stored.stale }];
  return scored.responses.map((r) => ({ steps: r.steps.map((x) => x.score), ...(r.score !== undefined ? { trace: r.score } : {}), stale: stored.stale }));
}

/** The Trace Tree content: every trace with the record's prompt, merged by shared step prefix. */
export function traceTreeContent(deps: PanelDeps): PanelContent {
  return {
    viewType: TRACE_TREE_VIEW_TYPE,
    title: 'Trace Tree',
    snapshot(doc, recordIndex): TraceTreeView | { unavailable: string } {
      const record = doc.records.record(recordIndex);
      if (!record) return { unavailable: `Record ${recordIndex + 1} is no longer in the file.` };
      const store = deps.scores.store(doc.uri);
      const agg = deps.settings().aggregation;
      let inputs;
      let unscoredCount: number;
      if (record.kind === 'trace') {
        const members = treeMembers(doc, recordIndex);
        const traces = members.map((i) => doc.records.record(i)).filter((r): r is Trace => r?.kind === 'trace');
        const fromDataset = traces.map((t): TreeResponseScores | undefined => {
          const steps = datasetStepScores(t);
          const trace = steps && aggregate(steps, agg);
          return steps ? { steps, ...(trace !== undefined ? { trace } : {}), stale: false } : undefined;
        });
        const chosen = chooseTreeScores(
          traces.map((t) => modelScores(deps, doc, t)[0]),
          fromDataset,
        );
        inputs = traces.map((t, k) => treeInputOfTrace(t, members[k] ?? recordIndex, chosen.scores[k]));
        unscoredCount = traces.filter((t) => store.current(t) === undefined).length;
        const tree = buildStepTree(record.prompt, inputs);
        return view(deps, doc, recordIndex, tree, chosen.source, unscoredCount);
      }
      const scores = modelScores(deps, doc, record);
      inputs = treeInputsOfPreference(record, recordIndex, scores);
      unscoredCount = store.current(record) === undefined ? record.responses.length : 0;
      return view(deps, doc, recordIndex, buildStepTree(record.prompt, inputs), scores.length > 0 ? 'model' : 'none', unscoredCount);
    },
    scoreTargets(doc, recordIndex) {
      const members = treeMembers(doc, recordIndex);
      const store = deps.scores.store(doc.uri);
      const unscored = members.filter((i) => {
        const r = doc.records.record(i);
        return r !== undefined && store.current(r) === undefined;
      });
      return unscored.length > 0 ? { indices: unscored, force: false } : { indices: members, force: true };
    },
  };
}

function view(deps: PanelDeps, doc: IndexedDocument, recordIndex: number, tree: TraceTreeView['tree'], scoreSource: TraceTreeView['scoreSource'], unscoredCount: number): TraceTreeView {
  return {
    kind: 'traceTree',
    fileName: doc.uri.path.split('/').pop() ?? '',
    focusRecordIndex: recordIndex,
    tree,
    scoreSource,
    unscoredCount,
    scoring: viewScoring(deps, tree.traces.some((t) => t.stale)),
  };
}
