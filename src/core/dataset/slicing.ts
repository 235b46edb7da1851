/** Which rows of a file a command works on: `--offset`, `--limit`, `--sample N --seed S`. */
export interface RowSlice {
  readonly offset?: number;
  readonly limit?: number;
  readonly sample?: number;
  readonly seed?: number;
}

/** mulberry32: a small, fast, seedable PRNG, so `--sample N --seed S` picks the same rows on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The row positions a slice selects from `count` rows, ascending: first `offset` rows skipped, then a seeded
 * uniform sample of `sample` rows (Floyd's algorithm: O(sample) memory, whatever the file's size), then at most
 * `limit` rows.
 */
export function selectRows(count: number, slice: RowSlice): number[] {
  const offset = Math.min(count, Math.max(0, slice.offset ?? 0));
  const available = count - offset;
  let picked: number[];
  if (slice.sample !== undefined && slice.sample < available) {
    const rand = seededRandom(slice.seed ?? 0);
    const chosen = new Set<number>();
    for (let j = available - slice.sample; j < available; j++) {
      const t = Math.floor(rand() * (j + 1));
      chosen.add(chosen.has(t) ? j : t);
    }
    picked = [...chosen].map((p) => p + offset).sort((a, b) => a - b);
  } else {
    picked = Array.from({ length: available }, (_, k) => offset + k);
  }
  return slice.limit === undefined ? picked : picked.slice(0, Math.max(0, slice.limit));
}

/** Consecutive runs of ascending positions, so rows next to each other are read with one file read. */
export function runsOf(positions: readonly number[], maxRun: number): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  for (const p of positions) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === p && last.end - last.start < maxRun) last.end = p + 1;
    else runs.push({ start: p, end: p + 1 });
  }
  return runs;
}
