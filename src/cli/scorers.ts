import type { Scorer } from '../core/scoring/scorer.js';
import { createBuiltinVerifier } from '../core/verifier/builtinVerifier.js';
import type { CliIo, Flags } from './commands.js';

/**
 * The scorer named by `--model`: `builtin` (default), or a model folder loaded by the ONNX engine. A folder that
 * fails to load is reported and the built-in verifier is used instead, as DESIGN.md §6 asks.
 */
export async function createScorer(flags: Flags, io: CliIo): Promise<Scorer> {
  const model = typeof flags['model'] === 'string' ? flags['model'] : 'builtin';
  if (model === 'builtin') return createBuiltinVerifier();
  const { loadModelScorer } = await import('../model/loadScorer.js');
  const preset = typeof flags['preset'] === 'string' ? flags['preset'] : undefined;
  const device = typeof flags['device'] === 'string' ? flags['device'] : 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'webgpu' && device !== 'cuda') {
    io.err(`reward-lens: --device must be auto, cpu, webgpu or cuda (got "${device}"); using auto.\n`);
  }
  const cacheDir = typeof flags['cache-dir'] === 'string' ? flags['cache-dir'] : undefined;
  try {
    return await loadModelScorer({
      dir: model,
      ...(preset !== undefined ? { preset } : {}),
      device: device === 'cpu' || device === 'webgpu' || device === 'cuda' ? device : 'auto',
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      bidirectional: flags['bidirectional'] === true,
    });
  } catch (err) {
    io.err(`reward-lens: could not load the model in "${model}": ${(err as Error).message}\nFalling back to the built-in verifier.\n`);
    return createBuiltinVerifier();
  }
}
