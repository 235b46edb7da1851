/**
 * Types shared by the reward-model contracts: how a model's inputs are built from a trace and how its
 * outputs are read back as step scores. Pure: no Node, no onnxruntime. The tokenizer is reached through
 * {@link TokenizerPort}, so adapters can be tested with a fake one.
 */
import type { PromptMessage } from '../../dataset/types.js';
import type { ScoreResult } from '../scorer.js';

/** The named presets (CLI `--preset`, the model picker, `reward-lens.json`). */
export type PresetName = 'qwen2.5-math-prm' | 'math-shepherd' | 'rlhflow-prm' | 'skywork-o1-prm' | 'trl-prm' | 'skywork-reward-v2' | 'seq-cls';

/** What the ONNX graph's `logits` output holds. */
export type OutputKind =
  /** `[B, S, num_labels]`: a class distribution per token (Qwen2.5-Math-PRM, TRL PRMs). */
  | 'token-classification'
  /** `[B, S, vocab]`: next-token logits of a causal LM (Math-Shepherd, RLHFlow). */
  | 'causal-lm'
  /** `[B, S, 1]` or `[B, S]`: one scalar per token (Skywork-o1 PRM value head). */
  | 'value-head'
  /** `[B, num_labels]`: one raw score per sequence (Bradley–Terry ORMs). */
  | 'sequence-classification';

/**
 * Qwen2.5-Math-PRM style: chat template (system, user = prompt, assistant = steps each followed by the
 * separator token), softmax over the classes at each separator, class `labelIndex`.
 */
export interface ChatSeparatorParams {
  readonly kind: 'chat-separator';
  /** The step separator; must be a single token of the model's tokenizer (`<extra_0>`). */
  readonly separator: string;
  /** System message, or null for none. */
  readonly systemPrompt: string | null;
  /** Index of the "correct" class. */
  readonly labelIndex: number;
}

/**
 * TRL PRMTrainer style: prompt, then each step followed by the separator, tokenised piece by piece;
 * softmax at the last token of each separator, class `labelIndex` (`LABEL_1`).
 */
export interface PieceSeparatorParams {
  readonly kind: 'piece-separator';
  /** Step separator text (`"\n"` or `"\n\n"`); its token(s) close every step. */
  readonly separator: string;
  /**
   * `processbench`: `sep.join([prompt, *steps]) + sep` as ProcessBench's TRL script and TRL's docs score
   * (tokenizer specials around the whole text); `training`: PRMTrainer.tokenize_row (BOS if the
   * tokenizer has one, no separator after the prompt).
   */
  readonly layout: 'processbench' | 'training';
  readonly labelIndex: number;
}

/**
 * Math-Shepherd style causal LM: `prompt + promptJoiner + steps.map(s => s + stepSuffix).join(stepJoiner)`;
 * at each step tag, softmax over the logits of the good and bad tokens, P(good).
 */
export interface TaggedTextParams {
  readonly kind: 'tagged-text';
  /** The tag whose positions are read (`ки`); must be one token in context. */
  readonly stepTag: string;
  /** Text appended to every step (`" ки"`). */
  readonly stepSuffix: string;
  readonly stepJoiner: string;
  readonly promptJoiner: string;
  /** Good and bad tokens; `"+ -"` must tokenise to exactly these two tokens, as the reference code assumes. */
  readonly goodToken: string;
  readonly badToken: string;
}

/**
 * RLHFlow style causal LM: a chat where user turn k is step k (the first prefixed by the prompt and
 * `firstTurnJoiner`) and every assistant turn is the good token; score = P(good) from the logits that
 * predict each assistant good token.
 */
export interface ChatTurnsParams {
  readonly kind: 'chat-turns';
  readonly goodToken: string;
  readonly badToken: string;
  readonly firstTurnJoiner: string;
}

/**
 * Skywork-o1 PRM style value head: `bos + prompt + "\n"`, then each step tokenised alone and closed by the
 * step token (`"\n"`); sigmoid of the value at each closing token.
 */
export interface StepNewlinesParams {
  readonly kind: 'step-newlines';
  readonly stepToken: string;
  /** Text put before the prompt; null: the tokenizer's `bos_token` (empty when it has none). */
  readonly bosText: string | null;
  /** Apply sigmoid to the raw value (true for Skywork's exports, which return the raw `v_head` output). */
  readonly applySigmoid: boolean;
}

/**
 * Bradley–Terry sequence classifier (Skywork-Reward-V2 and any `*ForSequenceClassification` export):
 * chat template over user = prompt and assistant = response, raw logit, no sigmoid.
 */
export interface ChatResponseParams {
  readonly kind: 'chat-response';
  /** Joins the steps back into a response when the request has no full response text. */
  readonly responseJoiner: string;
  /** `auto`: the chat template when the tokenizer has one, otherwise `prompt + plainJoiner + response`. */
  readonly useChatTemplate: boolean | 'auto';
  readonly plainJoiner: string;
  /** Drop a BOS the template wrote when the tokenizer adds one itself (Skywork-Reward-V2's card). */
  readonly stripDuplicateBos: boolean;
  /** Column of `logits [B, num_labels]` that holds the reward. */
  readonly labelIndex: number;
}

/** The parameters of one contract. */
export type ContractParams = ChatSeparatorParams | PieceSeparatorParams | TaggedTextParams | ChatTurnsParams | StepNewlinesParams | ChatResponseParams;

/** The contract kinds. */
export type ContractKind = ContractParams['kind'];

/** One chat message for a chat template (the records' prompt turns are such messages). */
export type ChatMessage = PromptMessage;

/** What the contracts need from a tokenizer: the model's own `tokenizer.json` and chat template. */
export interface TokenizerPort {
  /** Token ids of `text`; with `addSpecialTokens` the post-processor's specials (BOS, CLS/SEP…) are added. */
  encode(text: string, addSpecialTokens: boolean): number[];
  decode(ids: readonly number[]): string;
  /** The id of an exact token string (vocabulary or added token), or undefined. */
  tokenToId(token: string): number | undefined;
  /** `bos_token` from tokenizer_config.json, when set. */
  readonly bosToken: string | undefined;
  /** Whether the folder carries a chat template (chat_template.jinja, or tokenizer_config.json's). */
  readonly hasChatTemplate: boolean;
  /** Renders the chat template exactly as `apply_chat_template(messages, tokenize=False)` would. */
  renderChat(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string;
  /**
   * The UTF-8 byte length of each token of `ids = encode(text, false)`, when the tokenizer can say
   * exactly (byte-level BPE whose normaliser leaves `text` unchanged); undefined otherwise. Lets one
   * encoding of a text locate where its prefixes end, instead of encoding every prefix.
   */
  tokenUtf8Lengths?(text: string, ids: readonly number[]): number[] | undefined;
}

/** A contract with its token ids resolved against one tokenizer. */
export interface ResolvedContract {
  readonly preset: PresetName;
  readonly params: ContractParams;
  readonly output: OutputKind;
  /** Token ids every read position must hold (separator / tag), when the contract reads by id. */
  readonly markerId?: number;
  /** Ids of the separator's tokens (piece-separator) or the step token (step-newlines). */
  readonly closingIds?: readonly number[];
  /** `[good, bad]` vocabulary columns for causal-LM contracts. */
  readonly columns?: readonly [number, number];
  /** Specials the tokenizer wraps around a plain encode (e.g. `[BOS]` before, `[SEP]` after). */
  readonly specialsBefore: readonly number[];
  readonly specialsAfter: readonly number[];
}

/** A trace or response turned into model input. */
export interface EncodedInput {
  readonly ids: readonly number[];
  /** Positions whose output rows give the step scores, in step order (empty for sequence contracts). */
  readonly reads: readonly number[];
}

/** Forward and backward (steps reversed) scores of BiPRM-style bidirectional scoring, by original step index. */
export interface BidirectionalScores {
  readonly forward: readonly number[];
  readonly backward: readonly number[];
}

/**
 * What the ONNX scorer returns: a {@link ScoreResult} plus bidirectional detail. With bidirectional
 * scoring each step's `score` is the mean of its forward and backward scores. A step that could not be
 * scored has `score` NaN and a critique saying why (the result's `warnings` say it too).
 */
export type ModelScoreResult = ScoreResult & {
  readonly bidirectional?: BidirectionalScores;
  /** Tokens in the scored input(s). */
  readonly tokens?: number;
};

/** A problem with a contract or its inputs, naming the parameter (`field`) and the fix. */
export class ContractError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}
