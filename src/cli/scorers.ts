import { readFileSync } from 'node:fs';
import type { Rubric } from '../core/judges/rubric.js';
import type { Scorer } from '../core/scoring/scorer.js';
import { choiceKey, openScorer, ScorerLoadError, type JudgeProgress } from '../scorers/openScorer.js';
import type { Flags } from './commands.js';
import { UsageError } from './commands.js';

function str(flags: Flags, key: string): string | undefined {
  const v = flags[key];
  return typeof v === 'string' ? v : undefined;
}

function positiveInt(flags: Flags, key: string): number | undefined {
  const v = str(flags, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} must be a positive integer (got "${v}").`);
  return n;
}

/**
 * The id the CLI's scores are stored under in sidecars and score logs: the same key the editor uses for the same
 * model, server or judge (`choiceKey`), so a score made by either shows in both.
 */
export function storeKeyOf(flags: Flags): string {
  return choiceKey({ model: str(flags, 'model') ?? 'builtin', preset: str(flags, 'preset'), endpoint: str(flags, 'endpoint'), judge: str(flags, 'judge'), serverModel: str(flags, 'judge-model') ?? str(flags, 'server-model'), rubricFile: str(flags, 'rubric') });
}

/**
 * The API key named by `--api-key-env VAR`: read from that environment variable, never from the command line (where
 * it would land in shell history and process listings).
 */
export function apiKeyOf(flags: Flags, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = str(flags, 'api-key-env');
  if (name === undefined) return undefined;
  const key = env[name];
  if (key === undefined || key === '') throw new UsageError(`--api-key-env names ${name}, but that environment variable is not set.`);
  return key;
}

async function rubricOf(flags: Flags): Promise<Rubric | undefined> {
  const path = str(flags, 'rubric');
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the rubric "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const { parseRubric } = await import('../core/judges/rubric.js');
  const parsed = parseRubric(text, path);
  if (!parsed.ok) throw new UsageError(parsed.problems.map((p) => `${path}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  return parsed.rubric;
}

/**
 * The scorer the flags name: `--model builtin|DIR` (default builtin), `--endpoint URL --preset NAME` (a reward model
 * on vLLM, SGLang or TEI), or `--judge NAME` with `--endpoint URL [--judge-model ID]` or `--model DIR`. A model or
 * server that cannot be used is a usage error (exit 2) with the reason: falling back to the verifier would let a
 * pipeline record verifier scores as the model's.
 */
export async function createScorer(flags: Flags, onJudgeProgress?: (p: JudgeProgress) => void): Promise<Scorer> {
  const model = str(flags, 'model') ?? 'builtin';
  const device = str(flags, 'device') ?? 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'webgpu' && device !== 'cuda') {
    throw new UsageError(`--device must be auto, cpu, webgpu or cuda (got "${device}").`);
  }
  const judge = str(flags, 'judge');
  const endpoint = str(flags, 'endpoint');
  const preset = str(flags, 'preset');
  if (judge !== undefined) {
    if (endpoint === undefined && model === 'builtin') throw new UsageError('--judge needs --endpoint URL (an OpenAI-compatible server) or --model DIR (a local generator export).');
    if (endpoint !== undefined && model !== 'builtin') throw new UsageError('--judge takes --endpoint URL or --model DIR, not both.');
  } else {
    if (endpoint !== undefined && preset === undefined) throw new UsageError('--endpoint needs --preset NAME for a served reward model (see `reward-lens models presets`), or --judge NAME for a generative judge.');
    if (endpoint !== undefined && model !== 'builtin') throw new UsageError('--endpoint and --model name two different models; give one.');
    if (str(flags, 'rubric') !== undefined) throw new UsageError('--rubric is for the rubric and prometheus judges (--judge NAME).');
  }
  const stepTag = positiveInt(flags, 'step-tag-id');
  try {
    return await openScorer({
      model,
      preset,
      device,
      cacheDir: str(flags, 'cache-dir'),
      bidirectional: flags['bidirectional'] === true,
      endpoint,
      judge,
      serverModel: str(flags, 'judge-model') ?? str(flags, 'server-model'),
      apiKey: apiKeyOf(flags),
      concurrency: positiveInt(flags, 'concurrency'),
      rubric: await rubricOf(flags),
      maxTokens: positiveInt(flags, 'max-tokens'),
      stepTagId: stepTag,
      tokenizerDir: str(flags, 'tokenizer'),
      onJudgeProgress,
    });
  } catch (err) {
    if (err instanceof ScorerLoadError) throw new UsageError(err.message);
    throw err;
  }
}
