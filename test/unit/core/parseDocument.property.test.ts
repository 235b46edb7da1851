import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ParsedDocument, SourceRange } from '../../../src/core/dataset/types.js';
import { parseBytes, parseDocument } from '../../../src/core/parseDocument.js';
import { FIXTURES_DIR, readSample, samplesAvailable } from '../helpers.js';

/** Every sample file this suite expects in ../shared/samples (a missing one fails under CI). */
const SAMPLE_FILES = [
  'anthropic_thinking_message_SHAPE.json',
  'codex_rollout_SHAPE.jsonl',
  'helpsteer2_SHAPE_ONLY.jsonl',
  'helpsteer3_preference_SHAPE_ONLY.jsonl',
  'hh_rlhf.jsonl',
  'inspect_log_read_sample.json',
  'judgebench.jsonl',
  'judgebench_rm_output.jsonl',
  'math_shepherd.jsonl',
  'openai_chat_messages.jsonl',
  'openai_responses_reasoning_SHAPE.json',
  'prm800k.jsonl',
  'prm800k_scored_samples.jsonl',
  'processbench.json',
  'r1_trace_openai_chat_vllm.json',
  'rewardbench2_SHAPE_ONLY.jsonl',
  'rewardbench_SHAPE_ONLY.jsonl',
  'rm_bench.json',
  'skywork_preference_SHAPE_ONLY.jsonl',
  'trl_preference_conversational.jsonl',
  'trl_preference_docs.jsonl',
  'trl_stepwise.jsonl',
  'ultrafeedback_binarized_SHAPE_ONLY.jsonl',
];

/** The project's own fixtures and examples (always present). */
function ownFiles(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (/\.(jsonl?|ndjson)$/.test(d.name)) out.push({ name: d.name, text: readFileSync(p, 'utf8') });
    }
  };
  walk(FIXTURES_DIR);
  walk(join(FIXTURES_DIR, '../../examples'));
  return out;
}

function allRanges(doc: ParsedDocument): { range: SourceRange; text: string }[] {
  const out: { range: SourceRange; text: string }[] = [];
  for (const r of doc.records) {
    const steps = r.kind === 'trace' ? r.steps : r.responses.flatMap((x) => x.steps);
    for (const s of steps) if (s.range) out.push({ range: s.range, text: s.text });
    if (r.promptRange) out.push({ range: r.promptRange, text: r.prompt });
  }
  return out;
}

/** The invariants that must hold for any input: located problems, and ranges that decode to their text. */
function checkInvariants(text: string, doc: ParsedDocument): void {
  for (const p of doc.problems) {
    assert.ok(Number.isInteger(p.line) && p.line >= 1, `bad line ${p.line}`);
    assert.ok(Number.isInteger(p.column) && p.column >= 1, `bad column ${p.column}`);
    assert.ok(p.offset >= 0 && p.offset <= text.length, `bad offset ${p.offset}`);
    assert.ok(p.message.length > 0);
  }
  for (const { range, text: expected } of allRanges(doc)) {
    assert.ok(range.start >= 0 && range.end <= text.length && range.start <= range.end);
    assert.equal(JSON.parse(`"${text.slice(range.start, range.end)}"`), expected);
  }
}

const corpus = (): { name: string; text: string }[] => [
  ...ownFiles(),
  ...(samplesAvailable() ? SAMPLE_FILES.map((name) => ({ name, text: readSample(name) ?? '' })) : []),
];

describe('parseDocument on damaged input', () => {
  it('reads every sample file, detecting a format, with exact ranges', { skip: !samplesAvailable() }, () => {
    for (const name of SAMPLE_FILES) {
      const text = readSample(name) ?? '';
      const doc = parseDocument(text, name);
      assert.notEqual(doc.format, 'unknown', name);
      checkInvariants(text, doc);
    }
  });

  it('never throws on random truncations, and reports problems with positions', () => {
    for (const { name, text } of corpus()) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: text.length }), (cut) => {
          const t = text.slice(0, cut);
          const doc = parseDocument(t, name);
          checkInvariants(t, doc);
          if (cut < text.trimEnd().length && cut > 0 && doc.records.length === 0) assert.ok(doc.problems.length > 0, `${name} cut at ${cut}: no records and no problem`);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('never throws on random character mutations', () => {
    const chars = fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', '\n', '\u0000', 'x', '\u202e', '\ud800', '1');
    for (const { name, text } of corpus()) {
      if (text.length === 0) continue;
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(text.length - 1), chars), { minLength: 1, maxLength: 6 }), (edits) => {
          let t = text;
          for (const [at, c] of edits) t = t.slice(0, at) + c + t.slice(at + 1);
          checkInvariants(t, parseDocument(t, name));
        }),
        { numRuns: 40 },
      );
    }
  });

  it('never throws on random bytes, as text or as a .eval archive', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('x.jsonl', 'x.json', 'x.eval'), (bytes, name) => {
        const doc = parseBytes(bytes, name);
        assert.ok(Array.isArray(doc.records));
        for (const p of doc.problems) assert.ok(p.line >= 1 && p.column >= 1);
      }),
      { numRuns: 200 },
    );
  });
});
