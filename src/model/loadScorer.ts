// The entry point for callers (CLI, extension): loadModelScorer() starts a worker thread that checks the
// folder and owns the model; the returned Scorer forwards score jobs to it. Nothing here blocks the
// caller's thread: tokenising, batching and onnxruntime's blocking run() all happen in the worker.
import type { ModelScoreResult, OutputKind, PresetName } from '../core/scoring/contracts/contractTypes.js';
import type { ScoreRequest, Scorer } from '../core/scoring/scorer.js';
import type { EngineOptions } from './buildEngine.js';
import type { Finding } from './checkModel.js';
import type { Device, DeviceAttempt, DeviceChoice } from './devices.js';
import { abortError, ModelError } from './modelError.js';
import type { EngineRequest, EngineStats } from './scoringEngine.js';
import type { FromWorker, ToWorker, WireError, WorkerInit } from './workerProtocol.js';
import { disposeWorker, rejectPending, serializeOnGpu, startWorker } from './workerThread.js';

/** Options of {@link loadModelScorer}. */
export interface LoadModelOptions {
  /** The model folder (`optimum-cli export onnx` output, optionally with reward-lens.json). */
  readonly dir: string;
  /** A preset name (see PRESETS); wins over the folder's manifest. */
  readonly preset?: string;
  /** `auto` (default): CUDA → WebGPU → CPU; or force one device (no fallback). */
  readonly device?: DeviceChoice;
  /** Folder for the on-disk score cache (memory only when absent). */
  readonly cacheDir?: string;
  /** BiPRM: also score each trace with its steps reversed; step score = mean of both. */
  readonly bidirectional?: boolean;
  /** Token limit per sequence; longer traces are windowed (see README). */
  readonly maxTokens?: number;
}

/** Internal knobs for tests and the benchmark. */
export interface LoadModelTuning {
  readonly simulateFailures?: readonly Device[];
  readonly noCache?: boolean;
  readonly maxBatchTokens?: number;
  readonly intraOpNumThreads?: number;
}

/** A Scorer backed by an ONNX reward model in a worker thread. */
export interface ModelScorer extends Scorer {
  readonly preset: PresetName;
  readonly output: OutputKind;
  /** `fp32`, `fp16` or `int4`. */
  readonly dtype: string;
  readonly maxTokens: number;
  /** Warnings from the folder check. */
  readonly findings: readonly Finding[];
  /** Results are {@link ModelScoreResult}s; each carries the device that computed it. */
  score(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<readonly ModelScoreResult[]>;
  /** The device in use (undefined before the first computed batch) and every device tried, with errors. */
  deviceInfo(): { readonly device: string | undefined; readonly attempts: readonly DeviceAttempt[] };
  /** Counters of the last score call. */
  lastStats(): EngineStats | undefined;
}

function toModelError(e: WireError, fallbackFile: string): ModelError {
  return new ModelError(e.message, e.file ?? fallbackFile, e.field, e.fix);
}

/**
 * Loads a reward model folder. Rejects with a {@link ModelError} (file, field, fix) when the folder is
 * unusable; the caller should then fall back to the built-in verifier. The onnxruntime session itself is
 * created on the first score call; a device or runtime failure then rejects that call with a ModelError.
 */
export async function loadModelScorer(opts: LoadModelOptions & LoadModelTuning): Promise<ModelScorer> {
  const init: WorkerInit & EngineOptions = {
    dir: opts.dir,
    ...(opts.preset !== undefined ? { preset: opts.preset } : {}),
    device: opts.device ?? 'auto',
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    bidirectional: opts.bidirectional === true,
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
    ...(opts.simulateFailures !== undefined ? { simulateFailures: opts.simulateFailures } : {}),
    ...(opts.maxBatchTokens !== undefined ? { maxBatchTokens: opts.maxBatchTokens } : {}),
    ...(opts.noCache === true ? { noCache: true } : {}),
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
  };
  const worker = startWorker('modelWorker', init, 'model worker');
  const pending = new Map<number, { resolve: (r: readonly ModelScoreResult[]) => void; reject: (e: Error) => void }>();
  let device: string | undefined;
  let attempts: readonly DeviceAttempt[] = [];
  let stats: EngineStats | undefined;
  let dead: Error | undefined;
  let nextJob = 1;
  let disposing = false;
  // Keep the process alive only while a job is pending, so a CLI that forgets dispose() still exits.
  const settle = (): void => {
    if (pending.size === 0) worker.unref();
  };

  const loaded = new Promise<Extract<FromWorker, { type: 'loaded' }>>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'loaded':
          resolve(m);
          break;
        case 'loadError':
          reject(toModelError(m.error, opts.dir));
          void worker.terminate();
          break;
        case 'scored':
          if (m.device !== 'cache') device = m.device;
          attempts = m.attempts;
          stats = m.stats;
          pending.get(m.job)?.resolve(m.results);
          pending.delete(m.job);
          settle();
          break;
        case 'failed':
          attempts = m.attempts;
          pending.get(m.job)?.reject(m.error.name === 'AbortError' ? abortError() : toModelError(m.error, opts.dir));
          pending.delete(m.job);
          settle();
          break;
        case 'disposed':
          // Awaited by disposeWorker.
          break;
      }
    });
    const fail = (e: Error): void => {
      dead = new ModelError(`the model worker stopped: ${e.message}`, opts.dir, undefined, 'Check the model with `reward-lens models check`.');
      reject(dead);
      rejectPending(pending, dead);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (dead === undefined && !disposing) fail(new Error(`exit code ${code}`));
    });
  });
  const info = await loaded;
  settle();
  const post = (m: ToWorker): void => worker.postMessage(m);
  const mayUseGpu = (opts.device ?? 'auto') === 'auto' || opts.device === 'webgpu';

  const run = (requests: readonly ScoreRequest[], signal: AbortSignal | undefined): Promise<readonly ModelScoreResult[]> => {
    if (dead !== undefined) return Promise.reject(dead);
    if (signal?.aborted === true) return Promise.reject(abortError());
    const job = nextJob++;
    const wireRequests: EngineRequest[] = requests.map((r) => ({
      prompt: r.prompt,
      ...(r.messages !== undefined ? { messages: r.messages.map((m) => ({ role: m.role, content: m.content })) } : {}),
      steps: [...r.steps],
      ...(r.response !== undefined ? { response: r.response } : {}),
    }));
    return new Promise<readonly ModelScoreResult[]>((resolve, reject) => {
      const onAbort = (): void => {
        post({ type: 'cancel', job });
        pending.delete(job);
        settle();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(job, {
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      worker.ref();
      post({ type: 'score', job, requests: wireRequests });
    });
  };

  return {
    id: info.id,
    description: info.description,
    granularity: info.output === 'sequence-classification' ? 'sequence' : 'step',
    preset: info.preset as PresetName,
    output: info.output as OutputKind,
    dtype: info.dtype,
    maxTokens: info.maxTokens,
    findings: info.findings,
    score(requests, signal) {
      // Until the first computed batch names the device, `auto` may still land on WebGPU.
      return serializeOnGpu(mayUseGpu && device !== 'cpu' && device !== 'cuda', () => run(requests, signal));
    },
    deviceInfo: () => ({ device, attempts }),
    lastStats: () => stats,
    async dispose() {
      if (dead !== undefined || disposing) return;
      disposing = true;
      await disposeWorker(worker, pending, () => {
        dead = new ModelError('the scorer was disposed', opts.dir);
        return dead;
      });
    },
  };
}
