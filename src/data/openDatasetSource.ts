import { basename } from 'node:path';
import type { ParseOptions } from '../core/formats/formatSpec.js';
import { DatasetError } from './datasetError.js';
import type { DatasetSource } from './datasetSource.js';
import { openParquetSource } from './parquetSource.js';
import { TextSource } from './textSource.js';

/** Files a DatasetSource reads: JSON Lines (plain or gzip), JSON, and Parquet. */
export const DATASET_FILE = /\.(jsonl|ndjson|json|parquet|jsonl\.gz)$/i;

/** An open source and a promise for the end of its indexing. */
export interface OpenedSource {
  readonly source: DatasetSource;
  /** Settles when every row is indexed (or indexing stopped: the source's problems say why). */
  readonly complete: Promise<void>;
}

export interface OpenSourceOptions {
  readonly options: ParseOptions;
  readonly cacheDir?: string;
  /** Rows indexed so far, of `total` when known, and the fraction of the file. */
  readonly onProgress?: (p: { rows: number; fraction: number; complete: boolean }) => void;
  readonly thread?: 'worker' | 'inline';
}

/** Opens a data file as a row source by its extension. Throws DatasetError when it cannot be opened at all. */
export async function openDatasetSource(path: string, opts: OpenSourceOptions): Promise<OpenedSource> {
  if (/\.parquet$/i.test(path)) {
    const source = await openParquetSource(path, opts.options, {
      onProgress: (rows, total) => opts.onProgress?.({ rows, fraction: total === 0 ? 1 : rows / total, complete: rows >= total }),
    });
    return { source, complete: source.done };
  }
  if (!DATASET_FILE.test(path)) throw new DatasetError(`${basename(path)}: expected a .jsonl, .jsonl.gz, .json or .parquet file.`);
  const source = await TextSource.open(path, { options: opts.options, ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.thread ? { thread: opts.thread } : {}) });
  return { source, complete: source.done };
}
