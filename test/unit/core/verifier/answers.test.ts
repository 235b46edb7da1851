import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { answersMatch, normalizeAnswer } from '../../../../src/core/verifier/answers.js';

describe('normalizeAnswer', () => {
  const table: [string, string][] = [
    ['\\boxed{30}', '30'],
    ['\\$1,234.50', '1234.50'],
    ['\\text{12 apples}', '12'],
    ['18 \\text{ cm}', '18'],
    ['5 dollars', '5'],
    ['12%', '12'],
    ['12\\%', '12'],
    ['90^\\circ', '90'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['\\tfrac34', '\\frac{3}{4}'],
    ['x = 5', '5'],
    ['7i - 2', '7i-2'],
    ['2x', '2x'],
    ['$5$.', '5'],
    ['1{,}000', '1000'],
  ];
  for (const [text, want] of table) {
    it(`normalises ${JSON.stringify(text)}`, () => assert.equal(normalizeAnswer(text), want));
  }
});

describe('answersMatch', () => {
  const table: [string, string, boolean][] = [
    ['30', '\\boxed{30}', true],
    ['52', '28', false],
    ['12 apples', '12', true],
    ['\\$5', '5', true],
    ['5 dollars', '5', true],
    ['12%', '12', true],
    ['1,234', '1234', true],
    ['5.0', '5', true],
    ['0.5', '1/2', true],
    ['\\frac{1}{2}', '0.5', true],
    ['\\dfrac{3}{4}', '\\frac{3}{4}', true],
    ['\\boxed{\\frac{3}{4}}', '0.75', true],
    ['-\\frac{3}{4}', '-0.75', true],
    ['1 1/2', '3/2', true],
    ['1/3', '0.33', false],
    ['(B)', 'B', true],
    ['b', '(B)', true],
    ['B) 42', 'B', true],
    ['\\text{(B)}', 'B', true],
    ['(C)', 'B', false],
    ['\\left( 1, 2 \\right)', '(1,2)', true],
    ['(1,2)', '(2,1)', false],
    ['7i - 2', '-2+7i', true],
    ['7i + 2', '-2+7i', false],
    ['2\\sqrt{3}', '2\\sqrt3', true],
    ['3\\sqrt{2}', '2\\sqrt{3}', false],
    ['2x', '2', false],
    ['x = 5', '5', true],
    ['90^\\circ', '90', true],
    ['Yes', 'yes', true],
    ['\\pi', '\\pi', true],
    ['', '5', false],
  ];
  for (const [a, r, want] of table) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(r)} → ${want}`, () => assert.equal(answersMatch(a, r), want));
  }
});
