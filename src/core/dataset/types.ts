/**
 * The normalised model every parser produces and every scorer, metric and editor surface consumes.
 * Offsets are UTF-16 code-unit offsets into the file text exactly as read (a BOM, if any, counts as one
 * character at offset 0), end-exclusive.
 */
import type { TraceLogprobs } from '../confidence/tokenLogprobs.js';

/** A half-open span `[start, end)` of UTF-16 code units in the file text. */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The dataset's own verdict on a step. `neutral` is PRM800K's rating 0 ("correct but no progress");
 * `unknown` means the dataset says nothing (unrated, or after ProcessBench's first error).
 */
export type StepLabel = 'good' | 'bad' | 'neutral' | 'unknown';

/** Which part of a response a step belongs to: the thinking / reasoning block, or the visible answer. */
export type StepPart = 'reasoning' | 'answer';

/** One reasoning step. `range` is absent only when the step has no place in the file text (e.g. `.eval` ZIPs). */
export interface Step {
  /** 0-based position within its trace. */
  readonly index: number;
  /** The decoded step text (JSON escapes resolved). */
  readonly text: string;
  /** Exact characters of this step in the file text, escapes included, quotes excluded. */
  readonly range?: SourceRange;
  readonly label: StepLabel;
  readonly part: StepPart;
}

/**
 * One chat turn of a prompt. Roles are normalised: `developer` is `system`; ShareGPT's `human` and every
 * other non-assistant role but `tool` are `user`; `gpt`, `model` and `bot` are `assistant`.
 */
export interface PromptMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
}

/** One reasoning trace: a prompt and the steps of one response. */
export interface Trace {
  readonly kind: 'trace';
  /** Stable id: the dataset's own id when it has one, else `<line>` / `<index>` based. */
  readonly id: string;
  /** Span of the whole record (a JSONL line, an array element, or the whole file). */
  readonly recordRange: SourceRange;
  readonly prompt: string;
  readonly promptRange?: SourceRange;
  /**
   * The prompt's chat turns in order (system prompt and earlier turns included) when it came from a message
   * list or a transcript; `prompt` is then their readable flattening. Chat-template contracts render these.
   */
  readonly promptMessages?: readonly PromptMessage[];
  readonly steps: readonly Step[];
  /** The final answer extracted from the response, when one can be found. */
  readonly answer?: string;
  /** The record's reference (ground-truth) answer, when it has one. */
  readonly reference?: string;
  /** Whether the dataset says the final answer is correct, when it says. */
  readonly correct?: boolean;
  /** Free-form extra fields worth showing (generator, subset, source...). Values are JSON. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The response's own token log-probabilities, matched to its steps, when the record carries them. */
  readonly logprobs?: TraceLogprobs;
}

/** One response of a preference set. */
export interface PreferenceResponse {
  readonly text: string;
  readonly range?: SourceRange;
  /** True for a response the dataset prefers (RewardBench 2 / Ties can have several). */
  readonly chosen: boolean;
  /** The response segmented into steps (ranges inside `range`). */
  readonly steps: readonly Step[];
  /** Optional model name that wrote it. */
  readonly model?: string;
  /** A dataset-supplied rating for this response (UltraFeedback score, HelpSteer helpfulness...). */
  readonly rating?: number;
}

/** A prompt with N ≥ 2 responses of which some are labelled preferred (one response for `unpaired`). */
export interface PreferenceSet {
  readonly kind: 'preference';
  readonly id: string;
  readonly recordRange: SourceRange;
  readonly prompt: string;
  readonly promptRange?: SourceRange;
  /** The prompt's chat turns, as for {@link Trace.promptMessages}. */
  readonly promptMessages?: readonly PromptMessage[];
  readonly responses: readonly PreferenceResponse[];
  /** Benchmark subset (RewardBench subset, RM-Bench domain, JudgeBench source...). */
  readonly subset?: string;
  /** Where the chosen label comes from, e.g. `chosen/rejected keys`, `overall_preference`, `label A>B`. */
  readonly labelSource: string;
  /**
   * The shape of the comparison: `pair` (one chosen, one rejected), `best-of-n` (RewardBench 2: the chosen
   * must outscore every rejected), `matrix3x3` (RM-Bench: chosen[i] vs rejected[j]), `unpaired` (TRL's unpaired
   * preference: one response whose `chosen` flag is the dataset's desirable/undesirable label).
   */
  readonly comparison: 'pair' | 'best-of-n' | 'matrix3x3' | 'unpaired';
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Any record a parser yields. */
export type DatasetRecord = Trace | PreferenceSet;

/** Several traces answering one prompt (best-of-N samples, RL groups). Built by `groupTracesByPrompt`. */
export interface TraceGroup {
  readonly kind: 'group';
  readonly prompt: string;
  readonly traces: readonly Trace[];
}

/** A located message about the input. Lines and columns are 1-based, as editors and compilers print them. */
export interface Problem {
  readonly line: number;
  readonly column: number;
  /** Offset into the file text, for editor ranges. */
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** What `parseDocument` returns: never throws for bad input. */
export interface ParsedDocument {
  /** Detected format id (see `formats/registry.ts`), or `unknown`. */
  readonly format: string;
  readonly records: readonly DatasetRecord[];
  readonly problems: readonly Problem[];
}
