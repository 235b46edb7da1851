import type { DatasetRecord } from '../dataset/types.js';
import { parseJsonLines, runRowOf } from '../metrics/compareRuns.js';
import type { ScoreResult, StepScore } from '../scoring/scorer.js';
import type { RecordScores, SidecarData } from './scoreStore.js';

/**
 * "Compare With…": the scores of another run of a data file, shown beside the current model's (A) as B. A run is
 * another model's results in the file's sidecar (a `ScoreStore` for that model id satisfies {@link RunScores}) or
 * a `reward-lens score --out` file ({@link ScoreOutScores}).
 */
export interface RunScores {
  /** The run's results for a record (same shape as `ScoreStore.lookup`), `stale` when made for another text of it. */
  lookup(record: DatasetRecord): RecordScores | undefined;
  /** True when the run holds results for a record with this id (current or stale). */
  hasResultsFor(recordId: string): boolean;
}

/** Another model with results in a sidecar, and how many records it scored. */
export interface SidecarRun {
  readonly modelId: string;
  /** Distinct record ids with a stored result (a preference record stores one result per response). */
  readonly records: number;
}

/** The models other than `current` with at least one stored result in a sidecar, by model id. */
export function sidecarRuns(data: SidecarData, current: string): SidecarRun[] {
  return Object.entries(data.models)
    .filter(([id]) => id !== current)
    .map(([modelId, table]) => ({ modelId, records: new Set(Object.values(table).map((r) => r.recordId)).size }))
    .filter((r) => r.records > 0)
    .sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
}

/** One record of a `score --out` file: its results in `requestsOf` order and the texts they were made for. */
interface OutRecord {
  readonly kind: 'trace' | 'preference';
  /** A trace: one result with a score per step. A preference record: one per response, its score as `sequenceScore`. */
  readonly results: readonly ScoreResult[];
  /** A trace's step texts, or a preference record's response texts: a record whose texts differ is shown stale. */
  readonly texts: readonly string[];
}

/** The last path segment of a `/` or `\` path. */
function baseName(path: string): string {
  const parts = path.split(/[\\/]/u);
  return parts[parts.length - 1] ?? path;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `score --out` entry's `{text, score}` list (`steps` of a trace, `responses` of a preference record), or why not. */
function scoredTexts(v: unknown, key: 'steps' | 'responses'): { text: string; score: number }[] | string {
  if (!Array.isArray(v)) return `no "${key}" list`;
  const out: { text: string; score: number }[] = [];
  for (const [i, item] of v.entries()) {
    if (!isObject(item) || typeof item['text'] !== 'string') return `"${key}"[${i}] has no "text" string`;
    const score = item['score'];
    if (score !== null && typeof score !== 'number') return `"${key}"[${i}].score is not a number or null`;
    // null: that step or response was not scored (NaN, as a sidecar's null is read).
    out.push({ text: item['text'], score: score ?? Number.NaN });
  }
  return out;
}

/** A `score --out` line's object as an {@link OutRecord} for its file and id, or why it is not one. */
function outRecordOf(v: unknown): { file: string; id: string; record: OutRecord } | string {
  const row = runRowOf(v);
  if (typeof row === 'string') return row;
  const obj = v as Record<string, unknown>;
  const device = typeof obj['device'] === 'string' ? obj['device'] : 'none';
  if (row.kind === 'trace') {
    const steps = scoredTexts(obj['steps'], 'steps');
    if (typeof steps === 'string') return steps;
    const scores: StepScore[] = steps.map((s) => ({ score: s.score }));
    return { file: row.file, id: row.id, record: { kind: 'trace', results: [{ steps: scores, device }], texts: steps.map((s) => s.text) } };
  }
  const responses = scoredTexts(obj['responses'], 'responses');
  if (typeof responses === 'string') return responses;
  // The file keeps each response's combined score, not its step scores: it stands as a whole-response score.
  const results = responses.map((r): ScoreResult => (Number.isFinite(r.score) ? { steps: [], sequenceScore: r.score, device } : { steps: [], device }));
  return { file: row.file, id: row.id, record: { kind: 'preference', results, texts: responses.map((r) => r.text) } };
}

/** What reading a `score --out` file for one data file found. */
export interface ParsedScoreOut {
  readonly scores: ScoreOutScores;
  /** Located problems, `name:line: message`; the other lines are still used. */
  readonly problems: readonly string[];
  /** Records used (those of the data file, see `pairedById`). */
  readonly records: number;
  /** Records of other data files left out. */
  readonly otherFiles: number;
  /** True when no line names the data file: every record was used, matched to the data file's by id alone. */
  readonly pairedById: boolean;
}

/**
 * Reads a `reward-lens score --out` file (JSON Lines, one `scoreRecordJson` object plus `file` per line) as per-step
 * scores keyed by record id, for the data file named `dataFile` (a path; lines are matched on its base name). A line
 * that is torn, not JSON or not such an object is a problem `name:line: message`, and the rest are still read; a
 * record id seen twice keeps its last line. Pure: the caller reads the file.
 */
export function parseScoreOut(text: string, name: string, dataFile: string): ParsedScoreOut {
  const parsed = parseJsonLines(text, name, outRecordOf);
  const problems = parsed.problems;
  const rows = parsed.rows.map((r) => ({ ...r.row, line: r.line }));
  const base = baseName(dataFile);
  const ours = rows.filter((r) => baseName(r.file) === base);
  const pairedById = ours.length === 0 && rows.length > 0;
  const used = pairedById ? rows : ours;
  const byId = new Map<string, OutRecord>();
  const firstLine = new Map<string, number>();
  for (const r of used) {
    const seen = firstLine.get(r.id);
    if (seen !== undefined) problems.push(`${name}:${r.line}: record id "${r.id}" already on line ${seen}; this later line is used`);
    else firstLine.set(r.id, r.line);
    byId.set(r.id, r.record);
  }
  return { scores: new ScoreOutScores(byId), problems, records: byId.size, otherFiles: rows.length - used.length, pairedById };
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/**
 * A `score --out` file's scores, looked up by record id. A record whose step (or response) texts differ from those
 * the file was scored on gets its results marked stale, as the sidecar does for edited text.
 */
export class ScoreOutScores implements RunScores {
  constructor(private readonly byId: ReadonlyMap<string, OutRecord>) {}

  lookup(record: DatasetRecord): RecordScores | undefined {
    const out = this.byId.get(record.id);
    if (out === undefined || out.kind !== record.kind) return undefined;
    const texts = record.kind === 'trace' ? record.steps.map((s) => s.text) : record.responses.map((r) => r.text);
    return { results: out.results, stale: !sameTexts(texts, out.texts) };
  }

  hasResultsFor(recordId: string): boolean {
    return this.byId.has(recordId);
  }
}
