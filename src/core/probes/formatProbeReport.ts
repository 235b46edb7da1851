/**
 * The probe report for people: a terminal table (`reward-lens probe` without `--json`) and a Markdown document
 * (the editor's Probe Reward Model report). Record ids and quoted step text are untrusted: the terminal gets them
 * through `preview` (control and bidi characters removed), Markdown through `escapeMarkdown`.
 */
import { formatScore, preview } from '../report/scoreTable.js';
import { escapeMarkdown } from '../text/escape.js';
import { PROBE_NAMES, PROBE_RULES, type ProbeName } from './perturbations.js';
import type { ProbeOutcome, ProbeReport } from './runProbes.js';

/** A failed probe with the record it failed on. */
export interface ProbeFailure {
  readonly id: string;
  readonly outcome: ProbeOutcome;
}

/**
 * The probes where the score moved the wrong way, worst first: the largest rise (a `not-up` probe that rose, or a
 * `down` probe that rose or stayed), ties in record order. At most `limit`.
 */
export function worstProbeFailures(report: ProbeReport, limit: number): ProbeFailure[] {
  const failed: ProbeFailure[] = [];
  for (const r of report.records) for (const o of r.probes) if (o.ok === false) failed.push({ id: r.id, outcome: o });
  return failed.map((f, i) => ({ f, i })).sort((a, b) => (b.f.outcome.delta ?? 0) - (a.f.outcome.delta ?? 0) || a.i - b.i).slice(0, limit).map((x) => x.f);
}

const percent = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);
const signed = (x: number | null): string => (x === null ? '-' : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(3)}`);

/** The probes the summary holds, in order. */
function summaryRows(report: ProbeReport): ProbeName[] {
  return PROBE_NAMES.filter((p) => report.summary[p] !== undefined);
}

function cacheLine(report: ProbeReport): string {
  const c = report.cache;
  const served = c.cache_hits + c.prefix_hits;
  return `${c.lookups} trace scorings needed, ${c.requests} sent to the scorer, ${served} served from the cache (${c.cache_hits} identical, ${c.prefix_hits} as a prefix of a longer trace)`;
}

/** The terminal table: per probe traces, ok fraction, mean delta; then the worst records. */
export function formatProbeTable(fileName: string, model: string, report: ProbeReport, worst = 10): string {
  const probed = report.records.filter((r) => r.probes.length > 0).length;
  const lines = [`${fileName}: ${probed} of ${report.records.length} trace(s) probed · model ${model}${report.skipped.preferences > 0 ? ` · ${report.skipped.preferences} preference record(s) skipped` : ''}`, `  ${cacheLine(report)}`, ''];
  lines.push(`  ${'probe'.padEnd(18)} ${'traces'.padStart(6)}  ${'ok'.padStart(5)}  ${'mean Δ'.padStart(8)}  expected`);
  for (const probe of summaryRows(report)) {
    const s = report.summary[probe];
    if (s === undefined) continue;
    const rule = PROBE_RULES[probe];
    lines.push(`  ${probe.padEnd(18)} ${String(s.traces).padStart(6)}  ${percent(s.ok_fraction).padStart(5)}  ${signed(s.mean_delta).padStart(8)}  ${rule.expected} (${rule.scope} score)`);
  }
  const failures = worstProbeFailures(report, worst);
  if (failures.length > 0) {
    lines.push('', '  Worst records (the score moved the wrong way):');
    for (const { id, outcome: o } of failures) {
      lines.push(`    ${preview(id, 24)}  ${o.probe}  step ${o.step + 1}  ${formatScore(o.before)} → ${formatScore(o.after)} (${signed(o.delta)})  ${preview(o.change, 70)}`);
    }
  }
  return lines.join('\n');
}

/** Markdown table cell: escaped, on one line. */
function cell(text: string): string {
  return escapeMarkdown(text.replace(/\s+/g, ' '));
}

/** The editor's report: the sensitivity table, then one line per probe of each record (at most `maxRecords`). */
export function formatProbeMarkdown(fileName: string, model: string, report: ProbeReport, maxRecords = 500): string {
  const lines = [`# Reward model probes: ${cell(fileName)}`, '', `Model: ${cell(model)}. ${cell(cacheLine(report))}.${report.skipped.preferences > 0 ? ` ${report.skipped.preferences} preference record(s) skipped.` : ''}`, ''];
  lines.push('| probe | traces | moved the right way | mean Δ | expected |', '| --- | ---: | ---: | ---: | --- |');
  for (const probe of summaryRows(report)) {
    const s = report.summary[probe];
    if (s === undefined) continue;
    const rule = PROBE_RULES[probe];
    lines.push(`| ${probe} | ${s.traces} | ${percent(s.ok_fraction)} | ${signed(s.mean_delta)} | ${rule.expected === 'down' ? 'score falls' : 'score does not rise'} (${rule.scope} score) |`);
  }
  lines.push('', '## Records', '');
  const shown = report.records.slice(0, maxRecords);
  for (const r of shown) {
    lines.push(`### ${cell(r.id)}`, '');
    if (r.probes.length === 0) lines.push('No selected probe applies.', '');
    for (const o of r.probes) {
      const mark = o.ok === null ? '?' : o.ok ? '✓' : '✗';
      lines.push(`- ${mark} **${o.probe}** step ${o.step + 1}: ${formatScore(o.before)} → ${formatScore(o.after)} (${signed(o.delta)}); trace ${formatScore(o.trace_before)} → ${formatScore(o.trace_after)}. ${cell(o.change)}`);
    }
    if (r.probes.length > 0) lines.push('');
  }
  if (report.records.length > shown.length) lines.push(`…and ${report.records.length - shown.length} more record(s).`, '');
  return lines.join('\n');
}
