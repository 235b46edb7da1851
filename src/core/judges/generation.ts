/**
 * The one interface every text generator implements for the generative judges: a local ONNX causal LM
 * (run in the model worker) or an OpenAI-compatible chat-completions server. Pure types: no I/O here.
 */

/** One chat turn sent to a judge model. */
export interface ChatTurn {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** What to generate. */
export interface GenerationRequest {
  /** The conversation; rendered with the model's chat template and its generation prompt. */
  readonly messages: readonly ChatTurn[];
  /**
   * Text the reply starts with, placed right after the generation prompt and continued by the model
   * (ThinkPRM: "\nLet's verify step by step:"). Not part of {@link GenerationResult.text}.
   */
  readonly assistantPrefix?: string;
  /** Most new tokens. */
  readonly maxTokens: number;
  /** Generation ends when the reply contains one of these strings (the stop string is not kept). */
  readonly stop?: readonly string[];
  /**
   * Verdict words whose log-probabilities the judge wants at each generated position (e.g. `correct` /
   * `incorrect`, `Yes` / `No`, `A` / `B`). Local generators watch the first token of each word (with and
   * without a leading space) and report them in {@link GeneratedToken.top}; servers report their own
   * `top_logprobs`.
   */
  readonly verdictWords?: readonly string[];
  /** 0 or absent: greedy. */
  readonly temperature?: number;
  readonly topP?: number;
  /** Seed for sampling (ignored when greedy). */
  readonly seed?: number;
}

/** One alternative at a generated position. */
export interface TokenAlternative {
  readonly token: string;
  readonly logprob: number;
}

/** One generated token with its log-probability and the alternatives known at its position. */
export interface GeneratedToken {
  /** The token's text; the texts of all tokens concatenate to {@link GenerationResult.text}. */
  readonly text: string;
  /** Natural-log probability of this token. */
  readonly logprob: number;
  /** Alternatives at this position (servers: `top_logprobs`; local: the watched verdict tokens). */
  readonly top: readonly TokenAlternative[];
}

/** Why generation ended: `stop` (EOS or a stop string), `length` (max tokens or context), `cancelled`. */
export type FinishReason = 'stop' | 'length' | 'cancelled';

/** A generated reply. */
export interface GenerationResult {
  /**
   * The reply as the model wrote it, thinking included: when a server splits the thinking out (`reasoning`,
   * `reasoning_content`) and gives no token texts, it is rejoined as `<think>\n{reasoning}\n</think>\n\n{content}`.
   */
  readonly text: string;
  readonly finish: FinishReason;
  /** Per-token log-probabilities, when the generator has them (always locally; servers when they return `logprobs`). */
  readonly tokens?: readonly GeneratedToken[];
  /** The model that wrote it: a server's model id, or the local model's fingerprint. */
  readonly model: string;
  /** Where it ran: `cpu`, `webgpu`, `cuda`, or the server's host. */
  readonly device: string;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/** Progress while generating: the text so far grows by `delta`. */
export interface GenerationProgress {
  readonly delta: string;
  /** Tokens generated so far in this reply. */
  readonly tokens: number;
}

/** A judge model. Calls may run concurrently; implementations limit concurrency themselves. */
export interface TextGenerator {
  /** Stable id used in caches and sidecars: server URL + model id, or the local model fingerprint. */
  readonly id: string;
  readonly description: string;
  /** Whether results carry {@link GenerationResult.tokens} with log-probabilities. */
  readonly hasLogprobs: boolean;
  /**
   * Generates one reply. On abort, rejects with an `AbortError` (servers) or returns what was generated with
   * finish `cancelled` (local). Errors name the server's status and message, or the model file.
   */
  generate(request: GenerationRequest, opts?: { readonly signal?: AbortSignal; readonly onProgress?: (p: GenerationProgress) => void }): Promise<GenerationResult>;
  dispose(): Promise<void>;
}
