import type { JsonEntry } from '../json/readJsonDocument.js';
import type { DatasetRecord, SourceRange } from '../dataset/types.js';
import type { SegmentationMode } from '../text/segmentSteps.js';

/**
 * User-facing parse options, built once from settings or CLI flags and passed down (never global).
 */
export interface ParseOptions {
  /** PRM800K rating 0: `neutral` keeps it distinct; `good` is Qwen's binarisation, `bad` is TRL's. */
  readonly prm800kRatingZero: 'neutral' | 'good' | 'bad';
  /** How free-text responses are cut into steps. */
  readonly segmentation: SegmentationMode;
  /** Key mapping for JSONL files in no known format (see `mapping.ts`); absent = none. */
  readonly mapping?: KeyMapping;
  /** Force a format id instead of detecting one. */
  readonly format?: string;
}

/** Default parse options. */
export const DEFAULT_PARSE_OPTIONS: ParseOptions = { prm800kRatingZero: 'neutral', segmentation: 'auto' };

/**
 * Names the keys of a custom JSONL format. Paths are dot-separated (`question.text`, `output.steps`).
 * Either `steps` (an array of strings) or `response` (free text to segment) must be given for traces;
 * `chosen` + `rejected` make preference records.
 */
export interface KeyMapping {
  readonly prompt?: string;
  readonly steps?: string;
  readonly response?: string;
  readonly labels?: string;
  readonly answer?: string;
  readonly reference?: string;
  readonly id?: string;
  readonly chosen?: string;
  readonly rejected?: string;
}

/** Every key a `KeyMapping` may name, for settings and flag validation. */
export const MAPPING_KEYS = ['prompt', 'steps', 'response', 'labels', 'answer', 'reference', 'id', 'chosen', 'rejected'] as const satisfies readonly (keyof KeyMapping)[];

/** A problem found inside one record; the range defaults to the record's span. */
export interface RecordProblem {
  readonly message: string;
  readonly range?: SourceRange;
  readonly severity?: 'error' | 'warning';
}

/** What a format's record parser returns for one entry. */
export interface RecordOutcome {
  readonly records: readonly DatasetRecord[];
  readonly problems: readonly RecordProblem[];
}

/** Context handed to record parsers. */
export interface FormatContext {
  /** The whole file text (ranges are offsets into it). */
  readonly text: string;
  readonly options: ParseOptions;
}

/** One supported file format. */
export interface FormatSpec {
  /** Stable id printed by `inspect` (`processbench`, `prm800k`, `trl-preference`...). */
  readonly id: string;
  /** Human name ("ProcessBench"). */
  readonly label: string;
  /**
   * How surely a top-level record belongs to this format: 0 = not at all, 1 = generic shape,
   * 2 = specific keys, 3 = unmistakable. Detection sums this over the first records.
   */
  detect(value: unknown): number;
  /** Parses one entry. Must not throw for any JSON value; wrong shapes become problems. */
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome;
  /**
   * Optional: for formats whose records span several entries (HelpSteer2's consecutive response pairs, a Codex
   * rollout whose lines are items of one session). When present it is called once with every entry instead of
   * `parse` per entry; each problem names the entry it belongs to.
   */
  parseEntries?(entries: readonly JsonEntry[], ctx: FormatContext): EntriesOutcome;
}

/** What `parseEntries` returns. */
export interface EntriesOutcome {
  readonly records: readonly DatasetRecord[];
  readonly problems: readonly (RecordProblem & { readonly entry: JsonEntry })[];
}
