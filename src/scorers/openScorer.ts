import type { Scorer } from '../core/scoring/scorer.js';
import { createBuiltinVerifier } from '../core/verifier/builtinVerifier.js';

/** Which scorer to open: the built-in verifier, or an exported model folder run by the ONNX engine. */
export interface ScorerChoice {
  /** `builtin`, or a model folder path. */
  readonly model: string;
  readonly preset?: string | undefined;
  readonly device?: 'auto' | 'cpu' | 'webgpu' | 'cuda';
  readonly cacheDir?: string | undefined;
  readonly bidirectional?: boolean;
}

/** A model folder the user named explicitly could not be loaded (only thrown when there is no fallback). */
export class ScorerLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScorerLoadError';
  }
}

/**
 * Opens the chosen scorer. A model folder that fails to load is reported through `onFallback` (with the engine's
 * message naming the file and the fix) and the built-in verifier is returned instead, so the editor stays usable.
 * Without `onFallback` (the CLI: a pipeline must never record verifier scores as the model's) the failure is a
 * {@link ScorerLoadError} saying why.
 */
export async function openScorer(choice: ScorerChoice, onFallback?: (message: string) => void): Promise<Scorer> {
  if (choice.model === 'builtin') return createBuiltinVerifier();
  try {
    // Loaded on first use only: onnxruntime-node is heavy and the built-in verifier never needs it.
    const { loadModelScorer } = await import('../model/loadScorer.js');
    return await loadModelScorer({
      dir: choice.model,
      ...(choice.preset !== undefined ? { preset: choice.preset } : {}),
      device: choice.device ?? 'auto',
      ...(choice.cacheDir !== undefined ? { cacheDir: choice.cacheDir } : {}),
      bidirectional: choice.bidirectional === true,
    });
  } catch (err) {
    const reason = typeof (err as { describe?: unknown }).describe === 'function' ? (err as { describe(): string }).describe() : (err as Error).message;
    if (onFallback === undefined) throw new ScorerLoadError(`cannot load the model in "${choice.model}": ${reason}`);
    onFallback(`Could not load the model in "${choice.model}": ${reason} Using the built-in verifier instead.`);
    return createBuiltinVerifier();
  }
}
