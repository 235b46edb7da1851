// A small ONNX graph builder over onnx-proto, used by genModels.ts to write test and benchmark models.
// Float initializers are stored as fp32 or fp16; large ones may go to an external data file the way
// optimum/torch.onnx write them (`location`/`offset`/`length` entries, data_location = EXTERNAL).
import { onnx } from 'onnx-proto';
import { toFloat16Bits } from '../src/core/scoring/contracts/float16.js';

export type FloatType = 'fp32' | 'fp16';

const T = onnx.TensorProto.DataType;

/** A graph value: its name. */
export type Value = string;

/** One attribute value: int, float, ints, or a tensor. */
export type AttrValue = number | readonly number[] | { readonly float: number } | { readonly tensor: onnx.ITensorProto };

/** Builds one graph; `floatType` decides how float initializers and constants are stored. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly rawData = new Map<string, Uint8Array>();
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;
  private usesMicrosoft = false;

  constructor(readonly floatType: FloatType) {}

  private fresh(prefix: string): Value {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Declares a graph input with symbolic or fixed dims. */
  input(name: string, elemType: 'int64' | 'float', dims: readonly (string | number)[]): Value {
    this.inputs.push(valueInfo(name, elemType === 'int64' ? T.INT64 : this.floatElem(), dims));
    return name;
  }

  /** Declares a graph output (the value must be produced under that name). */
  output(name: string, dims: readonly (string | number)[]): void {
    this.outputs.push(valueInfo(name, this.floatElem(), dims));
  }

  private floatElem(): number {
    return this.floatType === 'fp16' ? T.FLOAT16 : T.FLOAT;
  }

  /** A float initializer in the graph's float type. Returns the values as stored (fp16-rounded). */
  floatInit(name: string, dims: readonly number[], data: Float32Array): Value {
    if (this.floatType === 'fp16') {
      const bits = new Uint16Array(data.length);
      for (let i = 0; i < data.length; i++) bits[i] = toFloat16Bits(data[i] ?? 0);
      this.addRaw(name, dims, T.FLOAT16, new Uint8Array(bits.buffer));
    } else {
      this.addRaw(name, dims, T.FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    return name;
  }

  /** A float32 initializer regardless of the graph's float type (MatMulNBits scales). */
  float32Init(name: string, dims: readonly number[], data: Float32Array): Value {
    this.addRaw(name, dims, T.FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return name;
  }

  /** A uint8 initializer. */
  uint8Init(name: string, dims: readonly number[], data: Uint8Array): Value {
    this.addRaw(name, dims, T.UINT8, data);
    return name;
  }

  /** An int64 initializer. */
  int64Init(name: string, dims: readonly number[], values: readonly number[]): Value {
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.addRaw(name, dims, T.INT64, new Uint8Array(data.buffer));
    return name;
  }

  /** A scalar or 1-D float constant in the graph's float type. */
  floatConst(values: number | readonly number[]): Value {
    const arr = typeof values === 'number' ? [values] : values;
    return this.floatInit(this.fresh('c'), typeof values === 'number' ? [] : [arr.length], Float32Array.from(arr));
  }

  /** A scalar or 1-D int64 constant. */
  intConst(values: number | readonly number[]): Value {
    const arr = typeof values === 'number' ? [values] : values;
    return this.int64Init(this.fresh('i'), typeof values === 'number' ? [] : [arr.length], arr);
  }

  private addRaw(name: string, dims: readonly number[], dataType: number, bytes: Uint8Array): void {
    this.initializers.push({ name, dims: [...dims], dataType });
    this.rawData.set(name, Uint8Array.from(bytes));
  }

  /** Adds a node with one output; returns the output's name (or `out` when given). */
  op(opType: string, inputs: readonly Value[], attrs: Record<string, AttrValue> = {}, out?: string, domain?: string): Value {
    const output = out ?? this.fresh(opType.toLowerCase());
    if (domain === 'com.microsoft') this.usesMicrosoft = true;
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [output],
      name: this.fresh(`n_${opType}`),
      ...(domain !== undefined ? { domain } : {}),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /**
   * Serialises the model. With `externalDataFile`, initializers of at least `externalMinBytes` bytes go
   * to that file (returned as `external`), referenced relative to the model file.
   */
  build(opts: { externalDataFile?: string; externalMinBytes?: number } = {}): { model: Uint8Array; external?: Uint8Array } {
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const minBytes = opts.externalMinBytes ?? 1024;
    const initializer = this.initializers.map((t): onnx.ITensorProto => {
      const raw = this.rawData.get(t.name ?? '') ?? new Uint8Array(0);
      if (opts.externalDataFile !== undefined && raw.byteLength >= minBytes) {
        const pad = (64 - (offset % 64)) % 64;
        if (pad > 0) chunks.push(new Uint8Array(pad));
        offset += pad;
        const entry: onnx.ITensorProto = {
          ...t,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: opts.externalDataFile },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(raw.byteLength) },
          ],
        };
        chunks.push(raw);
        offset += raw.byteLength;
        return entry;
      }
      return { ...t, rawData: raw };
    });
    const model: onnx.IModelProto = {
      irVersion: 8,
      producerName: 'reward-lens genModels',
      opsetImport: [{ domain: '', version: 17 }, ...(this.usesMicrosoft ? [{ domain: 'com.microsoft', version: 1 }] : [])],
      graph: { name: 'tiny', node: this.nodes, initializer, input: this.inputs, output: this.outputs },
    };
    const bytes = onnx.ModelProto.encode(model).finish();
    if (opts.externalDataFile === undefined) return { model: bytes };
    const external = new Uint8Array(offset);
    let at = 0;
    for (const c of chunks) {
      external.set(c, at);
      at += c.byteLength;
    }
    return { model: bytes, external };
  }
}

function valueInfo(name: string, elemType: number, dims: readonly (string | number)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: [...(v as readonly number[])] };
  if ('float' in v) return { name, type: A.FLOAT, f: v.float };
  return { name, type: A.TENSOR, t: (v as { tensor: onnx.ITensorProto }).tensor };
}
