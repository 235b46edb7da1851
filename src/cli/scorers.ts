import type { Scorer } from '../core/scoring/scorer.js';
import { openScorer, ScorerLoadError } from '../scorers/openScorer.js';
import type { Flags } from './commands.js';
import { UsageError } from './commands.js';

/**
 * The scorer named by `--model` (default `builtin`). A folder that cannot be loaded is a usage error (exit 2)
 * with the reason: falling back to the verifier would let a pipeline record verifier scores as the model's.
 */
export async function createScorer(flags: Flags): Promise<Scorer> {
  const model = typeof flags['model'] === 'string' ? flags['model'] : 'builtin';
  const device = typeof flags['device'] === 'string' ? flags['device'] : 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'webgpu' && device !== 'cuda') {
    throw new UsageError(`--device must be auto, cpu, webgpu or cuda (got "${device}").`);
  }
  try {
    return await openScorer({
      model,
      preset: typeof flags['preset'] === 'string' ? flags['preset'] : undefined,
      device,
      cacheDir: typeof flags['cache-dir'] === 'string' ? flags['cache-dir'] : undefined,
      bidirectional: flags['bidirectional'] === true,
    });
  } catch (err) {
    if (err instanceof ScorerLoadError) throw new UsageError(err.message);
    throw err;
  }
}
