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
  /**
   * For a response of a preference set: every response of the set (as `response` or the step texts joined)
   * and this one's index, so pairwise judges can compare it with the others. Labels are never passed.
   */
  readonly siblings?: { readonly responses: readonly string[]; readonly index: number };
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
  /**
   * For a generative judge: its verdict on this step. `not-judged` (score NaN) when the judge said nothing
   * that can be placed on this step, or (ProcessBench critic) the step follows the earliest error.
   */
  readonly verdict?: 'correct' | 'incorrect' | 'not-judged';
  /**
   * For a generative judge: where the score comes from — `logprob`: the probability of the positive verdict
   * token against the negative one at the verdict position; `verdict`: 1 or 0 from the verdict text.
   */
  readonly source?: 'logprob' | 'verdict';
}

/** One principle of a rubric judge and the judge's answer. */
export interface PrincipleVerdict {
  readonly principle: string;
  readonly weight: number;
  /** null when the judge gave no answer for it. */
  readonly satisfied: boolean | null;
  readonly reason: string;
}

/** What a generative judge wrote about one request, kept with the result (sidecar, `--json`). */
export interface JudgeReport {
  /** The judge's name (`thinkprm`, `processbench-critic`, `pairwise`, …). */
  readonly name: string;
  /** The generating model (server model id or local model fingerprint). */
  readonly model: string;
  /** The judge's whole output (thinking included); for pairwise judges the A/B order's output. */
  readonly text: string;
  /** The parsed final verdict as written (`Yes`, `2`, `A`, `A>>B`, `4`), or null when none could be read. */
  readonly verdict: string | null;
  /** True when generation hit the token limit (or the context) before the judge finished. */
  readonly truncated: boolean;
  /** `logprob` when the score came from verdict-token probabilities, `verdict` when from the text (1/0). */
  readonly source: 'logprob' | 'verdict';
  /** Verdict text the parser found but could not place on a step, quoted raw. */
  readonly unaligned?: readonly string[];
  /** Per request step: the span of `text` that is the judge's part about that step, or null. */
  readonly stepSpans?: readonly ({ readonly start: number; readonly end: number } | null)[];
  /** Pairwise judges: the verdict with this response as A, and with it as B (both as written), and the B/A output. */
  readonly orderAb?: string | null;
  readonly orderBa?: string | null;
  readonly textBa?: string;
  /** Pairwise judges: whether both orders picked the same response. */
  readonly consistent?: boolean;
  /** Rubric judges: each principle's answer and reason. */
  readonly principles?: readonly PrincipleVerdict[];
}

/** A scorer's result for one request. */
export interface ScoreResult {
  /** One entry per request step (empty for sequence-only scorers). */
  readonly steps: readonly StepScore[];
  /** Whole-response score from a sequence classifier (raw logit), when the scorer is an ORM. */
  /**
   * Whole-response score: an ORM's raw logit; for a response-level judge (pairwise, Prometheus, rubric) a
   * value in [0, 1] (the share of games won, the rescaled rating, the weighted share of principles met).
   */
  readonly sequenceScore?: number;
  /** Where it ran: `builtin`, `cpu`, `webgpu`, `cuda`, or a remote host. */
  readonly device: string;
  /** Non-fatal notes (e.g. a truncated overlong trace). */
  readonly warnings?: readonly string[];
  /** A generative judge's output and verdicts. */
  readonly judge?: JudgeReport;
}

/** A reward model. Implementations must keep result order equal to request order. */
export interface Scorer {
  /** Stable id used in sidecars and caches: `builtin`, or a model fingerprint. */
  readonly id: string;
  /** Human description: model name and contract. */
  readonly description: string;
  /** `step` scorers give per-step scores; `sequence` scorers only `sequenceScore`. */
  readonly granularity: 'step' | 'sequence';
  /**
   * Set when the score of step i depends only on the request's prompt, chat turns and steps 0..i (texts and
   * parts), never on later steps, for any request without a `reference` (a reference may be checked against the
   * final answer wherever the trace states it, which can be a later step). Callers may then take a request's
   * step scores from the first steps of a longer request's result (the probes do).
   */
  readonly prefixStable?: true;
  /** Scores a batch. Rejects with an `AbortError` when `signal` fires between batches. */
  score(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<readonly ScoreResult[]>;
  /** Releases sessions and workers. */
  dispose(): Promise<void>;
}
