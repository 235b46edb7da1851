// The child process of the `dataset` bench section, bundled on its own (bench/dataset.ts builds it with the index
// worker beside it), so its memory is TextSource's and the worker's, not the whole benchmark's:
//   node datasetChild.js index FILE [CACHE_DIR]   index FILE with the worker thread to `done` (writing the cached
//                                                 index to CACHE_DIR, as the extension does, when given)
//   node datasetChild.js idle                     load the same code and do nothing
// Each prints one JSON line: the process's peak resident memory in MB (and, for `index`, its rows and time).
import { readFileSync } from 'node:fs';
import { DEFAULT_PARSE_OPTIONS } from '../src/core/formats/formatSpec.js';
import { TextSource } from '../src/data/textSource.js';

/**
 * Peak resident memory in MB: VmHWM where /proc has it (Linux), else getrusage's maxRSS. VmHWM first because
 * Linux carries maxRSS over from the parent's footprint across fork + exec, which would count the bench itself.
 */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1] !== undefined) return Number(m[1]) / 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [mode, path, cacheDir] = process.argv.slice(2);
  if (mode === 'idle') {
    process.stdout.write(`${JSON.stringify({ peakRssMb: peakRssMb() })}\n`);
    return;
  }
  if (mode !== 'index' || path === undefined) throw new Error('usage: datasetChild.js index FILE [CACHE_DIR] | idle');
  const t0 = performance.now();
  const source = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, thread: 'worker', ...(cacheDir !== undefined ? { cacheDir } : {}) });
  await source.done;
  const ms = performance.now() - t0;
  if (source.failure !== undefined) throw new Error(source.failure);
  await source.close();
  process.stdout.write(`${JSON.stringify({ peakRssMb: peakRssMb(), rows: source.rowCount, ms })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
