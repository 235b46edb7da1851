import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCliCaptured } from '../helpers.js';

/**
 * A small ProcessBench-like file. The built-in verifier scores a checked equation 1, a wrong one 0.05 and a step
 * with nothing to check 0.9, so each trace's step scores are known:
 *   gsm8k-0 [1, 1]          min 1     mean 1
 *   gsm8k-1 [0.9, 1]        min 0.9   mean 0.95
 *   gsm8k-2 [0.05, 1]       min 0.05  mean 0.525
 *   gsm8k-3 [1, 0.9, 0.05]  min 0.05  mean 0.65
 *   gsm8k-4 [0.9, 0.9]      min 0.9   mean 0.9
 * Run a is `--aggregation min --threshold 0.5`, run b `--aggregation mean --threshold 0.95`: first errors
 *   a [none, none, 0, 2, none],  b [none, 0, 0, 1, 0]  → agreement 2/5 (gsm8k-0 and gsm8k-2).
 * Spearman: a ranks [5, 3.5, 1.5, 1.5, 3.5], b ranks [5, 4, 1, 2, 3], centred on 3:
 *   Σda·db = 4 + 0.5 + 3 + 1.5 + 0 = 9, Σda² = 9, Σdb² = 10 → ρ = 9/√90 = 3/√10 ≈ 0.9487.
 * Kendall: of 10 pairs, (1,4) and (2,3) are tied in a, the other 8 concordant, none discordant; n₁ = 2, n₂ = 0
 *   → τ-b = 8/√(8·10) = 2/√5 ≈ 0.8944.
 * Mean score a = 2.9/5 = 0.58, b = 4.025/5 = 0.805; first-error rate a 2/5, b 4/5.
 */
const DATA = [
  { id: 'gsm8k-0', steps: ['2 + 3 = 5.', '5 × 2 = 10.'], label: -1 },
  { id: 'gsm8k-1', steps: ['First we think.', '7 × 6 = 42.'], label: -1 },
  { id: 'gsm8k-2', steps: ['4 + 4 = 9.', '9 × 2 = 18.'], label: 0 },
  { id: 'gsm8k-3', steps: ['3 + 3 = 6.', 'Then we think.', '6 × 5 = 31.'], label: 2 },
  { id: 'gsm8k-4', steps: ['Let us begin.', 'Keep going.'], label: -1 },
];

const jsonl = (rows: readonly object[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
const processBench = (rows: typeof DATA): string => jsonl(rows.map((r, i) => ({ id: r.id, problem: `Problem ${i}`, steps: r.steps, final_answer_correct: r.label === -1, label: r.label })));

const near = (actual: unknown, expected: number): void => {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-12, `${String(actual)} ≈ ${expected}`);
};

/** Scores `data` (written to `dir/name`) with extra flags into an out file; returns its path. */
async function scoreRun(dir: string, name: string, data: string, out: string, flags: string[] = []): Promise<string> {
  const input = join(dir, name);
  writeFileSync(input, data);
  const path = join(dir, out);
  const r = await runCliCaptured(['score', input, '--out', path, ...flags]);
  assert.equal(r.code, 0, r.err);
  return path;
}

interface CompareJson {
  records: number;
  paired_by: string;
  left_out: Record<string, number>;
  first_error_agreement: number | null;
  spearman: number | null;
  kendall: number | null;
  a: Record<string, unknown>;
  b: Record<string, unknown>;
  difference: Record<string, unknown>;
  disagreements: { id: string; a: number; b: number; first_error_a?: number | null; first_error_b?: number | null }[];
  problems: string[];
}

async function compareJson(a: string, b: string, extra: string[] = []): Promise<{ code: number; j: CompareJson; err: string }> {
  const r = await runCliCaptured(['compare', a, b, '--json', ...extra]);
  return { code: r.code, j: JSON.parse(r.out) as CompareJson, err: r.err };
}

describe('reward-lens compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rl-compare-'));
  const runs = (async () => {
    const a = await scoreRun(dir, 'pb.jsonl', processBench(DATA), 'a.out.jsonl');
    const b = await scoreRun(dir, 'pb.jsonl', processBench(DATA), 'b.out.jsonl', ['--aggregation', 'mean', '--threshold', '0.95']);
    return { a, b };
  })();

  it('prints the hand-computed comparison of two score --out runs as JSON', async () => {
    const { a, b } = await runs;
    const { code, j } = await compareJson(a, b);
    assert.equal(code, 0);
    assert.equal(j.records, 5);
    assert.equal(j.paired_by, 'file+id');
    assert.deepEqual(j.left_out, { only_in_a: 0, only_in_b: 0, unscored_a: 0, unscored_b: 0, different_kind: 0, duplicate: 0 });
    near(j.first_error_agreement, 2 / 5);
    near(j.spearman, 3 / Math.sqrt(10));
    near(j.kendall, 2 / Math.sqrt(5));
    near(j.a['mean_score'], 0.58);
    near(j.b['mean_score'], 0.805);
    near(j.difference['mean_score'], 0.225);
    assert.equal(j.a['first_error_rate'], 0.4);
    assert.equal(j.b['first_error_rate'], 0.8);
    assert.equal(j.a['pairwise_accuracy'], null, 'no preferences: null, not 0');
    // gsm8k-0 agrees entirely and is not listed; gsm8k-4 has equal scores but different first errors.
    assert.deepEqual(
      j.disagreements.map((d) => [d.id, d.a, d.b, d.first_error_a, d.first_error_b]),
      [
        ['gsm8k-3', 0.05, 0.65, 2, 1],
        ['gsm8k-2', 0.05, 0.525, 0, 0],
        ['gsm8k-1', 0.9, 0.95, null, 0],
        ['gsm8k-4', 0.9, 0.9, null, 0],
      ],
    );
    assert.deepEqual(j.problems, []);
    assert.deepEqual((await compareJson(a, b, ['--top', '1'])).j.disagreements.map((d) => d.id), ['gsm8k-3']);
  });

  it('prints a readable table, with n/a for metrics that do not apply', async () => {
    const { a, b } = await runs;
    const r = await runCliCaptured(['compare', a, b]);
    assert.equal(r.code, 0);
    assert.match(r.out, /5 record\(s\) compared \(paired by file and id\)/u);
    assert.match(r.out, /first-error agreement +40\.0% of 5 trace\(s\)/u);
    assert.match(r.out, /Spearman ρ +0\.949/u);
    assert.match(r.out, /Kendall τ-b +0\.894/u);
    assert.match(r.out, /mean trace score +0\.580 +0\.805 +\+0\.225/u);
    assert.match(r.out, /traces with a first error +40\.0% +80\.0% +\+40\.0 pts/u);
    assert.match(r.out, /pairwise accuracy +n\/a \(no preference records with a verdict\)/u);
    assert.match(r.out, /gsm8k-3 +0\.050 +0\.650 +0\.600 +step 3 \/ step 2/u);
  });

  it('compares different record sets on the intersection (by id when the files differ) and counts the rest', async () => {
    const { a } = await runs;
    // A changed copy under another name: gsm8k-4 dropped, gsm8k-5 added, gsm8k-0's second step now wrong.
    const changed = [{ ...DATA[0], steps: ['2 + 3 = 5.', '5 × 2 = 11.'] }, ...DATA.slice(1, 4), { id: 'gsm8k-5', steps: ['1 + 1 = 2.'], label: -1 }] as typeof DATA;
    const c = await scoreRun(dir, 'pb-v2.jsonl', processBench(changed), 'c.out.jsonl');
    const { code, j } = await compareJson(a, c);
    assert.equal(code, 0);
    assert.equal(j.paired_by, 'id');
    assert.equal(j.records, 4);
    assert.equal(j.left_out['only_in_a'], 1);
    assert.equal(j.left_out['only_in_b'], 1);
    assert.deepEqual(j.disagreements.map((d) => [d.id, d.a, d.b, d.first_error_a, d.first_error_b]), [['gsm8k-0', 1, 0.05, null, 1]]);
    near(j.first_error_agreement, 3 / 4);
    const text = (await runCliCaptured(['compare', a, c])).out;
    assert.match(text, /paired by id alone: the runs share no file name/u);
    assert.match(text, /left out: 1 only in a, 1 only in b/u);
  });

  it('leaves out unscored records and reports malformed lines by file and line (exit 1), comparing the rest', async () => {
    const { a, b } = await runs;
    const lines = readFileSync(b, 'utf8').trim().split('\n');
    const row1 = JSON.parse(lines[1] ?? '{}') as Record<string, unknown>;
    const broken = [lines[0], JSON.stringify({ ...row1, score: null }), '{"truncated', ...lines.slice(2), '{"file":"x","kind":"trace"}'].join('\n');
    const path = join(dir, 'broken.out.jsonl');
    writeFileSync(path, broken);
    const { code, j, err } = await compareJson(a, path);
    assert.equal(code, 1);
    assert.equal(j.records, 4);
    assert.equal(j.left_out['unscored_b'], 1);
    assert.equal(j.problems.length, 2);
    assert.match(j.problems[0] ?? '', /broken\.out\.jsonl:3: not valid JSON/u);
    assert.equal(j.problems[1], `${path}:7: no "id" string`);
    assert.match(err, /broken\.out\.jsonl:3: not valid JSON/u);
    const text = (await runCliCaptured(['compare', a, path])).out;
    assert.match(text, /left out: 1 unscored in b/u);
  });

  it('exits 2 for usage errors and unreadable files', async () => {
    const { a } = await runs;
    assert.equal((await runCliCaptured(['compare', a])).code, 2);
    const missing = await runCliCaptured(['compare', a, join(dir, 'nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read ".*nope\.jsonl": ENOENT/u);
    assert.equal((await runCliCaptured(['compare', a, a, '--top', '-1'])).code, 2);
    assert.equal((await runCliCaptured(['compare', a, a, '--html'])).code, 2);
  });
});
