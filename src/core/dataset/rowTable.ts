import type { RowSummary } from './rowSummary.js';

/** Where one row's JSON text sits in the file: bytes for reading it back, UTF-16 offset, line and column for ranges. */
export interface RowSpan {
  readonly byteStart: number;
  readonly byteEnd: number;
  readonly charStart: number;
  readonly line: number;
  readonly column: number;
}

const KINDS = ['none', 'trace', 'preference'] as const;
const NO_FIRST_ERROR = -1;
const FIRST_ERROR_ABSENT = -2;

/** A growable typed column. */
class Column<T extends Float64Array | Int32Array | Uint16Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(Math.max(1024, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** Interned strings (labels, subsets): a handful of distinct values across a million rows. */
class Interner {
  readonly values: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The offset index of a data file: one row per record entry, stored column by column in typed arrays and one UTF-8
 * string pool, so a million rows cost tens of megabytes rather than a million objects. Rows are appended while the
 * file streams by; `summary(i)` rebuilds the plain object for the few rows on screen.
 */
export class RowTable {
  private readonly byteStart = new Column(new Float64Array(0), (n) => new Float64Array(n));
  private readonly byteEnd = new Column(new Float64Array(0), (n) => new Float64Array(n));
  private readonly charStart = new Column(new Float64Array(0), (n) => new Float64Array(n));
  private readonly line = new Column(new Int32Array(0), (n) => new Int32Array(n));
  private readonly column = new Column(new Int32Array(0), (n) => new Int32Array(n));
  private readonly kind = new Column(new Uint8Array(0), (n) => new Uint8Array(n));
  private readonly steps = new Column(new Int32Array(0), (n) => new Int32Array(n));
  private readonly responses = new Column(new Int32Array(0), (n) => new Int32Array(n));
  private readonly records = new Column(new Int32Array(0), (n) => new Int32Array(n));
  private readonly firstError = new Column(new Int32Array(0), (n) => new Int32Array(n));
  private readonly label = new Column(new Uint16Array(0), (n) => new Uint16Array(n));
  private readonly subset = new Column(new Uint16Array(0), (n) => new Uint16Array(n));
  /** Per row: start of its id and of its prompt excerpt in the pool; the prompt ends where the next row's id starts. */
  private readonly idAt = new Column(new Float64Array(0), (n) => new Float64Array(n));
  private readonly promptAt = new Column(new Float64Array(0), (n) => new Float64Array(n));
  private pool = new Uint8Array(0);
  private poolLength = 0;
  private readonly labels = new Interner();
  private readonly subsets = new Interner();
  /** The rare rows with a problem. */
  private readonly problems = new Map<number, string>();

  get length(): number {
    return this.byteStart.length;
  }

  private poolPush(s: string): void {
    const need = this.poolLength + s.length * 3;
    if (need > this.pool.length) {
      const next = new Uint8Array(Math.max(need, this.pool.length * 2, 65536));
      next.set(this.pool.subarray(0, this.poolLength));
      this.pool = next;
    }
    this.poolLength += encoder.encodeInto(s, this.pool.subarray(this.poolLength)).written;
  }

  /** Appends a row; its summary's `position` must equal the current length. */
  push(span: RowSpan, s: RowSummary): void {
    if (s.position !== this.length) throw new Error(`RowTable: row ${s.position} appended at ${this.length}`);
    this.byteStart.push(span.byteStart);
    this.byteEnd.push(span.byteEnd);
    this.charStart.push(span.charStart);
    this.line.push(span.line);
    this.column.push(span.column);
    this.kind.push(KINDS.indexOf(s.kind));
    this.steps.push(s.steps);
    this.responses.push(s.responses);
    this.records.push(s.records);
    this.firstError.push(s.labelledFirstError === undefined ? FIRST_ERROR_ABSENT : s.labelledFirstError === null ? NO_FIRST_ERROR : s.labelledFirstError);
    this.label.push(this.labels.id(s.label));
    this.subset.push(this.subsets.id(s.subset ?? ''));
    this.idAt.push(this.poolLength);
    this.poolPush(s.id);
    this.promptAt.push(this.poolLength);
    this.poolPush(s.prompt);
    if (s.problem !== undefined) this.problems.set(s.position, s.problem);
  }

  span(i: number): RowSpan {
    return { byteStart: this.byteStart.data[i] ?? 0, byteEnd: this.byteEnd.data[i] ?? 0, charStart: this.charStart.data[i] ?? 0, line: this.line.data[i] ?? 0, column: this.column.data[i] ?? 0 };
  }

  private poolText(from: number, to: number): string {
    return decoder.decode(this.pool.subarray(from, to));
  }

  summary(i: number): RowSummary {
    if (i < 0 || i >= this.length) throw new RangeError(`row ${i} is not in the index (${this.length} rows)`);
    const idAt = this.idAt.data[i] ?? 0;
    const promptAt = this.promptAt.data[i] ?? 0;
    const end = i + 1 < this.length ? (this.idAt.data[i + 1] ?? this.poolLength) : this.poolLength;
    const fe = this.firstError.data[i] ?? FIRST_ERROR_ABSENT;
    const subset = this.subsets.values[this.subset.data[i] ?? 0] ?? '';
    const problem = this.problems.get(i);
    return {
      position: i,
      id: this.poolText(idAt, promptAt),
      kind: KINDS[this.kind.data[i] ?? 0] ?? 'none',
      prompt: this.poolText(promptAt, end),
      steps: this.steps.data[i] ?? 0,
      responses: this.responses.data[i] ?? 0,
      label: this.labels.values[this.label.data[i] ?? 0] ?? '',
      ...(fe === FIRST_ERROR_ABSENT ? {} : { labelledFirstError: fe === NO_FIRST_ERROR ? null : fe }),
      ...(subset !== '' ? { subset } : {}),
      records: this.records.data[i] ?? 0,
      ...(problem !== undefined ? { problem } : {}),
    };
  }

  /** Distinct labels and subsets seen (for filter menus), '' excluded. */
  distinctLabels(): string[] {
    return this.labels.values.filter((v) => v !== '');
  }
  distinctSubsets(): string[] {
    return this.subsets.values.filter((v) => v !== '');
  }

  /** Appends every row of another table (a batch from the indexing worker). */
  append(other: RowTable): void {
    for (let i = 0; i < other.length; i++) this.push(other.span(i), { ...other.summary(i), position: this.length });
  }

  /** The table as bytes: a JSON header and the columns, for the workspace-storage cache and worker messages. */
  serialize(): Uint8Array {
    const columns = this.columns();
    const header = encoder.encode(
      JSON.stringify({ version: 1, length: this.length, pool: this.poolLength, labels: this.labels.values, subsets: this.subsets.values, problems: [...this.problems], columns: columns.map((c) => c.byteLength) }),
    );
    const total = 4 + header.length + columns.reduce((n, c) => n + c.byteLength, 0) + this.poolLength;
    const out = new Uint8Array(total);
    new DataView(out.buffer).setUint32(0, header.length, true);
    out.set(header, 4);
    let at = 4 + header.length;
    for (const c of columns) {
      out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
      at += c.byteLength;
    }
    out.set(this.pool.subarray(0, this.poolLength), at);
    return out;
  }

  private columns(): (Float64Array | Int32Array | Uint16Array | Uint8Array)[] {
    return [this.byteStart, this.byteEnd, this.charStart, this.idAt, this.promptAt, this.line, this.column, this.steps, this.responses, this.records, this.firstError, this.label, this.subset, this.kind].map((c) => c.trimmed());
  }

  /** Reads `serialize`'s bytes back; throws on anything malformed (callers treat that as "no cache"). */
  static deserialize(bytes: Uint8Array): RowTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(0, true);
    const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength))) as {
      version: number;
      length: number;
      pool: number;
      labels: string[];
      subsets: string[];
      problems: [number, string][];
      columns: number[];
    };
    if (header.version !== 1) throw new Error('unknown index version');
    const t = new RowTable();
    let at = 4 + headerLength;
    const cols = [t.byteStart, t.byteEnd, t.charStart, t.idAt, t.promptAt, t.line, t.column, t.steps, t.responses, t.records, t.firstError, t.label, t.subset, t.kind];
    cols.forEach((col, k) => {
      const size = header.columns[k] ?? 0;
      const copy = bytes.slice(at, at + size);
      const Ctor = col.data.constructor as new (b: ArrayBuffer) => typeof col.data;
      col.data = new Ctor(copy.buffer);
      col.length = header.length;
      if (col.data.length !== header.length) throw new Error('index column size mismatch');
      at += size;
    });
    t.pool = bytes.slice(at, at + header.pool);
    t.poolLength = header.pool;
    if (t.pool.length !== header.pool) throw new Error('index truncated');
    for (const v of header.labels) t.labels.id(v);
    for (const v of header.subsets) t.subsets.id(v);
    for (const [k, v] of header.problems) t.problems.set(k, v);
    return t;
  }
}
