/**
 * Length-bucketed batching. Sequences are sorted by length and packed greedily into batches bounded by
 * a token budget (batch size × longest length), a maximum batch size, and a padding bound, so that
 * little compute is spent on padding. Pure; the runtime pads each batch on the right.
 */

/** Limits for one batch. */
export interface BatchLimits {
  /** Upper bound of `rows × longest length` (a lone sequence longer than this still gets its own batch). */
  readonly maxBatchTokens: number;
  readonly maxBatchSize: number;
  /** Largest share of padding tokens a batch may have before a new batch starts (e.g. 0.05). */
  readonly maxPaddingFraction: number;
}

/** Groups sequence indices into batches; every index appears exactly once; batches are in length order. */
export function planBatches(lengths: readonly number[], limits: BatchLimits): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[a] ?? 0) - (lengths[b] ?? 0) || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let sum = 0;
  for (const i of order) {
    const len = lengths[i] ?? 0;
    if (current.length > 0) {
      const rows = current.length + 1;
      const cells = rows * len; // sorted ascending: this sequence is the longest so far
      const padding = cells - (sum + len);
      if (rows > limits.maxBatchSize || cells > limits.maxBatchTokens || padding > limits.maxPaddingFraction * cells) {
        batches.push(current);
        current = [];
        sum = 0;
      }
    }
    current.push(i);
    sum += len;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Share of padding in `batches` (0 = none): padded cells / all cells. */
export function paddingWaste(lengths: readonly number[], batches: readonly (readonly number[])[]): number {
  let cells = 0;
  let real = 0;
  for (const b of batches) {
    const longest = b.reduce((m, i) => Math.max(m, lengths[i] ?? 0), 0);
    cells += longest * b.length;
    real += b.reduce((s, i) => s + (lengths[i] ?? 0), 0);
  }
  return cells === 0 ? 0 : (cells - real) / cells;
}
