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

type TypedColumn = Float64Array | Int32Array | Uint16Array | Uint8Array;

/** A typed-array constructor: `new C(length)`, or a view of a whole buffer. */
interface TypedArrayClass<T extends TypedColumn> {
  new (length: number): T;
  new (buffer: ArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** Elements per column chunk (2^CHUNK_SHIFT). */
const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;

/**
 * A growable typed column kept in chunks of CHUNK elements; only the last chunk grows (by doubling), so a
 * million-row column is never copied whole to grow, and never holds more than one chunk of spare room.
 */
class Column<T extends TypedColumn> {
  length = 0;
  private chunks: T[] = [];
  constructor(private readonly Typed: TypedArrayClass<T>) {}

  push(v: number): void {
    const c = this.length >>> CHUNK_SHIFT;
    const at = this.length & (CHUNK - 1);
    let chunk = this.chunks[c];
    if (chunk === undefined || at === chunk.length) {
      const next = new this.Typed(chunk === undefined ? 1024 : Math.min(CHUNK, chunk.length * 2));
      if (chunk !== undefined) next.set(chunk);
      this.chunks[c] = next;
      chunk = next;
    }
    chunk[at] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_SHIFT]?.[i & (CHUNK - 1)] ?? 0;
  }

  /** Empties the column, keeping its first chunk for the next values. */
  clear(): void {
    this.chunks.length = Math.min(1, this.chunks.length);
    this.length = 0;
  }

  /** The values as byte views of the chunks (no copy), in order. */
  byteParts(): Uint8Array[] {
    return this.chunks.map((chunk, c) => new Uint8Array(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, this.length - c * CHUNK) * this.Typed.BYTES_PER_ELEMENT));
  }

  /** Replaces the values with `length` values read from `bytes` (copied, a chunk at a time). */
  load(bytes: Uint8Array, length: number): void {
    if (bytes.length !== length * this.Typed.BYTES_PER_ELEMENT) throw new Error('index column size mismatch');
    this.chunks = [];
    for (let s = 0; s < length; s += CHUNK) {
      const piece = bytes.slice(s * this.Typed.BYTES_PER_ELEMENT, Math.min(length, s + CHUNK) * this.Typed.BYTES_PER_ELEMENT);
      this.chunks.push(new this.Typed(piece.buffer));
    }
    this.length = length;
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

/** Most bytes of a string-pool block: the first block grows from 4 KB to this, later ones are this size. */
const POOL_BLOCK = 1 << 22;

/**
 * The offset index of a data file: one row per record entry, stored column by column in typed arrays and one UTF-8
 * string pool, so a million rows cost tens of megabytes rather than a million objects. Rows are appended while the
 * file streams by; `summary(i)` rebuilds the plain object for the few rows on screen.
 */
export class RowTable {
  private readonly byteStart = new Column(Float64Array);
  private readonly byteEnd = new Column(Float64Array);
  private readonly charStart = new Column(Float64Array);
  private readonly line = new Column(Int32Array);
  private readonly column = new Column(Int32Array);
  private readonly kind = new Column(Uint8Array);
  private readonly steps = new Column(Int32Array);
  private readonly responses = new Column(Int32Array);
  private readonly records = new Column(Int32Array);
  private readonly firstError = new Column(Int32Array);
  private readonly label = new Column(Uint16Array);
  private readonly subset = new Column(Uint16Array);
  /** Per row: start of its id and of its prompt in the pool; the prompt ends where the next row's id starts. */
  private readonly idAt = new Column(Float64Array);
  private readonly promptAt = new Column(Float64Array);
  /**
   * The UTF-8 string pool, in blocks: pool offsets run on across blocks without gaps (block k starts where block
   * k - 1's used bytes end), and no string is split between two blocks.
   */
  private blocks: Uint8Array[] = [];
  /** Pool offset of each block's first byte. */
  private blockStart: number[] = [];
  /** Bytes used in the last block. */
  private blockUsed = 0;
  /** Whether some block is another table's memory (`append`): `clear` must not reuse it. */
  private poolShared = false;
  private poolLength = 0;
  private labels = new Interner();
  private subsets = new Interner();
  /** The rare rows with a problem. */
  private readonly problems = new Map<number, string>();

  get length(): number {
    return this.byteStart.length;
  }

  private poolPush(s: string): void {
    const need = s.length * 3;
    let block = this.blocks[this.blocks.length - 1];
    if (block === undefined || this.blockUsed + need > block.length) {
      if (block !== undefined && this.blocks.length === 1 && this.blockUsed + need <= POOL_BLOCK) {
        // The first block grows (small tables stay small)...
        const next = new Uint8Array(Math.min(POOL_BLOCK, Math.max(block.length * 2, this.blockUsed + need)));
        next.set(block.subarray(0, this.blockUsed));
        block = next;
        this.blocks[0] = block;
      } else {
        // ...later ones are added whole, so the pool is never copied to grow.
        block = new Uint8Array(Math.max(need, block === undefined ? 4096 : POOL_BLOCK));
        this.blocks.push(block);
        this.blockStart.push(this.poolLength);
        this.blockUsed = 0;
      }
    }
    const written = encoder.encodeInto(s, block.subarray(this.blockUsed)).written;
    this.blockUsed += written;
    this.poolLength += written;
  }

  /** Adds another table's pool bytes as blocks of this one (no copy): they start at this pool's end. */
  private poolAdopt(other: RowTable): void {
    other.blocks.forEach((block, k) => {
      const used = k + 1 < other.blocks.length ? (other.blockStart[k + 1] ?? 0) - (other.blockStart[k] ?? 0) : other.blockUsed;
      if (used === 0) return;
      this.poolShared = true;
      this.blocks.push(block.subarray(0, used));
      this.blockStart.push(this.poolLength);
      this.blockUsed = used;
      this.poolLength += used;
    });
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
    return { byteStart: this.byteStart.get(i), byteEnd: this.byteEnd.get(i), charStart: this.charStart.get(i), line: this.line.get(i), column: this.column.get(i) };
  }

  private poolText(from: number, to: number): string {
    if (to <= from) return '';
    // The last block starting at or before `from` holds the whole string.
    let lo = 0;
    let hi = this.blockStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.blockStart[mid] ?? 0) <= from) lo = mid;
      else hi = mid - 1;
    }
    const start = this.blockStart[lo] ?? 0;
    return decoder.decode(this.blocks[lo]?.subarray(from - start, to - start));
  }

  summary(i: number): RowSummary {
    if (i < 0 || i >= this.length) throw new RangeError(`row ${i} is not in the index (${this.length} rows)`);
    const idAt = this.idAt.get(i);
    const promptAt = this.promptAt.get(i);
    const end = i + 1 < this.length ? this.idAt.get(i + 1) : this.poolLength;
    const fe = this.firstError.get(i);
    const subset = this.subsets.values[this.subset.get(i)] ?? '';
    const problem = this.problems.get(i);
    return {
      position: i,
      id: this.poolText(idAt, promptAt),
      kind: KINDS[this.kind.get(i)] ?? 'none',
      prompt: this.poolText(promptAt, end),
      steps: this.steps.get(i),
      responses: this.responses.get(i),
      label: this.labels.values[this.label.get(i)] ?? '',
      ...(fe === FIRST_ERROR_ABSENT ? {} : { labelledFirstError: fe === NO_FIRST_ERROR ? null : fe }),
      ...(subset !== '' ? { subset } : {}),
      records: this.records.get(i),
      ...(problem !== undefined ? { problem } : {}),
    };
  }

  /**
   * Removes every row but keeps the memory of the first column chunks and pool block for the next rows: a table
   * refilled again and again (the indexing worker's batch, serialized and cleared) then allocates nothing.
   */
  clear(): void {
    for (const c of this.columns()) c.clear();
    this.blocks.length = this.poolShared ? 0 : Math.min(1, this.blocks.length);
    this.blockStart.length = this.blocks.length;
    this.poolShared = false;
    this.blockUsed = 0;
    this.poolLength = 0;
    this.labels = new Interner();
    this.subsets = new Interner();
    this.problems.clear();
  }

  /** Distinct labels and subsets seen (for filter menus), '' excluded. */
  distinctLabels(): string[] {
    return this.labels.values.filter((v) => v !== '');
  }
  distinctSubsets(): string[] {
    return this.subsets.values.filter((v) => v !== '');
  }

  /**
   * Appends every row of another table (a batch from the indexing worker), column by column; the other table's
   * pool is shared, not copied, so it must not be appended to afterwards.
   */
  append(other: RowTable): void {
    const base = this.length;
    const poolBase = this.poolLength;
    const n = other.length;
    const same = [
      [this.byteStart, other.byteStart],
      [this.byteEnd, other.byteEnd],
      [this.charStart, other.charStart],
      [this.line, other.line],
      [this.column, other.column],
      [this.kind, other.kind],
      [this.steps, other.steps],
      [this.responses, other.responses],
      [this.records, other.records],
      [this.firstError, other.firstError],
    ] as const;
    for (const [to, from] of same) for (let i = 0; i < n; i++) to.push(from.get(i));
    for (let i = 0; i < n; i++) {
      this.idAt.push(other.idAt.get(i) + poolBase);
      this.promptAt.push(other.promptAt.get(i) + poolBase);
    }
    const labelIds = other.labels.values.map((v) => this.labels.id(v));
    const subsetIds = other.subsets.values.map((v) => this.subsets.id(v));
    for (let i = 0; i < n; i++) {
      this.label.push(labelIds[other.label.get(i)] ?? 0);
      this.subset.push(subsetIds[other.subset.get(i)] ?? 0);
    }
    this.poolAdopt(other);
    for (const [k, v] of other.problems) this.problems.set(base + k, v);
  }

  /**
   * The table as bytes, in parts that reference the table's own memory (write them out in order, then drop them):
   * a 4-byte header length, a JSON header, the columns and the pool. `serialize` is their concatenation.
   */
  serializedParts(): Uint8Array[] {
    const columns = this.columns().map((c) => c.byteParts());
    const header = encoder.encode(
      JSON.stringify({ version: 1, length: this.length, pool: this.poolLength, labels: this.labels.values, subsets: this.subsets.values, problems: [...this.problems], columns: columns.map((parts) => parts.reduce((n, p) => n + p.length, 0)) }),
    );
    const head = new Uint8Array(4 + header.length);
    new DataView(head.buffer).setUint32(0, header.length, true);
    head.set(header, 4);
    const pool = this.blocks.map((block, k) => block.subarray(0, k + 1 < this.blocks.length ? (this.blockStart[k + 1] ?? 0) - (this.blockStart[k] ?? 0) : this.blockUsed));
    return [head, ...columns.flat(), ...pool];
  }

  /** The table as bytes: a JSON header and the columns, for the workspace-storage cache and worker messages. */
  serialize(): Uint8Array {
    const parts = this.serializedParts();
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private columns(): Column<TypedColumn>[] {
    return [this.byteStart, this.byteEnd, this.charStart, this.idAt, this.promptAt, this.line, this.column, this.steps, this.responses, this.records, this.firstError, this.label, this.subset, this.kind];
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
    t.columns().forEach((col, k) => {
      const size = header.columns[k] ?? 0;
      if (at + size > bytes.length) throw new Error('index truncated');
      col.load(bytes.subarray(at, at + size), header.length);
      at += size;
    });
    const pool = bytes.slice(at, at + header.pool);
    if (pool.length !== header.pool) throw new Error('index truncated');
    if (pool.length > 0) {
      t.blocks = [pool];
      t.blockStart = [0];
      t.blockUsed = pool.length;
    }
    t.poolLength = header.pool;
    for (const v of header.labels) t.labels.id(v);
    for (const v of header.subsets) t.subsets.id(v);
    for (const [k, v] of header.problems) t.problems.set(k, v);
    return t;
  }
}
