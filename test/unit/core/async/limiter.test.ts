import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Limiter } from '../../../../src/core/async/limiter.js';

describe('Limiter', () => {
  it('holds at most `size` tasks at once and serves waiters in arrival order', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    // Node 20 has no Promise.withResolvers.
    const gates = Array.from({ length: 5 }, () => {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        active++;
        most = Math.max(most, active);
        await g.promise;
        active--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    gates[1]?.resolve();
    gates[0]?.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2, 3]);
    for (const g of gates) g.resolve();
    await Promise.all(runs);
    assert.deepEqual([most, started], [2, [0, 1, 2, 3, 4]]);
  });

  it('drops an aborted waiter with an AbortError and gives its turn to the next', async () => {
    const limiter = new Limiter(1);
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    controller.abort();
    await assert.rejects(aborted, (e: Error) => e.name === 'AbortError');
    limiter.release();
    await next;
    await assert.rejects(limiter.acquire(controller.signal), (e: Error) => e.name === 'AbortError');
  });
});
