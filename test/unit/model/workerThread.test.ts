// The plumbing shared by the model and generator workers: the process-wide WebGPU lock, the worker
// script lookup and the dispose sequence (against small eval workers, no model involved).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ModelError } from '../../../src/model/modelError.js';
import { disposeWorker, serializeOnGpu, startWorker, type PendingJob } from '../../../src/model/workerThread.js';

/** A promise with its resolve and reject at hand. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and one macrotask run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('serializeOnGpu', () => {
  it('never overlaps GPU jobs, and starts them in the order of the calls', async () => {
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const results = gates.map((gate, i) =>
      serializeOnGpu(true, async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await tick();
    assert.deepEqual(started, [0], 'only the first GPU job runs while it holds the lock');
    // Finish them out of order: a later gate opening early does not let its job jump the queue.
    gates[3]?.resolve();
    gates[1]?.resolve();
    await tick();
    assert.deepEqual(started, [0]);
    gates[0]?.resolve();
    gates[2]?.resolve();
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3]);
    assert.deepEqual(started, [0, 1, 2, 3]);
    assert.equal(most, 1);
  });

  it('runs CPU-only jobs at once, not behind a GPU job that holds the lock', async () => {
    const gpuGate = deferred();
    const order: string[] = [];
    const gpu = serializeOnGpu(true, async () => {
      order.push('gpu start');
      await gpuGate.promise;
      order.push('gpu end');
    });
    const queued = serializeOnGpu(true, async () => {
      order.push('queued gpu');
    });
    await tick();
    assert.deepEqual(order, ['gpu start'], 'the first GPU job holds the lock');
    try {
      const cpu = serializeOnGpu(false, async () => {
        order.push('cpu');
        return 'cpu done';
      });
      assert.deepEqual(order, ['gpu start', 'cpu'], 'the CPU job started synchronously');
      assert.equal(await cpu, 'cpu done');
      await tick();
      assert.deepEqual(order, ['gpu start', 'cpu'], 'and finished while the GPU jobs still wait');
    } finally {
      gpuGate.resolve();
    }
    await Promise.all([gpu, queued]);
    assert.deepEqual(order, ['gpu start', 'cpu', 'gpu end', 'queued gpu']);
  });

  it('passes a failed job its rejection and still runs the jobs queued behind it', async () => {
    const failed = serializeOnGpu(true, () => Promise.reject(new Error('device lost')));
    const next = serializeOnGpu(true, () => Promise.resolve('ran'));
    await assert.rejects(failed, /device lost/u);
    assert.equal(await next, 'ran');
  });

  it('lets a job that throws synchronously reject without breaking the chain', async () => {
    const failed = serializeOnGpu(true, () => {
      throw new Error('bad request');
    });
    await assert.rejects(failed, /bad request/u);
    assert.equal(await serializeOnGpu(true, () => Promise.resolve(1)), 1);
  });
});

describe('startWorker', () => {
  it('names the missing script and the fix', () => {
    assert.throws(
      () => startWorker('noSuchWorker', {}, 'test worker'),
      (e: unknown) => {
        assert.ok(e instanceof ModelError);
        assert.equal(e.message, 'the test worker script is missing from the installation');
        assert.match(e.file, /noSuchWorker\.js$/u);
        assert.match(e.fix ?? '', /npm run build/u);
        return true;
      },
    );
  });
});

describe('disposeWorker', () => {
  /** A worker that answers `dispose` with `disposed` when `polite`, and otherwise ignores it. */
  function fakeWorker(polite: boolean): Worker {
    const source = `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (m) => { if (m.type === 'dispose' && ${polite}) parentPort.postMessage({ type: 'disposed' }); });`;
    return new Worker(source, { eval: true });
  }

  function pendingJobs(n: number): { pending: Map<number, PendingJob>; errors: Error[] } {
    const errors: Error[] = [];
    const pending = new Map<number, PendingJob>();
    for (let i = 1; i <= n; i++) pending.set(i, { reject: (e) => errors.push(e) });
    return { pending, errors };
  }

  it('waits for the disposed reply, rejects pending jobs with the stopped error, and terminates', async () => {
    const worker = fakeWorker(true);
    const { pending, errors } = pendingJobs(2);
    let exited = false;
    worker.on('exit', () => {
      exited = true;
    });
    const stopped = new Error('the thing was disposed');
    const t0 = Date.now();
    await disposeWorker(worker, pending, () => stopped);
    assert.ok(Date.now() - t0 < 1500, 'no grace period spent when the worker answers');
    assert.deepEqual(errors, [stopped, stopped]);
    assert.equal(pending.size, 0);
    await tick();
    assert.ok(exited);
  });

  it('terminates a worker that does not answer after the grace period', async () => {
    const worker = fakeWorker(false);
    const { pending, errors } = pendingJobs(1);
    const t0 = Date.now();
    await disposeWorker(worker, pending, () => new Error('gone'));
    assert.ok(Date.now() - t0 >= 1900, 'waited for the grace period');
    assert.equal(errors[0]?.message, 'gone');
  });
});
