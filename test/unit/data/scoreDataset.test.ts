import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_PARSE_OPTIONS } from '../../../src/core/formats/formatSpec.js';
import { DEFAULT_SCORING } from '../../../src/core/scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult, Scorer } from '../../../src/core/scoring/scorer.js';
import { scoreDataset } from '../../../src/data/scoreDataset.js';
import { TextSource } from '../../../src/data/textSource.js';

const dir = mkdtempSync(join(tmpdir(), 'rl-score-dataset-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A scorer that scores each step by its length and records every prompt it was asked about. */
function countingScorer(): Scorer & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    id: 'len',
    description: 'step length',
    granularity: 'step',
    asked,
    score: async (requests: readonly ScoreRequest[]): Promise<readonly ScoreResult[]> =>
      requests.map((r) => {
        asked.push(r.prompt);
        return { steps: r.steps.map((s) => ({ score: Math.min(1, s.length / 100) })), device: 'test' };
      }),
    dispose: async () => undefined,
  };
}

describe('scoreDataset with results the caller already holds', () => {
  it('reuses known results (neither scored again nor logged) and scores the rest', async () => {
    const path = join(dir, 'trl.jsonl');
    copyFileSync(resolve(__dirname, '../../../examples/trl-stepwise.jsonl'), path);
    const source = await TextSource.open(path, { options: DEFAULT_PARSE_OPTIONS, thread: 'inline' });
    try {
      await source.done;
      const first = (await source.readRows(0, 1))[0]?.records[0];
      assert.ok(first);
      const known: ScoreResult[] = [{ steps: first.kind === 'trace' ? first.steps.map(() => ({ score: 0.123 })) : [], device: 'sidecar' }];
      const scorer = countingScorer();
      const logPath = join(dir, 'trl.jsonl.reward-lens.scores.jsonl');
      const seen = new Map<number, number | undefined>();
      const positions = Array.from({ length: source.rowCount }, (_, i) => i);
      const out = await scoreDataset(source, positions, scorer, DEFAULT_SCORING, {
        modelId: 'len',
        logPath,
        known: (record) => (record.id === first.id && record.recordRange.start === first.recordRange.start ? known : undefined),
        onRows: (rows) => rows.forEach((r) => seen.set(r.position, r.scored[0]?.kind === 'trace' ? r.scored[0].score : undefined)),
      });
      assert.equal(out.reused, 1);
      assert.equal(out.scored, source.rowCount - 1);
      assert.equal(seen.get(0), 0.123, 'row 0 carries the known results');
      assert.ok(!scorer.asked.includes(first.prompt), 'the known record was not sent to the scorer');
      assert.equal(scorer.asked.length, source.rowCount - 1);
      // The log holds the freshly scored rows only.
      assert.ok(existsSync(logPath));
      const logged = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { row: number });
      assert.equal(logged.length, source.rowCount - 1);
      assert.ok(!logged.some((l) => l.row === 0));
    } finally {
      await source.close();
    }
  });
});
