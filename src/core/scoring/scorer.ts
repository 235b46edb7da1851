import type { PromptMessage, StepPart } from '../dataset/types.js';

/**
 * The one interface every reward model implements: the built-in verifier, ONNX PRMs/ORMs, remote models.
 * Scores are probabilities in [0, 1] that a step is correct (higher is better), except an ORM's
 * `sequenceScore`, which is a raw Bradley–Terry logit (unbounded; compare with `sigmoid(a − b)`).
 */

/** What a scorer needs to know about one trace or response. */
export interface ScoreRequest {
  /** The prompt / problem text. */
  readonly prompt: string;
  /**
   * The prompt's chat turns (system prompt, earlier turns) when the record has them; `prompt` is their
   * flattening. Scorers that render a chat template render these turns; others read `prompt`.
   */
  readonly messages?: readonly PromptMessage[];
  /** The step texts in order (reasoning then answer steps). */
  readonly steps: readonly string[];
  /** Which part each step belongs to (reasoning or visible answer), when known; same length as `steps`. */
  readonly parts?: readonly StepPart[];
  /**
   * The whole response as the dataset wrote it, when the record has it (preference responses). Sequence
   * scorers score this text; joining the steps back could differ from it in whitespace.
   */
  readonly response?: string;
  /** The response's final answer when known (extracted by the parser). */
  readonly answer?: string;
  /** The reference (ground-truth) answer when the record has one. */
  readonly reference?: string;
}

/**
 * A rule-based check of the built-in verifier: exact arithmetic re-evaluation, the final answer against the
 * reference, repeats of earlier steps.
 */
export type StepCheck = 'arithmetic' | 'final-answer' | 'repeat';

/** One step's score and, where the scorer writes one, its critique. */
export interface StepScore {
  /** Probability-like score in [0, 1]; higher means more likely correct. */
  readonly score: number;
  /** A written critique naming what is wrong, or undefined when the scorer has nothing to say. */
  readonly critique?: string;
  /** For a rule-based verifier: the checks that applied to this step (found something to check), in a fixed order. */
  readonly checks?: readonly StepCheck[];
}

/** A scorer's result for one request. */
export interface ScoreResult {
  /** One entry per request step (empty for sequence-only scorers). */
  readonly steps: readonly StepScore[];
  /** Whole-response score from a sequence classifier (raw logit), when the scorer is an ORM. */
  readonly sequenceScore?: number;
  /** Where it ran: `builtin`, `cpu`, `webgpu`, `cuda`, or a remote host. */
  readonly device: string;
  /** Non-fatal notes (e.g. a truncated overlong trace). */
  readonly warnings?: readonly string[];
}

/** A reward model. Implementations must keep result order equal to request order. */
export interface Scorer {
  /** Stable id used in sidecars and caches: `builtin`, or a model fingerprint. */
  readonly id: string;
  /** Human description: model name and contract. */
  readonly description: string;
  /** `step` scorers give per-step scores; `sequence` scorers only `sequenceScore`. */
  readonly granularity: 'step' | 'sequence';
  /** Scores a batch. Rejects with an `AbortError` when `signal` fires between batches. */
  score(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<readonly ScoreResult[]>;
  /** Releases sessions and workers. */
  dispose(): Promise<void>;
}
