import { abortError } from '../scoring/scoreRecords.js';

/**
 * A counting semaphore: at most `size` holders at once, waiters served in arrival order, a released slot handed
 * straight to the next waiter. A wait can be abandoned through an AbortSignal (it then rejects with an AbortError).
 * Shared by the HTTP client (requests in flight) and the judges (generations in flight).
 */
export class Limiter {
  private free: number;
  private readonly waiters: { resolve: () => void; reject: (e: Error) => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Takes a slot, waiting for one when all are held. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortError());
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        ...(signal !== undefined ? { signal } : {}),
        onAbort: (): void => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the next waiter if there is one. */
  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) {
      this.free++;
      return;
    }
    next.signal?.removeEventListener('abort', next.onAbort);
    next.resolve();
  }

  /** Runs `task` holding a slot. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }
}
