import { parseArgs } from 'node:util';
import { runCommand, UsageError, type CliIo } from './commands.js';

/** Parses the command line and runs it; returns the exit code (2 for usage errors and unreadable files). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        model: { type: 'string', default: 'builtin' },
        preset: { type: 'string' },
        device: { type: 'string', default: 'auto' },
        format: { type: 'string' },
        map: { type: 'string' },
        threshold: { type: 'string' },
        aggregation: { type: 'string' },
        segment: { type: 'string' },
        'prm800k-zero': { type: 'string' },
        'batch-size': { type: 'string' },
        'cache-dir': { type: 'string' },
        bidirectional: { type: 'boolean', default: false },
        dtype: { type: 'string' },
        int4: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        python: { type: 'string' },
        endpoint: { type: 'string' },
        judge: { type: 'string' },
        'judge-model': { type: 'string' },
        'server-model': { type: 'string' },
        rubric: { type: 'string' },
        'api-key-env': { type: 'string' },
        concurrency: { type: 'string' },
        'max-tokens': { type: 'string' },
        'step-tag-id': { type: 'string' },
        tokenizer: { type: 'string' },
        offset: { type: 'string' },
        limit: { type: 'string' },
        sample: { type: 'string' },
        seed: { type: 'string' },
        probes: { type: 'string' },
        top: { type: 'string' },
        html: { type: 'string' },
        sidecar: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    io.err(`reward-lens: ${(err as Error).message}\nRun "reward-lens --help" for usage.\n`);
    return 2;
  }
  try {
    return await runCommand(parsed.positionals, parsed.values, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`reward-lens: ${err.message}\n`);
      return 2;
    }
    io.err(`reward-lens: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}

