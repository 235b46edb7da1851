import type { DatasetRecord, Problem } from './types.js';

/**
 * What the Dataset Explorer's table shows of one row (one JSONL line, array element or Parquet row) before any
 * record is opened: small, plain JSON, built once while indexing.
 */
export interface RowSummary {
  /** 0-based row position in the file (the index's key, and the sidecar log's). */
  readonly position: number;
  /** The first record's id ('' when the row holds none). */
  readonly id: string;
  readonly kind: 'trace' | 'preference' | 'none';
  /** The prompt, whitespace collapsed, cut to {@link EXCERPT_CHARS}. */
  readonly prompt: string;
  /** Steps of the trace, or of every response of a preference set. */
  readonly steps: number;
  /** Responses of a preference set; 1 for a trace. */
  readonly responses: number;
  /**
   * The dataset's label in a few words: `correct`, `incorrect`, `error at step 3`, `no error`, `chosen 1 of 2`,
   * `desirable`/`undesirable`, or '' when the record carries none.
   */
  readonly label: string;
  /** The dataset's own first bad step (0-based), `null` when it says every step is fine, absent when it says nothing. */
  readonly labelledFirstError?: number | null;
  /** Benchmark subset, when the record has one. */
  readonly subset?: string;
  /** Records in this row (a row can hold several, e.g. a group of responses); 0 when unreadable. */
  readonly records: number;
  /** The first problem reading this row, when it could not be read (or only partly). */
  readonly problem?: string;
}

/** Longest prompt excerpt kept per row. */
export const EXCERPT_CHARS = 120;

function excerpt(text: string): string {
  // Only the head of a long prompt can show: collapse the whitespace of that much, not of the whole text.
  const head = EXCERPT_CHARS * 2;
  const flat = text.slice(0, head).replace(/\s+/g, ' ').trim();
  const cut = flat.length > EXCERPT_CHARS || (text.length > head && flat.length === EXCERPT_CHARS);
  if (cut) return `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
  return text.length > head ? `${flat}…` : flat;
}

function labelOf(record: DatasetRecord): { label: string; first?: number | null } {
  if (record.kind === 'preference') {
    if (record.comparison === 'unpaired') return { label: record.responses[0]?.chosen === true ? 'desirable' : 'undesirable' };
    const chosen = record.responses.filter((r) => r.chosen).length;
    return { label: `chosen ${chosen} of ${record.responses.length}` };
  }
  const bad = record.steps.findIndex((s) => s.label === 'bad');
  const labelled = record.steps.some((s) => s.label !== 'unknown');
  if (bad >= 0) return { label: `error at step ${bad + 1}`, first: bad };
  if (labelled) return { label: 'no error', first: null };
  if (record.correct === true) return { label: 'correct' };
  if (record.correct === false) return { label: 'incorrect' };
  return { label: '' };
}

/** Summarises the records one row parsed into (and the first problem, if any). */
export function summarizeRow(position: number, records: readonly DatasetRecord[], problems: readonly Pick<Problem, 'message'>[]): RowSummary {
  const first = records[0];
  const problem = problems[0]?.message;
  if (first === undefined) {
    return { position, id: '', kind: 'none', prompt: '', steps: 0, responses: 0, label: '', records: 0, ...(problem !== undefined ? { problem } : {}) };
  }
  const steps = first.kind === 'trace' ? first.steps.length : first.responses.reduce((n, r) => n + r.steps.length, 0);
  const { label, first: labelledFirstError } = labelOf(first);
  const subset = first.kind === 'preference' ? first.subset : typeof first.metadata['subset'] === 'string' ? first.metadata['subset'] : undefined;
  return {
    position,
    id: first.id,
    kind: first.kind,
    prompt: excerpt(first.prompt),
    steps,
    responses: first.kind === 'trace' ? 1 : first.responses.length,
    label,
    ...(labelledFirstError !== undefined ? { labelledFirstError } : {}),
    ...(subset !== undefined ? { subset } : {}),
    records: records.length,
    ...(problem !== undefined ? { problem } : {}),
  };
}
