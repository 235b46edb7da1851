import type { DatasetRecord, PreferenceSet, SourceRange, Step, StepLabel, Trace } from '../dataset/types.js';
import { answersMatch } from '../verifier/answers.js';
import type { CorrectnessSource, StepOccurrence, StepRef, StepTree, StepTreeNode, TreeScoreSource, TreeTrace } from './treeTypes.js';

/** Scores of one response, as the host found them (model scores or the dataset's own). */
export interface TreeResponseScores {
  /** One entry per step, in step order; `undefined` where a step has no score. */
  readonly steps: readonly (number | undefined)[];
  /** The response's aggregated (or sequence) score. */
  readonly trace?: number;
  /** True when these scores were computed for a different text of the record. */
  readonly stale: boolean;
}

/** One response to merge into a tree: a trace, or one response of a preference set. */
export interface TreeResponseInput {
  readonly id: string;
  readonly ref: StepRef;
  readonly steps: readonly Step[];
  readonly answer?: string;
  readonly reference?: string;
  /** The dataset's verdict on the final answer (`Trace.correct`). */
  readonly correct?: boolean;
  /** For preference responses: whether the dataset prefers this one. */
  readonly chosen?: boolean;
  readonly scores?: TreeResponseScores;
}

/**
 * The key steps are merged by: Unicode NFC, runs of whitespace collapsed to one space, ends trimmed. Case and
 * punctuation count, so `x = 2.` and `x = 2` stay apart.
 */
export function normaliseStepText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Correctness of a response: the dataset's verdict, else its answer checked against the reference (`answersMatch`). */
function correctness(input: TreeResponseInput): { correct?: boolean; correctSource?: CorrectnessSource } {
  if (input.correct !== undefined) return { correct: input.correct, correctSource: 'dataset' };
  if (input.answer !== undefined && input.reference !== undefined) return { correct: answersMatch(input.answer, input.reference), correctSource: 'reference' };
  if (input.chosen !== undefined) return { correct: input.chosen, correctSource: 'preference' };
  return {};
}

interface MutableNode {
  id: string;
  depth: number;
  text: string;
  occurrences: StepOccurrence[];
  ends: number[];
  traceCount: number;
  children: MutableNode[];
  byKey: Map<string, MutableNode>;
}

function newNode(id: string, depth: number, text: string): MutableNode {
  return { id, depth, text, occurrences: [], ends: [], traceCount: 0, children: [], byKey: new Map() };
}

function freeze(node: MutableNode): StepTreeNode {
  const scores = node.occurrences.flatMap((o) => (o.score === undefined ? [] : [o.score]));
  const stats =
    scores.length === 0
      ? {}
      : {
          score: scores.reduce((a, b) => a + b, 0) / scores.length,
          scoreMin: Math.min(...scores),
          scoreMax: Math.max(...scores),
        };
  return {
    id: node.id,
    depth: node.depth,
    text: node.text,
    occurrences: node.occurrences,
    ...stats,
    traceCount: node.traceCount,
    ends: node.ends,
    children: node.children.map(freeze),
  };
}

/**
 * Merges responses to one prompt into a prefix tree: two steps share a node exactly when their normalised texts
 * (`normaliseStepText`) are equal and so are the normalised texts of every step before them. Children keep the
 * order in which they are first seen; a node's score is the mean of its merged steps' scores (they differ only when
 * a scorer looks beyond the prefix, or when some scores are stale). Each response also becomes a `TreeTrace`
 * recording where it ends, its answer, correctness and trace score.
 */
export function buildStepTree(prompt: string, responses: readonly TreeResponseInput[]): StepTree {
  const root = newNode('r', 0, prompt);
  const traces: TreeTrace[] = [];
  let nodeCount = 0;
  responses.forEach((input, t) => {
    let node = root;
    root.traceCount++;
    input.steps.forEach((step, i) => {
      const key = normaliseStepText(step.text);
      let child = node.byKey.get(key);
      if (child === undefined) {
        child = newNode(`${node.id}.${node.children.length}`, node.depth + 1, step.text);
        node.byKey.set(key, child);
        node.children.push(child);
        nodeCount++;
      }
      const score = input.scores?.steps[i];
      child.occurrences.push({ trace: t, ref: { ...input.ref, stepIndex: step.index }, ...(score !== undefined ? { score } : {}), label: step.label });
      child.traceCount++;
      node = child;
    });
    node.ends.push(t);
    const score = input.scores?.trace;
    traces.push({
      id: input.id,
      ref: { recordIndex: input.ref.recordIndex, responseIndex: input.ref.responseIndex },
      endNodeId: node.id,
      stepCount: input.steps.length,
      ...(input.answer !== undefined ? { answer: input.answer } : {}),
      ...(input.reference !== undefined ? { reference: input.reference } : {}),
      ...correctness(input),
      ...(score !== undefined ? { score } : {}),
      stale: input.scores?.stale ?? false,
    });
  });
  return { prompt, root: freeze(root), traces, nodeCount };
}

/** The tree input of a trace at `recordIndex` of its document. */
export function treeInputOfTrace(trace: Trace, recordIndex: number, scores?: TreeResponseScores): TreeResponseInput {
  return {
    id: trace.id,
    ref: { recordIndex, responseIndex: 0 },
    steps: trace.steps,
    ...(trace.answer !== undefined ? { answer: trace.answer } : {}),
    ...(trace.reference !== undefined ? { reference: trace.reference } : {}),
    ...(trace.correct !== undefined ? { correct: trace.correct } : {}),
    ...(scores !== undefined ? { scores } : {}),
  };
}

/**
 * The tree inputs of a preference set's responses (best-of-N sets make natural trees). `scores[i]` belongs to
 * response `i`. Ids are `<record id>/<response number>`.
 */
export function treeInputsOfPreference(set: PreferenceSet, recordIndex: number, scores: readonly (TreeResponseScores | undefined)[] = []): TreeResponseInput[] {
  return set.responses.map((r, i): TreeResponseInput => {
    const s = scores[i];
    return {
      id: `${set.id}/${i + 1}`,
      ref: { recordIndex, responseIndex: i },
      steps: r.steps,
      chosen: r.chosen,
      ...(s !== undefined ? { scores: s } : {}),
    };
  });
}

/**
 * The dataset's own step scores of a trace, when its parser kept them (`metadata.datasetStepScores`, e.g. PRM800K's
 * P(rating = 1)) and there is exactly one finite number per step; otherwise undefined.
 */
export function datasetStepScores(trace: Trace): number[] | undefined {
  const raw = trace.metadata['datasetStepScores'];
  if (!Array.isArray(raw) || raw.length !== trace.steps.length) return undefined;
  const out: number[] = [];
  for (const v of raw) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}

/** Counts of the dataset labels among a node's occurrences (labels with no occurrence are left out). */
export function labelCounts(occurrences: readonly StepOccurrence[]): Partial<Record<StepLabel, number>> {
  const out: Partial<Record<StepLabel, number>> = {};
  for (const o of occurrences) out[o.label] = (out[o.label] ?? 0) + 1;
  return out;
}

/**
 * The text a `StepRef` points at in the file: a step's exact range, a preference response's range when no step is
 * named, and otherwise the empty range at the record's start (a cursor position). Steps or responses without a
 * place in the file (e.g. `.eval` archives) also fall back to the record's start.
 */
export function refRange(record: DatasetRecord, ref: StepRef): SourceRange {
  const start: SourceRange = { start: record.recordRange.start, end: record.recordRange.start };
  const steps = record.kind === 'trace' ? record.steps : record.responses[ref.responseIndex]?.steps;
  if (ref.stepIndex !== undefined) return steps?.find((s) => s.index === ref.stepIndex)?.range ?? start;
  if (record.kind === 'preference') return record.responses[ref.responseIndex]?.range ?? start;
  return start;
}

/**
 * The scores a tree shows, one source for the whole tree so colours stay comparable: the model's wherever any
 * response has model scores (responses without them stay unscored), else the dataset's own where any exist.
 */
export function chooseTreeScores(
  model: readonly (TreeResponseScores | undefined)[],
  dataset: readonly (TreeResponseScores | undefined)[],
): { readonly scores: readonly (TreeResponseScores | undefined)[]; readonly source: TreeScoreSource } {
  if (model.some((s) => s !== undefined)) return { scores: model, source: 'model' };
  if (dataset.some((s) => s !== undefined)) return { scores: dataset, source: 'dataset' };
  return { scores: model, source: 'none' };
}
