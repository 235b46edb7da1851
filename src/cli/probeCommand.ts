import { basename } from 'node:path';
import { formatProbeTable } from '../core/probes/formatProbeReport.js';
import { probesView } from '../core/probes/probesView.js';
import { isProbeName, PROBE_NAMES, type ProbeName } from '../core/probes/perturbations.js';
import { runProbes } from '../core/probes/runProbes.js';
import type { ParsedDocument } from '../core/dataset/types.js';
import { htmlTargetOf, oneFile, openFile, parseOptionsOf, printProblems, readChosen, scoringOf, sliceOf, UsageError, writeHtml, type CliIo, type Flags } from './commands.js';
import { createScorer } from './scorers.js';

/** `--probes a,b`: the named probes (a usage error names the valid ones); all of them without the flag. */
export function probesOf(flags: Flags): ProbeName[] {
  const spec = flags['probes'];
  if (spec === undefined || typeof spec !== 'string') return [...PROBE_NAMES];
  const names = spec.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isProbeName(n));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`--probes takes a comma-separated list of ${PROBE_NAMES.join(', ')} (got "${unknown.join(',') || spec}").`);
  return names.filter(isProbeName);
}

/** `--seed S` seeds the probes' edits (and, with `--sample N`, the sample). */
function seedOf(flags: Flags): number {
  const v = flags['seed'];
  if (v === undefined || typeof v !== 'string') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seed must be a whole number ≥ 0 (got "${v}").`);
  return n;
}

/**
 * `reward-lens probe FILE`: perturbs every trace of the file (or the chosen rows) with the probes and rescores it;
 * prints the per-probe summary and the worst records, or with `--json` `{records, summary, skipped, cache, …}`;
 * `--html PAGE` also writes the sensitivity table as a standalone dashboard page.
 * Exit 0, 1 when some records had problems, 2 on a usage error.
 */
export async function probeCommand(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const path = oneFile(args, 'probe');
  const html = htmlTargetOf(flags, [path]);
  const probes = probesOf(flags);
  const seed = seedOf(flags);
  const settings = scoringOf(flags);
  // --seed without --sample is the probes' seed only; with it, it also picks the sample.
  const slice = sliceOf(flags['sample'] === undefined ? { ...flags, seed: undefined } : flags);
  const file = await openFile(path, parseOptionsOf(flags), slice);
  let doc: ParsedDocument;
  try {
    doc = await readChosen(file);
  } finally {
    await file.source.close();
  }
  printProblems(io, path, doc.problems);
  const scorer = await createScorer(flags);
  let report;
  try {
    report = await runProbes(doc.records, scorer, settings, {
      probes,
      seed,
      onProgress: (p) => {
        if (io.isTTY) io.err(`\rprobing: ${p.done}/${p.total} traces\x1b[K${p.done === p.total ? '\n' : ''}`);
      },
    });
  } finally {
    await scorer.dispose();
  }
  if (report.skipped.preferences > 0) io.err(`${path}: ${report.skipped.preferences} preference record(s) skipped (probes perturb traces).\n`);
  if (flags['json'] === true) {
    io.out(`${JSON.stringify({ file: path, format: doc.format, model: scorer.id, seed, aggregation: settings.aggregation, ...report })}\n`);
  } else {
    io.out(`${formatProbeTable(path, scorer.id, report)}\n`);
  }
  if (html !== undefined) {
    const probed = report.records.filter((r) => r.probes.length > 0).length;
    writeHtml(html, { file: basename(path), coverage: { records: report.records.length, scored: probed }, probes: probesView(scorer.id, report) }, io);
  }
  return doc.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
