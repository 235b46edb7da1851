import type { Problem } from '../core/dataset/types.js';
import type { ParseOptions } from '../core/formats/formatSpec.js';
import type { RowTable } from '../core/dataset/rowTable.js';

/** What the index worker is started with. */
export interface IndexWorkerData {
  readonly path: string;
  /** The name the layout is decided by (a `.jsonl.gz` file's, not its decompressed cache file's). */
  readonly fileName: string;
  readonly options: ParseOptions;
}

/** Index worker → host. */
export type IndexWorkerMessage =
  /** Rows indexed since the last message (a serialized RowTable; the table itself when indexing inline) and problems found since. */
  | { readonly type: 'rows'; readonly table: Uint8Array | RowTable; readonly bytesRead: number; readonly problems: readonly Problem[]; readonly format: string }
  /** Indexing finished; `changed` when the file's size or mtime moved while it was read. */
  | { readonly type: 'done'; readonly format: string; readonly layout: 'jsonl' | 'array' | 'object'; readonly size: number; readonly mtimeMs: number; readonly changed: boolean }
  | { readonly type: 'failed'; readonly message: string };
