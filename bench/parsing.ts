import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexDocumentText } from '../src/core/dataset/lazyDocument.js';
import { parseDocument } from '../src/core/parseDocument.js';

/** Writes a ProcessBench-like JSONL of at least `targetBytes`; escapes, LaTeX and non-ASCII included. */
function generate(path: string, targetBytes: number): number {
  const fd = openSync(path, 'w');
  let written = 0;
  let n = 0;
  let seed = 12345;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const chunk: string[] = [];
  while (written < targetBytes) {
    const steps = Array.from({ length: 3 + rand(10) }, (_, i) => {
      const a = rand(1000);
      const b = rand(1000);
      return `Step ${i + 1}: we have \\(${a} + ${b} = ${a + b}\\) so the “total” is ${a + b}.\nThen ${'we continue reasoning about the problem carefully. '.repeat(1 + rand(6))}`;
    });
    const rec = { id: `gen-${n}`, generator: 'bench', problem: `Problem ${n}: ${'a fairly long question text with numbers 12, 34 and 56. '.repeat(1 + rand(4))}`, steps, final_answer_correct: rand(2) === 0, label: rand(5) - 1 };
    const line = `${JSON.stringify(rec)}\n`;
    chunk.push(line);
    written += Buffer.byteLength(line);
    n++;
    if (chunk.length >= 2000) {
      writeSync(fd, chunk.join(''));
      chunk.length = 0;
    }
  }
  writeSync(fd, chunk.join(''));
  closeSync(fd);
  return n;
}

/** Splits the file into ~8 MB strings at line boundaries (what a streaming reader hands the parser). */
function chunksOf(path: string): string[] {
  const buf = readFileSync(path);
  const out: string[] = [];
  const size = 8 * 1024 * 1024;
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(buf.length, start + size);
    if (end < buf.length) {
      const nl = buf.indexOf(10, end);
      end = nl === -1 ? buf.length : nl + 1;
    }
    out.push(buf.subarray(start, end).toString('utf8'));
    start = end;
  }
  return out;
}

/**
 * Opening a file in the editor against `JSON.parse` of each line, same data, same run: `mb_per_s` and
 * `ratio_vs_json_parse` time exactly what `DocumentIndex` does when a document is opened (`indexDocumentText`:
 * one parse per line, records materialised later, on demand). `eager_*` keep the whole-document `parseDocument`
 * (every record with exact step ranges) for comparison.
 */
export function benchParsing(targetMb: number): Record<string, number> {
  const path = join(tmpdir(), `reward-lens-bench-${process.pid}.jsonl`);
  try {
    const records = generate(path, targetMb * 1e6);
    const bytes = statSync(path).size;
    const chunks = chunksOf(path);
    const time = (f: () => number): { ms: number; check: number } => {
      const t0 = performance.now();
      const check = f();
      return { ms: performance.now() - t0, check };
    };
    // Each returns how many records it read (steps are touched so the baseline reads what a parser must).
    let baselineSteps = 0;
    const baseline = (): number => {
      let n = 0;
      baselineSteps = 0;
      for (const c of chunks) {
        let start = 0;
        for (let nl = c.indexOf('\n'); nl !== -1; nl = c.indexOf('\n', start)) {
          const v = JSON.parse(c.slice(start, nl)) as { steps: unknown[] };
          baselineSteps += v.steps.length;
          n++;
          start = nl + 1;
        }
      }
      return n;
    };
    const ours = (): number => {
      let n = 0;
      for (const c of chunks) n += indexDocumentText(c, 'bench.jsonl').count;
      return n;
    };
    let eagerSteps = 0;
    const eager = (): number => {
      let n = 0;
      eagerSteps = 0;
      for (const c of chunks) {
        const doc = parseDocument(c, 'bench.jsonl');
        n += doc.records.length;
        for (const r of doc.records) if (r.kind === 'trace') eagerSteps += r.steps.length;
      }
      return n;
    };
    // Warm up every path, then measure each twice and keep the best.
    baseline();
    ours();
    eager();
    const best = (f: () => number): { ms: number; check: number } => [time(f), time(f)].sort((x, y) => x.ms - y.ms)[0] ?? { ms: 1, check: 0 };
    const b = best(baseline);
    const o = best(ours);
    const e = best(eager);
    if (b.check !== o.check || b.check !== e.check) throw new Error(`record counts differ: JSON.parse ${b.check}, editor index ${o.check}, parseDocument ${e.check}`);
    if (baselineSteps !== eagerSteps) throw new Error(`step counts differ: JSON.parse ${baselineSteps}, parseDocument ${eagerSteps}`);
    const mb = bytes / 1e6;
    const rate = (ms: number): number => Math.round((mb / (ms / 1000)) * 10) / 10;
    return {
      file_mb: Math.round(mb),
      records,
      steps: eagerSteps,
      mb_per_s: rate(o.ms),
      json_parse_mb_per_s: rate(b.ms),
      ratio_vs_json_parse: Math.round((b.ms / o.ms) * 1000) / 1000,
      eager_mb_per_s: rate(e.ms),
      eager_ratio_vs_json_parse: Math.round((b.ms / e.ms) * 1000) / 1000,
    };
  } finally {
    rmSync(path, { force: true });
  }
}
