// Reads what `models check` needs from an ONNX file without loading weights: opsets, graph inputs and
// outputs (names, element types, dims), operator types, float storage types and external-data
// references. It walks the protobuf wire format with random-access reads, skipping tensor payloads, so
// a multi-gigabyte model costs a few reads.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** ONNX TensorProto.DataType names by code. */
export const ELEM_TYPES: Readonly<Record<number, string>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** A graph input or output. `dims` is undefined when the graph gives no shape. */
export interface GraphValue {
  readonly name: string;
  readonly elemType: string;
  readonly dims: readonly (number | string)[] | undefined;
}

/** A tensor stored outside the model file. */
export interface ExternalRef {
  readonly tensor: string;
  readonly location: string;
  readonly offset: number;
  readonly length: number | undefined;
}

/** What the scan found. */
export interface OnnxSummary {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  /** `domain::OpType` for non-default domains, else `OpType`. */
  readonly opTypes: ReadonlySet<string>;
  /** Element types of float initializers (float32 / float16 / bfloat16). */
  readonly floatStorage: ReadonlySet<string>;
  readonly external: readonly ExternalRef[];
}

/** The file is not a readable ONNX model. */
export class OnnxParseError extends Error {}

class FileBytes {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  readonly size: number;
  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  private fill(pos: number, need: number): void {
    const len = Math.max(need, 1 << 16);
    this.buf = Buffer.alloc(Math.min(len, this.size - pos));
    readSync(this.fd, this.buf, 0, this.buf.length, pos);
    this.bufStart = pos;
  }

  byte(pos: number): number {
    if (pos >= this.size) throw new OnnxParseError('unexpected end of file');
    if (pos < this.bufStart || pos >= this.bufStart + this.buf.length) this.fill(pos, 1);
    return this.buf[pos - this.bufStart] ?? 0;
  }

  slice(start: number, end: number): Buffer {
    if (end > this.size) throw new OnnxParseError('unexpected end of file');
    if (start < this.bufStart || end > this.bufStart + this.buf.length) this.fill(start, end - start);
    return this.buf.subarray(start - this.bufStart, end - this.bufStart);
  }
}

interface Field {
  readonly no: number;
  readonly wire: number;
  /** Varint value (wire 0). */
  readonly value: number;
  /** Payload range (wire 2). */
  readonly start: number;
  readonly end: number;
}

function varint(b: FileBytes, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const byte = b.byte(pos + i);
    result += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return [result, pos + i + 1];
  }
  throw new OnnxParseError('malformed varint');
}

function* fields(b: FileBytes, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const [tag, p1] = varint(b, pos);
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (no === 0) throw new OnnxParseError('field number 0');
    switch (wire) {
      case 0: {
        const [value, p2] = varint(b, p1);
        yield { no, wire, value, start: p1, end: p2 };
        pos = p2;
        break;
      }
      case 1:
        pos = p1 + 8;
        break;
      case 2: {
        const [len, p2] = varint(b, p1);
        if (p2 + len > end) throw new OnnxParseError('length runs past its message');
        yield { no, wire, value: len, start: p2, end: p2 + len };
        pos = p2 + len;
        break;
      }
      case 5:
        pos = p1 + 4;
        break;
      default:
        throw new OnnxParseError(`unsupported wire type ${wire}`);
    }
    if (pos > end) throw new OnnxParseError('field runs past its message');
  }
}

function str(b: FileBytes, f: Field): string {
  return b.slice(f.start, f.end).toString('utf8');
}

function readValueInfo(b: FileBytes, f: Field): GraphValue {
  let name = '';
  let elemType = 'unknown';
  let dims: (number | string)[] | undefined;
  for (const vf of fields(b, f.start, f.end)) {
    if (vf.no === 1 && vf.wire === 2) name = str(b, vf);
    if (vf.no !== 2 || vf.wire !== 2) continue;
    for (const tf of fields(b, vf.start, vf.end)) {
      if (tf.no !== 1 || tf.wire !== 2) continue; // tensor_type
      for (const tt of fields(b, tf.start, tf.end)) {
        if (tt.no === 1 && tt.wire === 0) elemType = ELEM_TYPES[tt.value] ?? `type ${tt.value}`;
        if (tt.no === 2 && tt.wire === 2) {
          dims = [];
          for (const d of fields(b, tt.start, tt.end)) {
            if (d.no !== 1 || d.wire !== 2) continue;
            let dim: number | string = '?';
            for (const dv of fields(b, d.start, d.end)) {
              if (dv.no === 1 && dv.wire === 0) dim = dv.value;
              if (dv.no === 2 && dv.wire === 2) dim = str(b, dv);
            }
            dims.push(dim);
          }
        }
      }
    }
  }
  return { name, elemType, dims };
}

/** Scans `path`. Throws {@link OnnxParseError} for files that are not ONNX models. */
export function readOnnxSummary(path: string): OnnxSummary {
  const fd = openSync(path, 'r');
  try {
    const b = new FileBytes(fd);
    if (b.size === 0) throw new OnnxParseError('the file is empty');
    let irVersion = 0;
    const opsets: { domain: string; version: number }[] = [];
    let graph: Field | undefined;
    for (const f of fields(b, 0, b.size)) {
      if (f.no === 1 && f.wire === 0) irVersion = f.value;
      else if (f.no === 7 && f.wire === 2) graph = f;
      else if (f.no === 8 && f.wire === 2) {
        let domain = '';
        let version = 0;
        for (const o of fields(b, f.start, f.end)) {
          if (o.no === 1 && o.wire === 2) domain = str(b, o);
          if (o.no === 2 && o.wire === 0) version = o.value;
        }
        opsets.push({ domain, version });
      }
    }
    if (graph === undefined || irVersion === 0) throw new OnnxParseError('no ONNX graph in the file');
    const inputs: GraphValue[] = [];
    const outputs: GraphValue[] = [];
    const initNames = new Set<string>();
    const opTypes = new Set<string>();
    const floatStorage = new Set<string>();
    const external: ExternalRef[] = [];
    for (const f of fields(b, graph.start, graph.end)) {
      if (f.wire !== 2) continue;
      if (f.no === 1) {
        let op = '';
        let domain = '';
        for (const n of fields(b, f.start, f.end)) {
          if (n.no === 4 && n.wire === 2) op = str(b, n);
          if (n.no === 7 && n.wire === 2) domain = str(b, n);
        }
        opTypes.add(domain === '' || domain === 'ai.onnx' ? op : `${domain}::${op}`);
      } else if (f.no === 5) {
        let name = '';
        let type = 0;
        let location = 0;
        const entries = new Map<string, string>();
        for (const t of fields(b, f.start, f.end)) {
          if (t.no === 8 && t.wire === 2) name = str(b, t);
          if (t.no === 2 && t.wire === 0) type = t.value;
          if (t.no === 14 && t.wire === 0) location = t.value;
          if (t.no === 13 && t.wire === 2) {
            let key = '';
            let value = '';
            for (const e of fields(b, t.start, t.end)) {
              if (e.no === 1 && e.wire === 2) key = str(b, e);
              if (e.no === 2 && e.wire === 2) value = str(b, e);
            }
            entries.set(key, value);
          }
        }
        initNames.add(name);
        if (type === 1 || type === 10 || type === 16) floatStorage.add(ELEM_TYPES[type] ?? '');
        if (location === 1) {
          const len = entries.get('length');
          external.push({ tensor: name, location: entries.get('location') ?? '', offset: Number(entries.get('offset') ?? 0), length: len === undefined ? undefined : Number(len) });
        }
      } else if (f.no === 11) {
        inputs.push(readValueInfo(b, f));
      } else if (f.no === 12) {
        outputs.push(readValueInfo(b, f));
      }
    }
    // Older exporters list initializers among the inputs; they are not fed.
    return { irVersion, opsets, inputs: inputs.filter((i) => !initNames.has(i.name)), outputs, opTypes, floatStorage, external };
  } finally {
    closeSync(fd);
  }
}
