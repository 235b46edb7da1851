// Shared helpers for the model tests: the generated test models, an in-thread engine, and an
// independent reference forward pass written with plain JS arithmetic over the generator's weights.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTestModels, type TinyWeights } from '../../../scripts/genModels.js';
import { buildEngine, type EngineOptions } from '../../../src/model/buildEngine.js';
import { inspectModelFolder, type InspectedModel } from '../../../src/model/checkModel.js';
import { HfTokenizer } from '../../../src/model/hfTokenizer.js';
import type { ScoringEngine } from '../../../src/model/scoringEngine.js';

let prepared: ReturnType<typeof prepareTestModels> | undefined;

/** The generated test folders (written once into .cache/models, reused while the generator is unchanged). */
export function testModels(): ReturnType<typeof prepareTestModels> {
  prepared ??= prepareTestModels();
  return prepared;
}

/** One test folder's path and weights. */
export function testModel(name: string): { dir: string; weights: TinyWeights } {
  const m = testModels()[name];
  assert.ok(m, `no test model ${name}`);
  return m;
}

const tokenizers = new Map<string, HfTokenizer>();

/** The tokenizer of a test folder (the real Qwen tokenizer, with that folder's edits). */
export function folderTokenizer(dir: string): HfTokenizer {
  let t = tokenizers.get(dir);
  if (t === undefined) {
    t = HfTokenizer.fromFiles(join(dir, 'tokenizer.json'), join(dir, 'tokenizer_config.json'));
    tokenizers.set(dir, t);
  }
  return t;
}

/** An engine running in this thread on CPU (no worker), for parity and invariance tests. */
export function inThreadEngine(dir: string, preset?: string, opts: EngineOptions = {}): { engine: ScoringEngine; model: InspectedModel } {
  const { model, findings } = inspectModelFolder(dir, preset);
  assert.ok(model, `folder check failed: ${JSON.stringify(findings.filter((f) => f.level === 'error'))}`);
  return { engine: buildEngine(model, { device: 'cpu', ...opts }).engine, model };
}

// ---------------------------------------------------------------------------------------------------
// Reference forward pass (float64), written from the architecture description in genModels.ts.

function matVec(v: Float64Array, w: Float32Array, inDim: number, outDim: number): Float64Array {
  const out = new Float64Array(outDim);
  for (let i = 0; i < inDim; i++) {
    const vi = v[i] ?? 0;
    if (vi === 0) continue;
    for (let j = 0; j < outDim; j++) out[j] = (out[j] ?? 0) + vi * (w[i * outDim + j] ?? 0);
  }
  return out;
}

function rmsNorm(v: Float64Array, g: Float32Array, eps: number): Float64Array {
  let ms = 0;
  for (const x of v) ms += x * x;
  const inv = 1 / Math.sqrt(ms / v.length + eps);
  return v.map((x, i) => x * inv * (g[i] ?? 0));
}

/** Final normalised hidden state at every position of one unpadded sequence. */
export function referenceHidden(w: TinyWeights, ids: readonly number[]): Float64Array[] {
  const H = w.spec.hidden;
  const F = w.spec.ffn;
  const x = ids.map((id, t) => {
    const row = id % w.embedRows;
    const v = new Float64Array(H);
    for (let i = 0; i < H; i++) v[i] = (w.embed[row * H + i] ?? 0) + (w.pos[t * H + i] ?? 0);
    return v;
  });
  for (const layer of w.layers) {
    const hs = x.map((v) => rmsNorm(v, layer.norm1, w.eps));
    const q = hs.map((h) => matVec(h, layer.wq, H, H));
    const k = hs.map((h) => matVec(h, layer.wk, H, H));
    const v = hs.map((h) => matVec(h, layer.wv, H, H));
    const scale = 1 / Math.sqrt(H);
    for (let t = 0; t < x.length; t++) {
      const scores: number[] = [];
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let i = 0; i < H; i++) dot += (q[t]?.[i] ?? 0) * (k[s]?.[i] ?? 0);
        scores.push(dot * scale);
      }
      const max = Math.max(...scores);
      const e = scores.map((sc) => Math.exp(sc - max));
      const sum = e.reduce((a, b) => a + b, 0);
      const attn = new Float64Array(H);
      e.forEach((p, s) => {
        for (let i = 0; i < H; i++) attn[i] = (attn[i] ?? 0) + (p / sum) * (v[s]?.[i] ?? 0);
      });
      const o = matVec(attn, layer.wo, H, H);
      const xt = x[t] ?? new Float64Array(H);
      for (let i = 0; i < H; i++) xt[i] = (xt[i] ?? 0) + (o[i] ?? 0);
    }
    for (const xt of x) {
      const h2 = rmsNorm(xt, layer.norm2, w.eps);
      const up = matVec(h2, layer.w1, H, F).map((a) => Math.max(0, a));
      const down = matVec(up, layer.w2, F, H);
      for (let i = 0; i < H; i++) xt[i] = (xt[i] ?? 0) + (down[i] ?? 0);
    }
  }
  return x.map((v) => rmsNorm(v, w.normFinal, w.eps));
}

function head(w: TinyWeights, name: string): Float32Array {
  const t = w.head[name];
  assert.ok(t, `no head weight ${name}`);
  return t;
}

/** Token-classification logits at one position. */
export function classLogits(w: TinyWeights, h: Float64Array): number[] {
  const H = w.spec.hidden;
  const labels = w.spec.numLabels ?? 2;
  const mid = matVec(h, head(w, 's1'), H, H).map((a) => Math.max(0, a));
  return [...matVec(mid, head(w, 's2'), H, labels)];
}

/** Causal-LM logits of the given vocabulary columns at one position. */
export function lmLogits(w: TinyWeights, h: Float64Array, columns: readonly number[]): number[] {
  const lm = head(w, 'lm');
  const V = w.spec.vocabSize;
  return columns.map((c) => h.reduce((s, x, i) => s + x * (lm[i * V + c] ?? 0), 0));
}

/** The value head (or the sequence head) at one position. */
export function scalarHead(w: TinyWeights, h: Float64Array, name: 'v' | 's'): number {
  const t = head(w, name);
  return h.reduce((s, x, i) => s + x * (t[i] ?? 0), 0);
}

/** Softmax of two logits, probability of the first/second. */
export function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Asserts two score lists agree within `tol` (absolute). */
export function assertClose(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} scores, expected ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i] ?? Number.NaN;
    assert.ok(Math.abs(a - e) <= tol, `${what} step ${i}: ${a} vs reference ${e} (|Δ| = ${Math.abs(a - e)} > ${tol})`);
  });
}

/** Positions of `id` in `ids`. */
export function positionsOf(ids: readonly number[], id: number): number[] {
  const out: number[] = [];
  ids.forEach((v, i) => {
    if (v === id) out.push(i);
  });
  return out;
}

/** Causal-LM logits of every vocabulary column at one position (float64). */
export function lmLogitsAll(w: TinyWeights, h: Float64Array): Float64Array {
  const lm = head(w, 'lm');
  const V = w.spec.vocabSize;
  const out = new Float64Array(V);
  for (let i = 0; i < h.length; i++) {
    const hi = h[i] ?? 0;
    const base = i * V;
    for (let c = 0; c < V; c++) out[c] = (out[c] ?? 0) + hi * (lm[base + c] ?? 0);
  }
  return out;
}

/** log-softmax of a float64 logits row at `ids`. */
export function logSoftmaxAt(logits: Float64Array, ids: readonly number[]): number[] {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const logZ = max + Math.log(sum);
  return ids.map((id) => (logits[id] ?? Number.NaN) - logZ);
}

/** Next-token logits (float64) after `ids`, from the reference forward pass. */
export function referenceNextLogits(w: TinyWeights, ids: readonly number[]): Float64Array {
  const hidden = referenceHidden(w, ids);
  return lmLogitsAll(w, hidden[hidden.length - 1] ?? new Float64Array(w.spec.hidden));
}

/**
 * A scratch copy of a model folder with some files replaced (string: new content) or removed (null).
 * Returns its path; the caller removes it (rmSync(dir, { recursive: true })).
 */
export function editedModelFolder(src: string, edits: Readonly<Record<string, string | null>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'reward-lens-model-'));
  cpSync(src, dir, { recursive: true });
  for (const [file, content] of Object.entries(edits)) {
    const path = join(dir, file);
    if (content === null) rmSync(path, { force: true });
    else writeFileSync(path, content);
  }
  return dir;
}

/**
 * `edited(src, edits)` for one test file: copies of a test folder with files replaced (null removes one), all
 * removed after the file's tests (registered with node:test's `after`).
 */
export function editedFolders(): (src: string, edits: Readonly<Record<string, string | null>>) => string {
  const scratch: string[] = [];
  after(() => {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });
  return (src, edits) => {
    const dir = editedModelFolder(src, edits);
    scratch.push(dir);
    return dir;
  };
}
