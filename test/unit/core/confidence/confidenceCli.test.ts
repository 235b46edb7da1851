import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { FIXTURES_DIR, runCliCaptured } from '../../helpers.js';

type StepJson = { text: string; score?: number; confidence?: { mean_logprob: number; entropy: number | null; self_certainty: number | null; tokens: number } | null };
type RecordJson = { id: string; steps: StepJson[]; confidence?: { mean_logprob: number; entropy: number | null; tokens: number; agreement?: number | null } };

const close = (a: number | null | undefined, b: number): void => assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9, `${String(a)} ≠ ${b}`);
const FIXTURE = join(FIXTURES_DIR, 'logprobs/vllm_reasoning_chat.json');

describe('CLI --json with token log-probabilities', () => {
  it('inspect prints each step’s confidence and the trace’s', async () => {
    const r = await runCliCaptured(['inspect', FIXTURE, '--json']);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.out) as { records: RecordJson[] };
    const [t] = out.records;
    // Hand-computed in stepConfidence.test.ts: −1.2/8, −4.2/8, −3.0/5; 8, 8 and 5 tokens; all 25 tokens −9.0/25.
    close(t?.steps[0]?.confidence?.mean_logprob, -0.15);
    close(t?.steps[1]?.confidence?.mean_logprob, -0.525);
    close(t?.steps[2]?.confidence?.mean_logprob, -0.6);
    close(t?.steps[2]?.confidence?.entropy, Math.LN2 / 5);
    assert.deepEqual(
      t?.steps.map((s) => s.confidence?.tokens),
      [8, 8, 5],
    );
    close(t?.confidence?.mean_logprob, -0.36);
    assert.equal(t?.confidence?.tokens, 25);
    assert.equal(t?.confidence?.agreement, undefined);
  });

  it('inspect prints no confidence for records without log-probabilities, and null for an uncovered step', async () => {
    const r = await runCliCaptured(['inspect', join(FIXTURES_DIR, 'logprobs/completions.jsonl'), '--json']);
    const out = JSON.parse(r.out) as { records: RecordJson[] };
    const byId = new Map(out.records.map((x) => [x.id, x]));
    assert.ok(!('confidence' in (byId.get('no-logprobs') ?? {})));
    assert.ok(!('confidence' in (byId.get('no-logprobs')?.steps[0] ?? {})));
    // "Think hard." is reasoning the tokens do not cover.
    assert.equal(byId.get('content-only')?.steps[0]?.confidence, null);
    // "Step 1: 2 + 2 = 4." = 8 tokens at −0.1 and " 4" at −0.7: −1.5 / 9.
    close(byId.get('content-only')?.steps[1]?.confidence?.mean_logprob, -1.5 / 9);
  });

  it('score adds the agreement with the reward model, per trace and per file', async () => {
    const r = await runCliCaptured(['score', FIXTURE, '--json']);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.out) as { records: RecordJson[]; confidence_agreement: number | null };
    const [t] = out.records;
    // The built-in verifier: both sums check out (1, 1); the answer step with no reference to check is 0.9.
    assert.deepEqual(
      t?.steps.map((s) => s.score),
      [1, 1, 0.9],
    );
    close(t?.steps[1]?.confidence?.mean_logprob, -0.525);
    // Confidence ranks 3, 2, 1; score ranks 2.5, 2.5, 1 (mean 2): Σdxdy = 0.5 + 0 + 1 = 1.5, Σdx² = 2, Σdy² = 1.5
    // → ρ = 1.5 / √3 = √3 / 2.
    close(t?.confidence?.agreement, Math.sqrt(3) / 2);
    close(out.confidence_agreement, Math.sqrt(3) / 2);
  });
});
