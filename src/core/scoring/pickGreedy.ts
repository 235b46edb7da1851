// One greedy decoding choice from a row of next-token logits: the argmax (ties to the lowest id, as
// torch.argmax) and log-softmax values of the chosen and the watched ids, in float64.
import { fromFloat16Bits } from './contracts/float16.js';

/** The greedy choice at one position. */
export interface GreedyPick {
  /** The chosen token id: the largest logit, the lowest id among equals; a NaN logit wins (as in torch). */
  readonly id: number;
  /** log-softmax of the chosen id over the whole row (≤ 0; NaN when the row holds NaN or +Inf). */
  readonly logprob: number;
  /** log-softmax of each watched id, in the order given. */
  readonly watched: number[];
}

let halfTable: Float32Array | undefined;

/** Every half-precision bit pattern decoded once (256 KiB), so fp16 rows cost one lookup per value. */
function halfToFloat(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = fromFloat16Bits(bits);
  }
  return halfTable;
}

/** exp(−k/256) for k in [0, 64·256]: the steps of {@link expNonPositive}. */
const EXP_STEPS = 256;
const EXP_RANGE = 64;
let expTable: Float64Array | undefined;

/**
 * Σ exp(row[i] − max) over a row whose largest value is `max` (so every term is in (0, 1]). Each exp(d), d ≤ 0, is
 * exp(−k/256) from a table times exp(−f), f ∈ [0, 1/256), from a degree-5 Taylor polynomial (relative error under
 * 1e-15, far below float32 logits' own precision); terms under exp(−64) ≈ 1.6e-28 are left out, as they cannot
 * change a sum that is at least 1. About three times faster than Math.exp per value, which is most of the cost of
 * picking a token from a 150k vocabulary. A NaN or +Infinity anywhere makes the sum NaN, as Math.exp would.
 */
export function sumExpBelow(row: Float32Array, max: number): number {
  if (!Number.isFinite(max)) return Number.NaN;
  let table = expTable;
  if (table === undefined) {
    table = new Float64Array(EXP_RANGE * EXP_STEPS + 1);
    for (let k = 0; k < table.length; k++) table[k] = Math.exp(-k / EXP_STEPS);
    expTable = table;
  }
  const limit = EXP_RANGE * EXP_STEPS;
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const t = (max - (row[i] as number)) * EXP_STEPS;
    // t ≥ 0; NaN fails both tests below and is caught after the loop.
    if (t < limit) {
      const k = t | 0;
      const f = (t - k) / EXP_STEPS;
      // exp(−f) = 1 − f + f²/2 − f³/6 + f⁴/24 − f⁵/120 (Horner).
      const p = 1 - f * (1 - f * (0.5 - f * (1 / 6 - f * (1 / 24 - f / 120))));
      sum += (table[k] as number) * p;
    } else if (!(t >= limit)) {
      return Number.NaN;
    }
  }
  return sum;
}

/**
 * Picks the next token from `width` logits starting at `offset` in `data`. `data` is float32 values or
 * float16 bit patterns (onnxruntime-node returns fp16 tensors as `Uint16Array`). Watched ids must lie in
 * `[0, width)`; a RangeError says which does not.
 */
export function pickGreedy(data: Float32Array | Uint16Array, offset: number, width: number, watchIds: readonly number[] = []): GreedyPick {
  if (width <= 0 || offset < 0 || offset + width > data.length) throw new RangeError(`logits row [${offset}, ${offset + width}) is outside ${data.length} values`);
  for (const w of watchIds) if (!Number.isInteger(w) || w < 0 || w >= width) throw new RangeError(`watched id ${w} is outside the vocabulary of ${width} logits`);
  let row: Float32Array;
  if (data instanceof Uint16Array) {
    const table = halfToFloat();
    row = new Float32Array(width);
    for (let i = 0; i < width; i++) row[i] = table[data[offset + i] ?? 0] ?? Number.NaN;
  } else {
    row = data.subarray(offset, offset + width);
  }
  let best = 0;
  let max = row[0] as number;
  // The first NaN wins and ends the search (`v !== v` is the NaN test without a call per value).
  for (let i = 1; i < width && max === max; i++) {
    const v = row[i] as number;
    if (v > max || v !== v) {
      max = v;
      best = i;
    }
  }
  const logZ = max + Math.log(sumExpBelow(row, max));
  const logprobOf = (id: number): number => (row[id] ?? Number.NaN) - logZ;
  return { id: best, logprob: logprobOf(best), watched: watchIds.map(logprobOf) };
}
