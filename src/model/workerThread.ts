// The plumbing shared by the model worker (loadScorer.ts) and the generator worker (localGenerator.ts):
// starting a worker script from a bundle or from source, the process-wide WebGPU lock, and the dispose
// sequence. Each caller keeps its own protocol, pending-job bookkeeping and error messages.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelError } from './modelError.js';

/**
 * Starts the worker script `scriptBase` next to this module: `<scriptBase>.js` in bundles (dist/, where
 * esbuild.mjs writes each worker beside the bundle that starts it), or, when running from source under
 * tsx (tests), `<scriptBase>.ts` through tsx's require hook. `label` names the worker in the error thrown
 * when neither exists (`the ${label} script is missing from the installation`). `here` is the folder of the
 * module that starts it (source runs keep each worker beside its own module).
 */
export function startWorker(scriptBase: string, workerData: unknown, label: string, here = dirname(__filename)): Worker {
  const js = join(here, `${scriptBase}.js`);
  if (existsSync(js)) return new Worker(js, { workerData });
  const ts = join(here, `${scriptBase}.ts`);
  if (existsSync(ts)) return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true, workerData });
  throw new ModelError(`the ${label} script is missing from the installation`, js, undefined, 'Rebuild the extension (npm run build).');
}

// WebGPU's Run() is not safe to call from two sessions at once (onnxruntime #32561, #31627), and the
// sessions of a scorer and a generator are as much "two sessions" as two scorers: one chain for the
// whole process. It never rejects, so a failed job does not stop the ones queued behind it.
let gpuChain: Promise<unknown> = Promise.resolve();

/**
 * Runs `job` after every earlier job that may use WebGPU has settled, and holds later ones until it has,
 * when `mayUseGpu`; otherwise runs it at once, never queued behind the GPU jobs. Jobs are started in the
 * order of the calls. The result is `job`'s, rejection included.
 *
 * A job must not wait on another GPU job it starts itself: the inner one would queue behind it forever.
 */
export function serializeOnGpu<T>(mayUseGpu: boolean, job: () => Promise<T>): Promise<T> {
  if (!mayUseGpu) return job();
  const run = gpuChain.then(job);
  gpuChain = run.catch(() => undefined);
  return run;
}

/** A job waiting for its worker's reply; only its rejection matters here. */
export interface PendingJob {
  readonly reject: (e: Error) => void;
}

/** Rejects every pending job with `error` and forgets them. */
export function rejectPending(pending: Map<number, PendingJob>, error: Error): void {
  for (const p of pending.values()) p.reject(error);
  pending.clear();
}

/** How long a disposing worker may take to release its session before it is terminated anyway. */
const DISPOSE_GRACE_MS = 2000;

/**
 * Stops a worker that owns an onnxruntime session. Posts `{ type: 'dispose' }` so the worker releases
 * the session cleanly (its protocol answers `{ type: 'disposed' }`), and waits for that reply or the
 * worker's exit, but at most {@link DISPOSE_GRACE_MS}: a long batch is not waited on. Then `stopped`
 * (where the caller marks itself dead) gives the error every still-pending job is rejected with, and the
 * worker is terminated. The worker is ref'd meanwhile, so the process lives until it has stopped.
 */
export async function disposeWorker(worker: Worker, pending: Map<number, PendingJob>, stopped: () => Error): Promise<void> {
  worker.ref();
  let onDisposed: (() => void) | undefined;
  const onMessage = (m: unknown): void => {
    if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'disposed') onDisposed?.();
  };
  const onExit = (): void => onDisposed?.();
  worker.on('message', onMessage);
  worker.on('exit', onExit);
  await Promise.race([
    new Promise<void>((resolve) => {
      onDisposed = resolve;
      worker.postMessage({ type: 'dispose' });
    }),
    new Promise<void>((resolve) => setTimeout(resolve, DISPOSE_GRACE_MS).unref()),
  ]);
  worker.off('message', onMessage);
  worker.off('exit', onExit);
  rejectPending(pending, stopped());
  await worker.terminate();
}
