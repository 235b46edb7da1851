// Messages between a local TextGenerator (caller's thread, localGenerator.ts) and its generator worker
// thread (generatorWorker.ts). Plain data only: everything here crosses postMessage.
import type { GenerationRequest, GenerationResult } from '../core/judges/generation.js';
import type { Device, DeviceAttempt, DeviceChoice } from './devices.js';
import type { GeneratorDtype, GeneratorFormat } from './generator.js';
import type { WireError } from './workerProtocol.js';

/** `workerData` of a generator worker. */
export interface GeneratorWorkerInit {
  readonly dir: string;
  readonly device: DeviceChoice;
  readonly dtype?: GeneratorDtype;
  readonly prefillChunk?: number;
  readonly intraOpNumThreads?: number;
  /** Test hook: devices whose creation fails as if their provider threw. */
  readonly simulateFailures?: readonly Device[];
}

/** A GenerationRequest (plain data already), plus whether the caller wants progress messages. */
export type WireGenerationRequest = GenerationRequest & { readonly stream: boolean };

/** A token id watched for a verdict word, and its decoded text (as reported in `top`). */
export interface WatchedToken {
  readonly id: number;
  readonly token: string;
}

/** The prompt a request renders to, as the worker feeds it. */
export interface PreparedPrompt {
  /** The chat template's rendering with the generation prompt, then the assistant prefix. */
  readonly text: string;
  /** `text` tokenised without added special tokens (the template writes BOS itself where the model wants one). */
  readonly ids: readonly number[];
  /** The ids watched for the request's verdict words, in report order. */
  readonly watch: readonly WatchedToken[];
}

/** What the worker reports once the model is open. */
export interface LocalModelInfo {
  /** `onnx:` + a fingerprint of the graph, its weights, the tokenizer files and configs. */
  readonly id: string;
  readonly description: string;
  readonly device: Device;
  readonly attempts: readonly DeviceAttempt[];
  readonly modelPath: string;
  readonly format: GeneratorFormat;
  readonly eosIds: readonly number[];
  /** Prompt + generated tokens the model allows (Infinity when unknown; structured clone keeps it). */
  readonly maxPositions: number;
  readonly vocabSize: number;
  readonly cacheLocation: 'cpu' | 'gpu-buffer';
}

/** Caller → worker. */
export type ToGeneratorWorker =
  | { readonly type: 'generate'; readonly job: number; readonly request: WireGenerationRequest }
  | { readonly type: 'prepare'; readonly job: number; readonly request: WireGenerationRequest }
  | { readonly type: 'cancel'; readonly job: number }
  | { readonly type: 'dispose' };

/** Worker → caller. */
export type FromGeneratorWorker =
  | { readonly type: 'loaded'; readonly info: LocalModelInfo }
  | { readonly type: 'loadError'; readonly error: WireError }
  | { readonly type: 'progress'; readonly job: number; readonly delta: string; readonly tokens: number }
  | { readonly type: 'generated'; readonly job: number; readonly result: GenerationResult }
  | { readonly type: 'prepared'; readonly job: number; readonly prompt: PreparedPrompt }
  | { readonly type: 'failed'; readonly job: number; readonly error: WireError }
  | { readonly type: 'disposed' };
