import type { Scorer } from '../core/scoring/scorer.js';
import { openScorer } from '../scorers/openScorer.js';
import type { CliIo, Flags } from './commands.js';
import { UsageError } from './commands.js';

/** The scorer named by `--model` (default `builtin`); a folder that fails to load falls back to the verifier with a message. */
export async function createScorer(flags: Flags, io: CliIo): Promise<Scorer> {
  const model = typeof flags['model'] === 'string' ? flags['model'] : 'builtin';
  const device = typeof flags['device'] === 'string' ? flags['device'] : 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'webgpu' && device !== 'cuda') {
    throw new UsageError(`--device must be auto, cpu, webgpu or cuda (got "${device}").`);
  }
  return openScorer(
    {
      model,
      preset: typeof flags['preset'] === 'string' ? flags['preset'] : undefined,
      device,
      cacheDir: typeof flags['cache-dir'] === 'string' ? flags['cache-dir'] : undefined,
      bidirectional: flags['bidirectional'] === true,
    },
    (message) => io.err(`reward-lens: ${message}\n`),
  );
}
