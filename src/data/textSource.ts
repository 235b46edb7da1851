import { createReadStream, createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Worker } from 'node:worker_threads';
import { DatasetIndexer } from '../core/dataset/datasetIndexer.js';
import { parseEntryText, parseEntryWindow, type EntryPlace } from '../core/dataset/entryRecords.js';
import { RowTable } from '../core/dataset/rowTable.js';
import type { RowSummary } from '../core/dataset/rowSummary.js';
import type { Problem } from '../core/dataset/types.js';
import { textHash } from '../core/editor/textHash.js';
import type { ParseOptions } from '../core/formats/formatSpec.js';
import { formatById } from '../core/formats/registry.js';
import { keyMappingFormat } from '../core/formats/keyMapping.js';
import { startWorker } from '../model/workerThread.js';
import { writeFileAtomic } from '../scorers/atomicWrite.js';
import { DatasetError } from './datasetError.js';
import type { DatasetSource, SourceRow } from './datasetSource.js';
import type { IndexWorkerData, IndexWorkerMessage } from './indexProtocol.js';

/** Progress of an index build. */
export interface IndexProgress {
  readonly rows: number;
  /** 0..1 of the file's bytes. */
  readonly fraction: number;
  readonly complete: boolean;
}

/** How a text source is opened. */
export interface TextSourceOptions {
  readonly options: ParseOptions;
  /** Where indexes (and decompressed `.jsonl.gz` files) are kept between sessions; none = no persistence. */
  readonly cacheDir?: string;
  readonly onProgress?: (p: IndexProgress) => void;
  /**
   * `worker` (default) builds the index on a worker thread, so the extension host stays responsive; `inline`
   * builds it on this thread (the CLI, which has nothing else to do and no worker start-up to pay).
   */
  readonly thread?: 'worker' | 'inline';
}

interface IndexMeta {
  readonly version: 1;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly optionsKey: string;
  readonly format: string;
  readonly layout: 'jsonl' | 'array' | 'object';
  readonly problems: readonly Problem[];
}

/** How many rows `readRows` reads with one file read; larger requests are read in such slices. */
const READ_SLICE_ROWS = 256;

/**
 * A JSON Lines / JSON file read through its byte-offset index: the index is built by a worker thread (rows
 * arrive while it runs) or loaded from the cache when the file's path, size and mtime match; rows are read back
 * by byte range and parsed on demand. The file is never held in memory.
 */
export class TextSource implements DatasetSource {
  readonly container: 'jsonl' | 'json';
  table = new RowTable();
  problems: Problem[] = [];
  format = 'pending';
  complete = false;
  /** Settles when the index is complete (or failed: then `failure` says why). */
  readonly done: Promise<void>;
  failure: string | undefined;
  private worker: Worker | undefined;
  private handle: Promise<FileHandle> | undefined;
  private stamp: { size: number; mtimeMs: number };
  private settle!: () => void;
  private readonly rowWaiters: { rows: number; resolve: () => void }[] = [];

  private constructor(
    readonly path: string,
    /** The file actually read: `path` itself, or the decompressed copy of a `.jsonl.gz`. */
    private readonly dataPath: string,
    private readonly opts: TextSourceOptions,
  ) {
    this.container = /\.json$/i.test(path) ? 'json' : 'jsonl';
    this.done = new Promise((resolve) => (this.settle = resolve));
    const st = statSync(dataPath);
    this.stamp = { size: st.size, mtimeMs: st.mtimeMs };
  }

  /** Opens (and starts indexing, or loads the cached index of) a `.jsonl`, `.json`, `.ndjson` or `.jsonl.gz` file. */
  static async open(path: string, opts: TextSourceOptions): Promise<TextSource> {
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new DatasetError(`cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    if (st.isDirectory()) throw new DatasetError(`"${path}" is a folder, not a data file.`);
    const dataPath = /\.gz$/i.test(path) ? await gunzipToCache(path, st, opts.cacheDir) : path;
    const source = new TextSource(path, dataPath, opts);
    if (!source.loadCached()) source.build();
    return source;
  }

  get rowCount(): number {
    return this.table.length;
  }

  summary(position: number): RowSummary {
    return this.table.summary(position);
  }

  distinctLabels(): readonly string[] {
    return this.table.distinctLabels();
  }

  distinctSubsets(): readonly string[] {
    return this.table.distinctSubsets();
  }

  /** Resolves once `rows` rows are indexed (or indexing ended with fewer). */
  waitForRows(rows: number): Promise<void> {
    if (this.table.length >= rows || this.complete || this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.rowWaiters.push({ rows, resolve }));
  }

  private optionsKey(): string {
    return textHash(JSON.stringify(this.opts.options));
  }

  private cachePath(): string | undefined {
    return this.opts.cacheDir === undefined ? undefined : join(this.opts.cacheDir, 'index', `${textHash(this.path)}.idx`);
  }

  private loadCached(): boolean {
    const file = this.cachePath();
    if (file === undefined) return false;
    try {
      const bytes = readFileSync(file);
      const metaLength = bytes.readUInt32LE(0);
      const meta = JSON.parse(bytes.subarray(4, 4 + metaLength).toString('utf8')) as IndexMeta;
      if (meta.version !== 1 || meta.path !== this.path || meta.size !== this.stamp.size || meta.mtimeMs !== this.stamp.mtimeMs || meta.optionsKey !== this.optionsKey()) return false;
      this.table = RowTable.deserialize(new Uint8Array(bytes.buffer, bytes.byteOffset + 4 + metaLength, bytes.length - 4 - metaLength));
      this.format = meta.format;
      this.problems = [...meta.problems];
      this.finish();
      return true;
    } catch {
      return false;
    }
  }

  private saveCache(layout: IndexMeta['layout']): void {
    const file = this.cachePath();
    if (file === undefined) return;
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const meta: IndexMeta = { version: 1, path: this.path, size: this.stamp.size, mtimeMs: this.stamp.mtimeMs, optionsKey: this.optionsKey(), format: this.format, layout, problems: this.problems };
      const head = Buffer.from(JSON.stringify(meta), 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(head.length, 0);
      writeFileAtomic(file, [len, head, ...this.table.serializedParts()]);
    } catch {
      // A cache that cannot be written only costs a re-index next time.
    }
  }

  private build(): void {
    if (this.opts.thread === 'inline') {
      void this.buildInline();
      return;
    }
    const data: IndexWorkerData = { path: this.dataPath, fileName: basename(this.path), options: this.opts.options };
    const worker = startWorker('indexWorker', data, 'index worker', __dirname);
    this.worker = worker;
    worker.on('message', (msg: IndexWorkerMessage) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(`indexing failed: ${err.message}`));
    worker.on('exit', () => {
      if (!this.complete && this.failure === undefined && this.worker === worker) this.fail('the index worker stopped before the end of the file');
    });
  }

  /** The worker's loop, run here: same messages, no thread. */
  private async buildInline(): Promise<void> {
    const before = this.stamp;
    const indexer = new DatasetIndexer(basename(this.path), this.opts.options);
    try {
      for await (const chunk of createReadStream(this.dataPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        indexer.push(chunk);
        if (indexer.table.length >= 2048) this.onMessage(rowsMessage(indexer));
      }
      indexer.end();
      this.onMessage(rowsMessage(indexer));
      const st = statSync(this.dataPath);
      this.onMessage({ type: 'done', format: indexer.formatId, layout: indexer.layout ?? 'jsonl', size: before.size, mtimeMs: before.mtimeMs, changed: st.size !== before.size || st.mtimeMs !== before.mtimeMs });
    } catch (err) {
      this.fail(`indexing failed: ${(err as Error).message}`);
    }
  }

  private onMessage(msg: IndexWorkerMessage): void {
    switch (msg.type) {
      case 'rows': {
        this.table.append(msg.table instanceof RowTable ? msg.table : RowTable.deserialize(msg.table));
        this.problems.push(...msg.problems);
        this.format = msg.format;
        this.opts.onProgress?.({ rows: this.table.length, fraction: this.stamp.size === 0 ? 1 : Math.min(1, msg.bytesRead / this.stamp.size), complete: false });
        this.wakeRowWaiters();
        break;
      }
      case 'done':
        this.format = msg.format;
        if (msg.changed) {
          // The file moved under the reader: start again from its new state, losing nothing but time.
          const st = statSync(this.dataPath);
          this.stamp = { size: st.size, mtimeMs: st.mtimeMs };
          this.table = new RowTable();
          this.problems = [];
          void this.worker?.terminate();
          this.build();
          return;
        }
        this.problems.sort((a, b) => a.offset - b.offset);
        this.saveCache(msg.layout);
        this.finish();
        void this.worker?.terminate();
        this.worker = undefined;
        break;
      case 'failed':
        this.fail(`indexing failed: ${msg.message}`);
        break;
    }
  }

  private wakeRowWaiters(): void {
    for (let i = this.rowWaiters.length - 1; i >= 0; i--) {
      const w = this.rowWaiters[i];
      if (w !== undefined && (this.table.length >= w.rows || this.complete || this.failure !== undefined)) {
        this.rowWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private finish(): void {
    this.complete = true;
    this.opts.onProgress?.({ rows: this.table.length, fraction: 1, complete: true });
    this.wakeRowWaiters();
    this.settle();
  }

  private fail(message: string): void {
    if (this.failure !== undefined || this.complete) return;
    this.failure = message;
    this.problems.push({ line: 1, column: 1, offset: 0, length: 0, message: `${basename(this.path)}: ${message}`, severity: 'error' });
    void this.worker?.terminate();
    this.worker = undefined;
    this.wakeRowWaiters();
    this.settle();
  }

  /** The file as indexed, or a clear error when it changed since (the caller re-opens it). */
  private checkUnchanged(): void {
    const st = statSync(this.dataPath);
    if (st.size !== this.stamp.size || st.mtimeMs !== this.stamp.mtimeMs) {
      throw new DatasetError(`${basename(this.path)} changed after it was indexed; reopen it to index it again.`);
    }
  }

  async readRows(start: number, end: number, signal?: AbortSignal): Promise<readonly SourceRow[]> {
    const from = Math.max(0, start);
    const to = Math.min(end, this.table.length);
    if (from >= to) return [];
    this.checkUnchanged();
    const fmt = this.formatSpec();
    const out: SourceRow[] = [];
    for (let s = from; s < to; s += READ_SLICE_ROWS) {
      signal?.throwIfAborted();
      out.push(...(await this.readSlice(s, Math.min(to, s + READ_SLICE_ROWS), fmt)));
    }
    return out;
  }

  private formatSpec(): ReturnType<typeof formatById> {
    const byId = formatById(this.format);
    if (byId !== undefined) return byId;
    return this.format === 'mapping' && this.opts.options.mapping !== undefined ? keyMappingFormat(this.opts.options.mapping) : undefined;
  }

  private async texts(start: number, end: number): Promise<{ text: string; place: EntryPlace }[]> {
    const first = this.table.span(start);
    const last = this.table.span(end - 1);
    this.handle ??= open(this.dataPath, 'r');
    const fh = await this.handle;
    const length = last.byteEnd - first.byteStart;
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, first.byteStart + got);
      if (bytesRead === 0) throw new DatasetError(`${basename(this.path)} is shorter than its index says; reopen it to index it again.`);
      got += bytesRead;
    }
    const out: { text: string; place: EntryPlace }[] = [];
    for (let i = start; i < end; i++) {
      const sp = this.table.span(i);
      out.push({ text: buf.toString('utf8', sp.byteStart - first.byteStart, sp.byteEnd - first.byteStart), place: { ordinal: i, charStart: sp.charStart, line: sp.line, column: sp.column } });
    }
    return out;
  }

  private async readSlice(start: number, end: number, fmt: ReturnType<typeof formatById>): Promise<SourceRow[]> {
    if (fmt === undefined) {
      return Array.from({ length: end - start }, (_, k) => ({ position: start + k, records: [], problems: [] }));
    }
    if (fmt.parseEntries !== undefined) {
      // Records spanning entries (HelpSteer2 pairs) are read with a neighbour on each side; each row keeps the
      // records that start in it.
      const lo = Math.max(0, start - 1);
      const hi = Math.min(this.table.length, end + 1);
      const items = await this.texts(lo, hi);
      const out = parseEntryWindow(items, fmt, this.opts.options);
      return Array.from({ length: end - start }, (_, k) => {
        const item = start + k - lo;
        return { position: start + k, records: out.records.filter((r) => r.item === item).map((r) => r.record), problems: out.problems.filter((p) => p.item === item).map((p) => p.problem) };
      });
    }
    const items = await this.texts(start, end);
    return items.map((it) => ({ position: it.place.ordinal, ...parseEntryText(it.text, it.place, fmt, this.opts.options) }));
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) await w.terminate();
    if (!this.complete && this.failure === undefined) {
      this.failure = 'closed';
      this.wakeRowWaiters();
      this.settle();
    }
    const h = this.handle;
    this.handle = undefined;
    if (h !== undefined) await (await h).close();
  }
}

/** The rows and problems an inline indexer gathered since the last call, as the worker would post them. */
function rowsMessage(indexer: DatasetIndexer): IndexWorkerMessage {
  const problems = indexer.problems.splice(0);
  return { type: 'rows', table: indexer.takeBatch(), bytesRead: indexer.bytesRead, problems, format: indexer.formatId };
}

/**
 * Decompresses a `.jsonl.gz` once into the cache (keyed by path, size and mtime) and returns the copy's path:
 * offsets index into the decompressed text, which gzip cannot seek into.
 */
async function gunzipToCache(path: string, st: { size: number; mtimeMs: number }, cacheDir: string | undefined): Promise<string> {
  const dir = join(cacheDir ?? join(tmpdir(), 'reward-lens'), 'gunzip');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `${textHash(`${path}|${st.size}|${st.mtimeMs}`)}.jsonl`);
  try {
    statSync(target);
    return target;
  } catch {
    // not cached yet
  }
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await pipeline(createReadStream(path), createGunzip(), createWriteStream(tmp));
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new DatasetError(`${basename(path)}: cannot decompress (${(err as Error).message}); expected a gzip-compressed JSON Lines file.`);
  }
  return target;
}
