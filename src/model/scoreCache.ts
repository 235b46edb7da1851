// Scores cached by (model fingerprint, contract parameters, token ids), in memory and optionally on disk
// (one append-only JSONL file per model fingerprint), so unchanged traces are never recomputed — also
// across runs. A torn last line (crash mid-write) is skipped on load.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The scores read from one input, and the device that computed them. */
export interface CachedScores {
  readonly values: readonly number[];
  readonly device: string;
}

/** The cache key of one encoded input under one contract. */
export function cacheKey(paramsKey: string, ids: readonly number[]): string {
  const h = createHash('sha256');
  h.update(paramsKey);
  h.update('\u0000');
  h.update(new Uint8Array(Int32Array.from(ids).buffer));
  return h.digest('base64url').slice(0, 32);
}

/** Memory (bounded, oldest evicted first) plus an optional JSONL file. */
export class ScoreCache {
  private readonly memory = new Map<string, CachedScores>();
  private loaded = false;
  private readonly file: string | undefined;
  /** Set when the disk cache failed; the memory cache keeps working. */
  diskError: string | undefined;

  constructor(
    namespace: string,
    dir: string | undefined,
    private readonly maxEntries = 500_000,
  ) {
    this.file = dir === undefined ? undefined : join(dir, `${namespace.replace(/[^\w.-]/gu, '_')}.jsonl`);
  }

  /** Entries in memory. */
  get size(): number {
    this.load();
    return this.memory.size;
  }

  get(key: string): CachedScores | undefined {
    this.load();
    return this.memory.get(key);
  }

  /** Stores entries in memory and appends them to the disk file in one write. */
  set(entries: readonly (readonly [string, CachedScores])[]): void {
    this.load();
    const lines: string[] = [];
    for (const [key, value] of entries) {
      if (!value.values.every(Number.isFinite)) continue;
      this.remember(key, value);
      lines.push(JSON.stringify({ k: key, v: value.values, d: value.device }));
    }
    if (this.file === undefined || this.diskError !== undefined || lines.length === 0) return;
    try {
      appendFileSync(this.file, `${lines.join('\n')}\n`);
    } catch (e) {
      this.diskError = e instanceof Error ? e.message : String(e);
    }
  }

  private remember(key: string, value: CachedScores): void {
    this.memory.delete(key);
    this.memory.set(key, value);
    if (this.memory.size > this.maxEntries) {
      const oldest = this.memory.keys().next();
      if (oldest.done !== true) this.memory.delete(oldest.value);
    }
  }

  private load(): void {
    if (this.loaded || this.file === undefined) return;
    this.loaded = true;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      if (!existsSync(this.file)) return;
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (line.length === 0) continue;
        try {
          const e = JSON.parse(line) as { k?: unknown; v?: unknown; d?: unknown };
          if (typeof e.k === 'string' && Array.isArray(e.v) && e.v.every((x) => typeof x === 'number') && typeof e.d === 'string') {
            this.remember(e.k, { values: e.v as number[], device: e.d });
          }
        } catch {
          // a torn line from an interrupted write: skip it
        }
      }
    } catch (e) {
      this.diskError = e instanceof Error ? e.message : String(e);
    }
  }
}
