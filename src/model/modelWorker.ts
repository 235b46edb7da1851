// The model worker thread: checks the folder, builds the engine and runs score jobs one at a time.
// onnxruntime-node's run() blocks its thread; here that is this worker, never the editor or the CLI.
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { buildEngine } from './buildEngine.js';
import { inspectModelFolder } from './checkModel.js';
import { NoDeviceError, type DeviceAttempt } from './devices.js';
import { ModelError } from './modelError.js';
import type { FromWorker, ToWorker, WireError, WorkerInit } from './workerProtocol.js';

function wire(e: unknown): WireError {
  if (e instanceof ModelError) return { name: e.name, message: e.message, file: e.file, ...(e.field !== undefined ? { field: e.field } : {}), ...(e.fix !== undefined ? { fix: e.fix } : {}) };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** Findings name files relative to the folder; errors thrown to callers carry absolute paths. */
function absolute(dir: string, file: string | undefined): string {
  if (file === undefined) return resolve(dir);
  if (file.startsWith('--') || file.includes(' / ')) return file;
  return resolve(dir, file);
}

function main(): void {
  const port = parentPort;
  if (port === null) return;
  const post = (m: FromWorker): void => port.postMessage(m);
  const init = workerData as WorkerInit;
  let built: ReturnType<typeof buildEngine>;
  try {
    const { findings, model } = inspectModelFolder(init.dir, init.preset);
    if (model === undefined) {
      const first = findings.find((f) => f.level === 'error');
      post({
        type: 'loadError',
        findings,
        error: { name: 'ModelError', message: first?.message ?? 'the model folder is not usable', file: absolute(init.dir, first?.file), ...(first?.field !== undefined ? { field: first.field } : {}), ...(first?.fix !== undefined ? { fix: first.fix } : {}) },
      });
      return;
    }
    built = buildEngine(model, init);
    const notes = built.notes.map((message) => ({ level: 'warning' as const, file: 'reward-lens.json', message }));
    post({
      type: 'loaded',
      id: `onnx:${built.fingerprint}`,
      description: `${model.dir.split(/[\\/]/u).pop() ?? model.dir} (${model.preset.name}, ${model.dtype})`,
      preset: model.preset.name,
      output: model.contract.output,
      dtype: model.dtype,
      maxTokens: built.maxTokens,
      findings: [...findings.filter((f) => f.level !== 'info'), ...notes],
    });
  } catch (e) {
    post({ type: 'loadError', findings: [], error: wire(e) });
    return;
  }
  const engine = built.engine;
  const cancelled = new Set<number>();
  let queue: Promise<void> = Promise.resolve();
  let attempts: readonly DeviceAttempt[] = [];
  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'cancel':
        cancelled.add(msg.job);
        break;
      case 'score':
        queue = queue.then(async () => {
          if (cancelled.has(msg.job)) return;
          try {
            const results = await engine.score(msg.requests, () => cancelled.has(msg.job));
            const runner = engine.device === undefined ? undefined : await engine.ensureRunner();
            attempts = runner?.attempts ?? attempts;
            post({ type: 'scored', job: msg.job, results, device: engine.device ?? 'cache', attempts, stats: engine.lastStats });
          } catch (e) {
            if (e instanceof NoDeviceError) attempts = e.attempts;
            post({ type: 'failed', job: msg.job, error: wire(e), attempts });
          } finally {
            cancelled.delete(msg.job);
          }
        });
        break;
      case 'dispose':
        queue = queue.then(async () => {
          await engine.dispose();
          post({ type: 'disposed' });
          port.close();
        });
        break;
    }
  });
}

main();
