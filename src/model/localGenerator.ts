// The local TextGenerator of the generative judges: openLocalGenerator() starts a worker thread that
// opens the model folder (generatorWorker.ts) and returns a TextGenerator that forwards requests to it.
// Nothing here blocks the caller's thread: templating, tokenising and onnxruntime's blocking run() all
// happen in the worker. Requests run one after another, in the order they were made.
import { resolve } from 'node:path';
import type { GenerationProgress, GenerationRequest, GenerationResult, TextGenerator } from '../core/judges/generation.js';
import type { Device, DeviceChoice } from './devices.js';
import type { GeneratorDtype } from './generator.js';
import type { FromGeneratorWorker, GeneratorWorkerInit, LocalModelInfo, PreparedPrompt, ToGeneratorWorker, WireGenerationRequest } from './generatorProtocol.js';
import { ModelError } from './modelError.js';
import type { WireError } from './workerProtocol.js';
import { disposeWorker, rejectPending, serializeOnGpu, startWorker } from './workerThread.js';

/** Options of {@link openLocalGenerator}. */
export interface LocalGeneratorOptions {
  /** `auto` (default): CUDA → WebGPU → CPU; or one device with no fallback. */
  readonly device?: DeviceChoice;
  /** Which export of an optimum folder to open (see GeneratorOptions.dtype). */
  readonly dtype?: GeneratorDtype;
  /** Most prompt tokens per prefill run (see GeneratorOptions.prefillChunk). */
  readonly prefillChunk?: number;
  readonly intraOpNumThreads?: number;
  /** Test hook: devices whose creation fails as if their provider threw. */
  readonly simulateFailures?: readonly Device[];
}

/**
 * A TextGenerator over a local ONNX causal LM, with what the judges may want to know about the model (see
 * {@link LocalModelInfo}: device and attempts, the ONNX file, format, EOS ids, positions, vocabulary, cache location).
 */
export interface LocalTextGenerator extends TextGenerator, Omit<LocalModelInfo, 'id' | 'description'> {
  /**
   * The prompt a request renders to, exactly as `generate` feeds it: the chat template with the generation
   * prompt plus the assistant prefix, its token ids, and the ids watched for its verdict words.
   */
  preparePrompt(request: Pick<GenerationRequest, 'messages' | 'assistantPrefix' | 'verdictWords'>): Promise<PreparedPrompt>;
}

function toError(e: WireError, fallbackFile: string): Error {
  if (e.file !== undefined || e.name === 'ModelError') return new ModelError(e.message, e.file ?? fallbackFile, e.field, e.fix);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

function wireRequest(r: Pick<GenerationRequest, 'messages' | 'assistantPrefix' | 'verdictWords'> & Partial<GenerationRequest>, stream: boolean): WireGenerationRequest {
  return {
    messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(r.assistantPrefix !== undefined ? { assistantPrefix: r.assistantPrefix } : {}),
    maxTokens: r.maxTokens ?? 0,
    ...(r.stop !== undefined ? { stop: [...r.stop] } : {}),
    ...(r.verdictWords !== undefined ? { verdictWords: [...r.verdictWords] } : {}),
    ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
    ...(r.topP !== undefined ? { topP: r.topP } : {}),
    ...(r.seed !== undefined ? { seed: r.seed } : {}),
    stream,
  };
}

/** One request waiting for its worker reply. */
interface Pending {
  readonly resolve: (value: GenerationResult | PreparedPrompt) => void;
  readonly reject: (e: Error) => void;
  readonly onProgress?: (p: GenerationProgress) => void;
}

/**
 * Opens a local generator over a model folder (optimum `text-generation-with-past` export or
 * onnxruntime-genai model-builder folder) in a worker thread. Resolves once the session is open; rejects
 * with a {@link ModelError} naming the file and the fix when the folder cannot generate (no KV cache, no
 * chat template, …) and with a ModelError listing each device's failure when none could run it.
 *
 * Each `generate` renders `messages` with the chat template and its generation prompt, appends
 * `assistantPrefix`, and decodes until an EOS id (finish `stop`; the EOS text is not in the reply), a
 * stop string (finish `stop`; the reply ends before it), `maxTokens` or the model's positions (finish
 * `length`), or the signal aborts (finish `cancelled`, with what was generated so far). `onProgress`
 * receives text deltas that concatenate to the final text (text that could still turn into a stop string
 * is held back until it cannot). `tokens` carry each token's text (concatenating to `text`), its logprob
 * under the model's distribution, and in `top` the verdict words' first tokens (with and without a
 * leading space) at that position. Concurrent calls run one after another.
 */
export async function openLocalGenerator(dirArg: string, opts: LocalGeneratorOptions = {}): Promise<LocalTextGenerator> {
  const dir = resolve(dirArg);
  const worker = startWorker('generatorWorker', {
    dir,
    device: opts.device ?? 'auto',
    ...(opts.dtype !== undefined ? { dtype: opts.dtype } : {}),
    ...(opts.prefillChunk !== undefined ? { prefillChunk: opts.prefillChunk } : {}),
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...(opts.simulateFailures !== undefined ? { simulateFailures: opts.simulateFailures } : {}),
  } satisfies GeneratorWorkerInit, 'generator worker');
  const pending = new Map<number, Pending>();
  let dead: Error | undefined;
  let disposing = false;
  let nextJob = 1;
  // Keep the process alive only while a request is pending, so a CLI that forgets dispose() still exits.
  const settle = (): void => {
    if (pending.size === 0) worker.unref();
  };
  const finish = (job: number): Pending | undefined => {
    const p = pending.get(job);
    pending.delete(job);
    settle();
    return p;
  };

  const info = await new Promise<LocalModelInfo>((resolveLoad, rejectLoad) => {
    worker.on('message', (m: FromGeneratorWorker) => {
      switch (m.type) {
        case 'loaded':
          resolveLoad(m.info);
          break;
        case 'loadError':
          rejectLoad(toError(m.error, dir));
          void worker.terminate();
          break;
        case 'progress':
          pending.get(m.job)?.onProgress?.({ delta: m.delta, tokens: m.tokens });
          break;
        case 'generated':
          finish(m.job)?.resolve(m.result);
          break;
        case 'prepared':
          finish(m.job)?.resolve(m.prompt);
          break;
        case 'failed':
          finish(m.job)?.reject(toError(m.error, dir));
          break;
        case 'disposed':
          // Awaited by disposeWorker.
          break;
      }
    });
    const fail = (e: Error): void => {
      dead = new ModelError(`the generator worker stopped: ${e.message}`, dir, undefined, 'Check the model folder with `reward-lens models check`.');
      rejectLoad(dead);
      rejectPending(pending, dead);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (dead === undefined && !disposing) fail(new Error(`exit code ${code}`));
    });
  });
  settle();
  const post = (m: ToGeneratorWorker): void => worker.postMessage(m);

  const request = <T extends GenerationResult | PreparedPrompt>(type: 'generate' | 'prepare', wire: WireGenerationRequest, signal: AbortSignal | undefined, onProgress: ((p: GenerationProgress) => void) | undefined): Promise<T> => {
    if (dead !== undefined) return Promise.reject(dead);
    const job = nextJob++;
    return new Promise<T>((resolveJob, rejectJob) => {
      const onAbort = (): void => post({ type: 'cancel', job });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      pending.set(job, {
        resolve: (v) => {
          done();
          // The worker answers a generate job with a result and a prepare job with a prompt.
          resolveJob(v as T);
        },
        reject: (e) => {
          done();
          rejectJob(e);
        },
        ...(onProgress !== undefined ? { onProgress } : {}),
      });
      worker.ref();
      // The worker ends a cancelled job with what it has so far (finish `cancelled`). Already aborted: the
      // cancel goes first, so the job starts cancelled and returns before running the model.
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      post({ type, job, request: wire });
    });
  };

  return {
    id: info.id,
    description: info.description,
    hasLogprobs: true,
    device: info.device,
    attempts: info.attempts,
    modelPath: info.modelPath,
    format: info.format,
    eosIds: info.eosIds,
    maxPositions: info.maxPositions,
    vocabSize: info.vocabSize,
    cacheLocation: info.cacheLocation,
    generate(req, callOpts) {
      const run = (): Promise<GenerationResult> => request<GenerationResult>('generate', wireRequest(req, callOpts?.onProgress !== undefined), callOpts?.signal, callOpts?.onProgress);
      return serializeOnGpu(info.device === 'webgpu', run);
    },
    preparePrompt(req) {
      return request<PreparedPrompt>('prepare', wireRequest(req, false), undefined, undefined);
    },
    async dispose() {
      if (dead !== undefined || disposing) return;
      disposing = true;
      // The worker aborts the running request before it releases the session.
      await disposeWorker(worker, pending, () => {
        dead = new ModelError('the generator was disposed', dir);
        return dead;
      });
    },
  };
}
