import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseRubric, type Rubric, type RubricParse } from '../../../../src/core/judges/rubric.js';

function ok(parsed: RubricParse): Rubric {
  if (!parsed.ok) assert.fail(`expected a rubric, got problems: ${JSON.stringify(parsed.problems)}`);
  return parsed.rubric;
}

function problems(parsed: RubricParse): { line: number; column: number; message: string }[] {
  if (parsed.ok) assert.fail('expected problems, got a rubric');
  return parsed.problems.map((p) => ({ line: p.line, column: p.column, message: p.message }));
}

describe('parseRubric: principles', () => {
  it('reads principles from YAML with default and negative weights', () => {
    const yaml = 'principles:\n  - principle: States the final answer\n    weight: 2\n  - criterion: Shows the work\n  - title: Invents facts\n    description: Claims something false\n    weight: -1\n';
    assert.deepEqual(ok(parseRubric(yaml, 'r.yaml')), {
      kind: 'principles',
      principles: [
        { text: 'States the final answer', weight: 2 },
        { text: 'Shows the work', weight: 1 },
        { text: 'Invents facts', description: 'Claims something false', weight: -1 },
      ],
    });
  });

  it('reads RaR rubric lists and HealthBench rubrics (points as weights) from JSON with comments', () => {
    const rar = '{ // RaR\n "rubric": [{"title": "Essential", "description": "Names (B)", "weight": 5}, {"title": "Pitfall", "description": "Mentions X", "weight": -2},] }';
    assert.deepEqual(ok(parseRubric(rar, 'rar.json')), {
      kind: 'principles',
      principles: [
        { text: 'Essential', description: 'Names (B)', weight: 5 },
        { text: 'Pitfall', description: 'Mentions X', weight: -2 },
      ],
    });
    const hb = '{"prompt_id": "x", "rubrics": [{"criterion": "Advises seeing a doctor", "points": 7, "tags": ["axis:completeness"]}]}';
    assert.deepEqual(ok(parseRubric(hb, 'hb.json')), { kind: 'principles', principles: [{ text: 'Advises seeing a doctor', weight: 7 }] });
  });

  it('accepts a top-level list and plain strings, and sniffs JSON for other file names', () => {
    assert.deepEqual(ok(parseRubric('["Is concise", {"principle": "Is polite"}]', 'rubric.txt')), {
      kind: 'principles',
      principles: [
        { text: 'Is concise', weight: 1 },
        { text: 'Is polite', weight: 1 },
      ],
    });
    assert.equal(ok(parseRubric('- Is concise\n', 'rubric')).kind, 'principles');
  });
});

describe('parseRubric: score rubric', () => {
  it('reads a Prometheus score rubric', () => {
    const yaml = 'criteria: Is it right?\nscore1_description: a\nscore2_description: b\nscore3_description: c\nscore4_description: d\nscore5_description: e\n';
    assert.deepEqual(ok(parseRubric(yaml, 's.yml')), { kind: 'score', criteria: 'Is it right?', descriptions: ['a', 'b', 'c', 'd', 'e'] });
  });

  it('names each missing score description', () => {
    const text = '{"criteria": "C", "score1_description": "a", "score2_description": 3}';
    const got = problems(parseRubric(text, 's.json'));
    assert.deepEqual(
      got.map((p) => p.message.match(/score\d_description/)?.[0]),
      ['score2_description', 'score3_description', 'score4_description', 'score5_description'],
    );
    // score2_description exists but is a number: located at its value; the missing ones at the object (column 1).
    assert.deepEqual([got[0]?.line, got[0]?.column], [1, text.indexOf(': 3}') + 3]);
    assert.deepEqual([got[1]?.line, got[1]?.column], [1, 1]);
  });
});

describe('parseRubric: problems', () => {
  it('locates JSON syntax errors', () => {
    const got = problems(parseRubric('{\n  "principles": [\n    "a"\n    "b"\n  ]\n}', 'r.json'));
    assert.deepEqual(got[0], { line: 4, column: 5, message: 'Invalid JSON: comma expected.' });
  });

  it('locates YAML syntax errors', () => {
    const got = problems(parseRubric('principles:\n  - principle: a\n   weight: 2\n', 'r.yaml'));
    assert.equal(got[0]?.line, 3);
    assert.match(got[0]?.message ?? '', /^Invalid YAML: /);
  });

  it('locates an item without text, a non-numeric weight, and a bad description', () => {
    const yaml = 'principles:\n  - principle: ok\n  - description: no text here\n  - principle: heavy\n    weight: lots\n  - principle: x\n    description: [1]\n';
    const got = problems(parseRubric(yaml, 'r.yaml'));
    assert.deepEqual(
      got.map((p) => [p.line, p.column]),
      [
        [3, 5],
        [5, 13],
        [7, 18],
      ],
    );
    assert.match(got[0]?.message ?? '', /`principle`, `criterion` or `title`/);
    assert.match(got[1]?.message ?? '', /`weight` to be a number/);
    assert.match(got[2]?.message ?? '', /`description` to be a string/);
  });

  it('rejects an empty list, an unknown shape and a scalar', () => {
    assert.match(problems(parseRubric('principles: []\n', 'r.yaml'))[0]?.message ?? '', /empty/);
    const unknown = problems(parseRubric('{"items": []}', 'r.json'));
    assert.deepEqual([unknown[0]?.line, unknown[0]?.column], [1, 1]);
    assert.match(unknown[0]?.message ?? '', /Expected `principles`/);
    assert.match(problems(parseRubric('42', 'r.json'))[0]?.message ?? '', /Expected a rubric/);
    assert.match(problems(parseRubric('principles: 3\n', 'r.yaml'))[0]?.message ?? '', /a list of principles/);
  });
});
