// Node adapter: a Parquet file read through byte ranges of an open file handle (never the whole file), its footer
// checked up front so a truncated or foreign file fails at open with a message that says what is wrong.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type Compressors, type FileMetaData, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DatasetError } from './datasetError.js';

const MAGIC = 'PAR1';
const ENCRYPTED_MAGIC = 'PARE';
/** "PAR1" + at least the 4-byte footer length + "PAR1". */
const MIN_BYTES = 12;

/** An open Parquet file: its footer parsed and checked. */
export interface ParquetFile {
  /** The file's base name, which every message starts with. */
  readonly name: string;
  readonly buffer: AsyncBuffer;
  readonly metadata: FileMetaData;
  readonly schema: SchemaTree;
  /** Rows in the file (the sum over its row groups). */
  readonly rowCount: number;
  close(): Promise<void>;
}

/**
 * An AsyncBuffer over an open file handle: each `slice` reads exactly that byte range. A range outside the file, or
 * a file that shrank while open, rejects with a message (hyparquet would otherwise decode short buffers as garbage).
 */
function fileAsyncBuffer(handle: FileHandle, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end: number = byteLength): Promise<ArrayBuffer> {
      if (start < 0 || end > byteLength || start > end) {
        throw new Error(`bytes ${start}–${end} lie outside the file (${byteLength} bytes): the footer points past the data`);
      }
      const out = new Uint8Array(end - start);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) throw new Error(`the file ended at byte ${start + done}, before byte ${end}: it was truncated while open`);
        done += bytesRead;
      }
      return out.buffer;
    },
  };
}

async function readAscii(buffer: AsyncBuffer, start: number, end: number): Promise<string> {
  return new TextDecoder('latin1').decode(await buffer.slice(start, end));
}

/** Why the first and last bytes are not a plain Parquet file's, or undefined when they are. */
async function magicProblem(buffer: AsyncBuffer): Promise<string | undefined> {
  if (buffer.byteLength < MIN_BYTES) return `not a Parquet file (${buffer.byteLength} bytes; a Parquet file starts and ends with "PAR1")`;
  const head = await readAscii(buffer, 0, 4);
  const tail = await readAscii(buffer, buffer.byteLength - 4, buffer.byteLength);
  if (tail === ENCRYPTED_MAGIC) return 'an encrypted Parquet file (encrypted footers are not supported)';
  if (tail !== MAGIC) {
    return head === MAGIC
      ? 'the Parquet file is truncated (it starts with "PAR1" but does not end with it: the footer is missing)'
      : 'not a Parquet file (expected "PAR1" at the end; the file may be truncated)';
  }
  if (head !== MAGIC) return 'not a Parquet file (it ends with "PAR1" but does not start with it)';
  const lengthBytes = new DataView(await buffer.slice(buffer.byteLength - 8, buffer.byteLength - 4));
  const footerLength = lengthBytes.getUint32(0, true);
  if (footerLength > buffer.byteLength - MIN_BYTES) {
    return `the Parquet footer is corrupt (it claims ${footerLength} bytes of metadata in a ${buffer.byteLength}-byte file)`;
  }
  return undefined;
}

/** The schema's leaf columns in file order: what each row group's column chunks must be, one for one. */
function leafColumns(node: SchemaTree): SchemaTree[] {
  return node.children.length === 0 ? [node] : node.children.flatMap(leafColumns);
}

/**
 * The first column chunk that does not fit the file, described: outside the data bytes, or not the schema's leaf
 * column at its place (path and physical type). Undefined when every chunk fits. A mismatch must fail here: hyparquet
 * never awaits a chunk that no schema column claims, so its decoding error would surface as an unhandled rejection.
 */
function chunkMismatch(metadata: FileMetaData, schema: SchemaTree, dataEnd: number): string | undefined {
  const leaves = leafColumns(schema).filter((leaf) => leaf !== schema);
  for (const [g, group] of metadata.row_groups.entries()) {
    if (group.columns.length !== leaves.length) return `row group ${g} has ${group.columns.length} column chunks for ${leaves.length} schema columns`;
    for (const [c, chunk] of group.columns.entries()) {
      const meta = chunk.meta_data;
      const leaf = leaves[c];
      if (meta === undefined || leaf === undefined) return `row group ${g} has a column without metadata`;
      const path = meta.path_in_schema.join('.');
      if (path !== leaf.path.join('.') || meta.type !== leaf.element.type) {
        return `row group ${g}'s column ${c} is "${path}" (${String(meta.type)}), but the schema says "${leaf.path.join('.')}" (${String(leaf.element.type)})`;
      }
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (start < 4 || end > dataEnd) return `row group ${g}'s column "${path}" lies outside the data (bytes ${start}–${end} of ${dataEnd})`;
    }
  }
  return undefined;
}

/** The footer parsed and checked, and the file's row count; every failure becomes a `DatasetError` naming the file. */
async function readFooter(name: string, buffer: AsyncBuffer): Promise<{ metadata: FileMetaData; schema: SchemaTree; rowCount: number }> {
  const fail = (what: string): DatasetError => new DatasetError(`${name}: ${what}`);
  const magic = await magicProblem(buffer);
  if (magic !== undefined) throw fail(magic);
  let footer: { metadata: FileMetaData; schema: SchemaTree; rowCount: number; mismatch: string | undefined };
  try {
    // Garbage that still parses as Thrift can yield any shape, so the checks run inside the same guard.
    const metadata = await parquetMetadataAsync(buffer);
    const rowCount = metadata.row_groups.reduce((n, g) => n + Number(g.num_rows), 0);
    if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw new Error(`row count ${rowCount}`);
    const schema = parquetSchema(metadata);
    const mismatch = chunkMismatch(metadata, schema, buffer.byteLength - metadata.metadata_length - 8);
    footer = { metadata, schema, rowCount, mismatch };
  } catch (err) {
    throw fail(`the Parquet footer is corrupt (${(err as Error).message})`);
  }
  if (footer.mismatch !== undefined) throw fail(`the Parquet footer is corrupt: ${footer.mismatch}`);
  return footer;
}

/**
 * Opens a Parquet file and reads its footer. Throws a `DatasetError` (message naming the file) when the file cannot be
 * opened, is not Parquet (no "PAR1" magic), is cut (no footer) or has a footer that does not parse, points outside
 * the file or lists column chunks that are not its schema's columns. The caller owns the result and must `close()` it.
 */
export async function openParquetFile(path: string): Promise<ParquetFile> {
  const name = basename(path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new DatasetError(`${name}: cannot open the file (${(err as Error).message})`);
  }
  try {
    const { size } = await handle.stat();
    const buffer = fileAsyncBuffer(handle, size);
    const { metadata, schema, rowCount } = await readFooter(name, buffer);
    return { name, buffer, metadata, schema, rowCount, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * hyparquet-compressors' decompressors, except that an empty page decompresses to nothing. Its LZ4_RAW decoder
 * (1.1.2) throws "lz4 offset out of range 0" on the one-byte empty block, which pyarrow writes as the dictionary page
 * of an all-null column; a page of 0 bytes needs no decoder under any codec.
 */
const PAGE_COMPRESSORS: Compressors = Object.fromEntries(
  Object.entries(compressors).map(([codec, decompress]) => [codec, (input: Uint8Array, outputLength: number) => (outputLength === 0 ? new Uint8Array(0) : decompress(input, outputLength))]),
);

const utf8 = new TextDecoder();

/** A JSON-annotated column's value; text that is not JSON is kept as the string rather than failing its whole page. */
function jsonFromBytes(bytes: Uint8Array): unknown {
  const text = utf8.decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Decodes rows [rowStart, rowEnd) as objects keyed by top-level column. Only the row groups the range touches are
 * read, and with `useOffsetIndex` only the pages of each column chunk that hold those rows (plus its dictionary
 * page) when the file has an offset index; without one, hyparquet reads the touched column chunks whole. Callers
 * keep ranges to at most a few thousand rows. Unannotated BYTE_ARRAY columns stay bytes (`utf8: false`) so that
 * binary data can be told from text. Rejects when a page fails to decode.
 */
export function readParquetRows(buffer: AsyncBuffer, metadata: FileMetaData, rowStart: number, rowEnd: number): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors: PAGE_COMPRESSORS, useOffsetIndex: true, utf8: false, parsers: { jsonFromBytes } });
}
