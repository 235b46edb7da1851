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
  let max = row[0] ?? Number.NaN;
  for (let i = 1; i < width && !Number.isNaN(max); i++) {
    const v = row[i] ?? Number.NaN;
    if (v > max || Number.isNaN(v)) {
      max = v;
      best = i;
    }
  }
  let sum = 0;
  for (let i = 0; i < width; i++) sum += Math.exp((row[i] ?? Number.NaN) - max);
  const logZ = max + Math.log(sum);
  const logprobOf = (id: number): number => (row[id] ?? Number.NaN) - logZ;
  return { id: best, logprob: logprobOf(best), watched: watchIds.map(logprobOf) };
}
