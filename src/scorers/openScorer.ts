import type { Scorer } from '../core/scoring/scorer.js';
import { createBuiltinVerifier } from '../core/verifier/builtinVerifier.js';
import type { Rubric } from '../core/judges/rubric.js';

/** Progress of a generative judge: tokens generated so far in the run, and the latest text. */
export interface JudgeProgress {
  readonly tokens: number;
  readonly delta: string;
}

/**
 * Which scorer to open: the built-in verifier, an exported model folder run by the ONNX engine, a PRM or ORM on a
 * serving engine (`endpoint` with a preset), or a generative judge (`judge`) run on a local model folder or an
 * OpenAI-compatible server.
 */
export interface ScorerChoice {
  /** `builtin`, or a model folder path (for a judge: the local generator's folder when there is no endpoint). */
  readonly model: string;
  readonly preset?: string | undefined;
  readonly device?: 'auto' | 'cpu' | 'webgpu' | 'cuda';
  readonly cacheDir?: string | undefined;
  readonly bidirectional?: boolean;
  /** A serving engine's base URL (vLLM, SGLang, TEI, or any OpenAI-compatible server for judges). */
  readonly endpoint?: string | undefined;
  /** A generative judge's name (`thinkprm`, `processbench-critic`, `pairwise`, …). */
  readonly judge?: string | undefined;
  /** The server's model id for a judge or a served reward model (default: the server's only model). */
  readonly serverModel?: string | undefined;
  /** Sent as a bearer token; never logged. */
  readonly apiKey?: string | undefined;
  /** Requests in flight to a server (default 8). */
  readonly concurrency?: number | undefined;
  /** The rubric of a `rubric` or `prometheus` judge. */
  readonly rubric?: Rubric | undefined;
  /** Most tokens a judge may write per request. */
  readonly maxTokens?: number | undefined;
  /** The PRM step tag id the serving engine pools on (vLLM's launch-time `step_tag_id`). */
  readonly stepTagId?: number | undefined;
  /**
   * A folder with the served reward model's tokenizer files: requests are rendered here with its chat template and
   * sent as text (needed for ORMs on SGLang; exact and batched on vLLM).
   */
  readonly tokenizerDir?: string | undefined;
  /** Called as a judge generates. */
  readonly onJudgeProgress?: ((p: JudgeProgress) => void) | undefined;
}

/**
 * The key scores of this choice are stored under in sidecars: `builtin`, the model folder (as before judges and
 * endpoints existed), `endpoint:URL#preset[@model]`, or `judge:NAME:SOURCE[@model][#rubric]`.
 */
export function choiceKey(choice: Pick<ScorerChoice, 'model' | 'preset' | 'endpoint' | 'judge' | 'serverModel'> & { readonly rubricFile?: string | undefined }): string {
  const at = choice.serverModel !== undefined && choice.serverModel !== '' ? `@${choice.serverModel}` : '';
  if (choice.judge !== undefined && choice.judge !== '') {
    const source = choice.endpoint !== undefined && choice.endpoint !== '' ? choice.endpoint : choice.model;
    return `judge:${choice.judge}:${source}${at}${choice.rubricFile !== undefined && choice.rubricFile !== '' ? `#${choice.rubricFile}` : ''}`;
  }
  if (choice.endpoint !== undefined && choice.endpoint !== '') return `endpoint:${choice.endpoint}#${choice.preset ?? ''}${at}`;
  return choice.model;
}

/** A model folder the user named explicitly could not be loaded (only thrown when there is no fallback). */
export class ScorerLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScorerLoadError';
  }
}

function describeError(err: unknown): string {
  return typeof (err as { describe?: unknown }).describe === 'function' ? (err as { describe(): string }).describe() : (err as Error).message;
}

/** Opens a generative judge over a server or a local model folder. */
async function openJudge(choice: ScorerChoice, judge: string): Promise<Scorer> {
  const { createJudgeScorer } = await import('../core/judges/judgeScorer.js');
  const endpoint = choice.endpoint;
  const generator =
    endpoint !== undefined && endpoint !== ''
      ? await (
          await import('../remote/chatGenerator.js')
        ).openChatGenerator({
          endpoint,
          ...(choice.serverModel !== undefined && choice.serverModel !== '' ? { model: choice.serverModel } : {}),
          ...(choice.apiKey !== undefined ? { apiKey: choice.apiKey } : {}),
          ...(choice.concurrency !== undefined ? { concurrency: choice.concurrency } : {}),
        })
      : await (await import('../model/localGenerator.js')).openLocalGenerator(choice.model, { device: choice.device ?? 'auto' });
  // Tokens across all outputs: each output reports its own running count (a new output starts again from 1).
  let tokens = 0;
  const lastCount = new Map<number, number>();
  try {
    const scorer = createJudgeScorer(judge, generator, {
      ...(choice.rubric !== undefined ? { rubric: choice.rubric } : {}),
      ...(choice.maxTokens !== undefined ? { maxTokens: choice.maxTokens } : {}),
      ...(choice.concurrency !== undefined ? { concurrency: choice.concurrency } : {}),
      onProgress: (p) => {
        const before = lastCount.get(p.requestIndex) ?? 0;
        tokens += p.tokens >= before ? p.tokens - before : p.tokens;
        lastCount.set(p.requestIndex, p.tokens);
        choice.onJudgeProgress?.({ tokens, delta: p.delta });
      },
    });
    return {
      id: scorer.id,
      description: scorer.description,
      granularity: scorer.granularity,
      score: (requests, signal) => scorer.score(requests, signal),
      async dispose() {
        await scorer.dispose();
        await generator.dispose();
      },
    };
  } catch (err) {
    await generator.dispose();
    throw err;
  }
}

/**
 * Opens the chosen scorer. A model folder that fails to load is reported through `onFallback` (with the engine's
 * message naming the file and the fix) and the built-in verifier is returned instead, so the editor stays usable.
 * Without `onFallback` (the CLI: a pipeline must never record verifier scores as the model's) the failure is a
 * {@link ScorerLoadError} saying why. Judges and endpoints never fall back: their failure is always an error.
 */
export async function openScorer(choice: ScorerChoice, onFallback?: (message: string) => void): Promise<Scorer> {
  const judge = choice.judge !== undefined && choice.judge !== '' ? choice.judge : undefined;
  const endpoint = choice.endpoint !== undefined && choice.endpoint !== '' ? choice.endpoint : undefined;
  if (judge !== undefined) {
    try {
      return await openJudge(choice, judge);
    } catch (err) {
      throw new ScorerLoadError(`cannot open the ${judge} judge on ${endpoint ?? `"${choice.model}"`}: ${describeError(err)}`);
    }
  }
  if (endpoint !== undefined) {
    try {
      const { openServingScorer } = await import('../remote/servingScorer.js');
      const render = choice.tokenizerDir !== undefined ? (await import('./serverRender.js')).serverRenderer(choice.preset ?? '', choice.tokenizerDir) : undefined;
      return await openServingScorer({
        ...(render !== undefined ? { render } : {}),
        endpoint,
        preset: choice.preset ?? '',
        ...(choice.serverModel !== undefined && choice.serverModel !== '' ? { model: choice.serverModel } : {}),
        ...(choice.apiKey !== undefined ? { apiKey: choice.apiKey } : {}),
        ...(choice.concurrency !== undefined ? { concurrency: choice.concurrency } : {}),
        ...(choice.stepTagId !== undefined ? { stepTagId: choice.stepTagId } : {}),
      });
    } catch (err) {
      throw new ScorerLoadError(`cannot use the reward model served at ${endpoint}: ${describeError(err)}`);
    }
  }
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
    const reason = describeError(err);
    if (onFallback === undefined) throw new ScorerLoadError(`cannot load the model in "${choice.model}": ${reason}`);
    onFallback(`Could not load the model in "${choice.model}": ${reason} Using the built-in verifier instead.`);
    return createBuiltinVerifier();
  }
}
