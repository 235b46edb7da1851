// The offset-index worker: reads a JSON / JSON Lines file in chunks off the extension host's thread and posts the
// row index in batches (first rows early, then every BATCH_MS), then the file's format, layout and problems.
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { DatasetIndexer } from '../core/dataset/datasetIndexer.js';
import type { IndexWorkerData, IndexWorkerMessage } from './indexProtocol.js';

const BATCH_MS = 150;
const FIRST_BATCH_ROWS = 200;
const CHUNK_BYTES = 1 << 20;

function post(msg: IndexWorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(msg, transfer);
}

async function run(data: IndexWorkerData): Promise<void> {
  const before = statSync(data.path);
  const indexer = new DatasetIndexer(data.fileName, data.options);
  let lastPost = Date.now();
  let sentFirst = false;
  let problemsSent = 0;
  const flush = (): void => {
    const problems = indexer.problems.slice(problemsSent);
    problemsSent = indexer.problems.length;
    if (indexer.table.length === 0 && problems.length === 0) return;
    const bytes = indexer.takeBatchBytes();
    post({ type: 'rows', table: bytes, bytesRead: indexer.bytesRead, problems, format: indexer.formatId }, [bytes.buffer as ArrayBuffer]);
    lastPost = Date.now();
  };
  // One buffer, read into again and again: a fresh buffer per chunk would leave up to V8's external-memory
  // allowance (tens of MB) of dead chunks between collections.
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const file = await open(data.path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      indexer.push(buffer.subarray(0, bytesRead));
      if ((!sentFirst && indexer.table.length >= FIRST_BATCH_ROWS) || Date.now() - lastPost > BATCH_MS) {
        sentFirst = true;
        flush();
      }
    }
  } finally {
    await file.close();
  }
  indexer.end();
  flush();
  const after = statSync(data.path);
  const changed = after.size !== before.size || after.mtimeMs !== before.mtimeMs;
  post({ type: 'done', format: indexer.formatId, layout: indexer.layout ?? 'jsonl', size: before.size, mtimeMs: before.mtimeMs, changed });
}

run(workerData as IndexWorkerData).catch((err: unknown) => post({ type: 'failed', message: (err as Error).message }));
