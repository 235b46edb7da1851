import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkArithmetic, evaluateArithmetic, type ArithmeticFinding } from '../../../../src/core/verifier/arithmetic.js';

/** The comparable part of a finding: what was evaluated, what was written, the exact value, the verdict. */
function brief(f: ArithmeticFinding): [string, string, string, boolean] {
  return [f.expression, f.written, f.expected, f.ok];
}

function check(text: string): [string, string, string, boolean][] {
  return checkArithmetic(text).map(brief);
}

describe('checkArithmetic: chains', () => {
  it('re-evaluates a wrong product (Math-Shepherd step 2) and reads the prose around the annotation', () => {
    const text = 'Step 2: The waiter ate 13 x 8 / 13 = <<13*8/13=6>>6 slices of the pizza.';
    const [f, ...rest] = checkArithmetic(text);
    assert.deepEqual(rest, []);
    assert.ok(f);
    assert.deepEqual(brief(f), ['13 × 8 / 13', '13 x 8 / 13 = 6', '8', false]);
    assert.equal(f.kind, 'chain');
    // The span covers the prose chain, annotation included.
    assert.equal(text.slice(f.span.start, f.span.end), '13 x 8 / 13 = <<13*8/13=6>>6');
  });

  it('checks each `a op b = c` in LaTeX delimiters', () => {
    const text = 'So, they have \\(18 - 6 = 12\\) left and \\(1/3 \\times 18 = 6\\) taken.';
    assert.deepEqual(check(text), [
      ['18 - 6', '18 - 6 = 12', '12', true],
      ['1/3 × 18', '1/3 \\times 18 = 6', '6', true],
    ]);
    const [a] = checkArithmetic(text);
    assert.equal(a && text.slice(a.span.start, a.span.end), '18 - 6 = 12');
  });

  it('compares each side of a chain with the one before it', () => {
    assert.deepEqual(check('$2\\cdot5!\\cdot5!=2\\cdot120\\cdot120=\\boxed{28800}$.'), [
      ['2 × 5! × 5!', '2\\cdot5!\\cdot5!=2\\cdot120\\cdot120', '28800', true],
      ['2 × 120 × 120', '2\\cdot5!\\cdot5!=2\\cdot120\\cdot120=\\boxed{28800}', '28800', true],
    ]);
    // The slip is in the middle: 2 × 3 × 4 is 24, not 6 × 5; 6 × 5 = 30 itself holds.
    assert.deepEqual(check('2 × 3 × 4 = 6 × 5 = 30'), [
      ['2 × 3 × 4', '2 × 3 × 4 = 6 × 5', '24', false],
      ['6 × 5', '2 × 3 × 4 = 6 × 5 = 30', '30', true],
    ]);
    const [f] = checkArithmetic('2 + 3 = 1 + 5');
    assert.deepEqual(f?.other, { expression: '1 + 5', value: '6' });
  });

  it('accepts a running total written as one chain', () => {
    assert.deepEqual(check('5 + 3 = 8 - 2 = 6'), [
      ['5 + 3', '5 + 3 = 8 - 2', '8', true],
      ['8 - 2', '5 + 3 = 8 - 2 = 6', '6', true],
    ]);
  });

  it('reads LaTeX fractions, products, powers and roots', () => {
    assert.deepEqual(check('\\frac{3}{4} \\times 8 = 5'), [['3/4 × 8', '\\frac{3}{4} \\times 8 = 5', '6', false]]);
    assert.deepEqual(check('$\\dfrac{1}{2} \\cdot 10 = 5$'), [['1/2 × 10', '\\dfrac{1}{2} \\cdot 10 = 5', '5', true]]);
    assert.deepEqual(check('$\\frac{1+2}{3} = 1$'), [['(1 + 2) / 3', '\\frac{1+2}{3} = 1', '1', true]]);
    assert.deepEqual(check('\\frac12 + \\frac{1}{2} = 1'), [['1/2 + 1/2', '\\frac12 + \\frac{1}{2} = 1', '1', true]]);
    assert.deepEqual(check('\\left(2 + 3\\right) \\times 4 = 20'), [['(2 + 3) × 4', '\\left(2 + 3\\right) \\times 4 = 20', '20', true]]);
    assert.deepEqual(check('\\(6 \\div 4 = 1.5\\)'), [['6/4', '6 \\div 4 = 1.5', '1.5', true]]);
    assert.deepEqual(check('$2^{10} = 1024$ and $2^{-1} = 0.5$'), [
      ['2^10', '2^{10} = 1024', '1024', true],
      ['2^(-1)', '2^{-1} = 0.5', '0.5', true],
    ]);
    assert.deepEqual(check('5² = 26'), [['5^2', '5² = 26', '25', false]]);
    assert.deepEqual(check('$\\sqrt{16} = 4$'), [['√16', '\\sqrt{16} = 4', '4', true]]);
    assert.deepEqual(check('2(3+4) = 14'), [['2 × (3 + 4)', '2(3+4) = 14', '14', true]]);
    assert.deepEqual(check('(3-1)! = 2! = 2'), [
      ['(3 - 1)!', '(3-1)! = 2!', '2', true],
      ['2!', '(3-1)! = 2! = 2', '2', true],
    ]);
  });

  it('reads percentages', () => {
    assert.deepEqual(check('20% of 50 = 10'), [['20% of 50', '20% of 50 = 10', '10', true]]);
    assert.deepEqual(check('15% of $200 = $35'), [['15% of 200', '15% of $200 = $35', '30', false]]);
    assert.deepEqual(check('1/3 of 18 = 6'), [['1/3 of 18', '1/3 of 18 = 6', '6', true]]);
    assert.deepEqual(check('14\\% = \\frac{14}{100} = 0.14'), [
      ['14/100', '14\\% = \\frac{14}{100}', '0.14', true],
      ['14/100', '14\\% = \\frac{14}{100} = 0.14', '0.14', true],
    ]);
    // A lone percentage next to a plain quantity reads either way.
    assert.deepEqual(check('15/60 × 100 = 25%'), [['15/60 × 100', '15/60 × 100 = 25%', '25', true]]);
    assert.deepEqual(check('1/4 = 25%'), [['1/4', '1/4 = 25%', '0.25', true]]);
    // ...and when neither reading matches, the writing is ambiguous, not checked.
    assert.deepEqual(check('1/4 = 20%'), []);
    // `50 + 10%` may mean "50 plus 10 percent of 50": not checked.
    assert.deepEqual(check('50 + 10% = 55'), []);
    assert.deepEqual(check('100% - 20% = 80%'), [['100% - 20%', '100% - 20% = 80%', '0.8', true]]);
  });

  it('keeps thousands separators and decimals exact', () => {
    assert.deepEqual(check('1,234 + 1 = 1,235'), [['1,234 + 1', '1,234 + 1 = 1,235', '1235', true]]);
    assert.deepEqual(check('0.1 + 0.2 = 0.3'), [['0.1 + 0.2', '0.1 + 0.2 = 0.3', '0.3', true]]);
    assert.deepEqual(check('47.50 × 0.14 = 6.65'), [['47.50 × 0.14', '47.50 × 0.14 = 6.65', '6.65', true]]);
    assert.deepEqual(check('-5 + 3 = -2'), [['-5 + 3', '-5 + 3 = -2', '-2', true]]);
    assert.deepEqual(check('5 - (-3) = 8'), [['5 - (-3)', '5 - (-3) = 8', '8', true]]);
    assert.deepEqual(check('So -2 + 5 = 4'), [['-2 + 5', '-2 + 5 = 4', '3', false]]);
  });

  it('does not take a cut-off LaTeX fraction for a whole side', () => {
    // From JudgeBench: the numerator holds `f(0)`, so `{2^5}` alone is not the left side.
    assert.deepEqual(check('f(10) = \\frac{f(0)}{2^5} = \\frac{0.1}{32} = 0.003125.'), [
      ['0.1/32', '\\frac{0.1}{32} = 0.003125', '0.003125', true],
    ]);
  });

  it('reads Markdown bold and numbered lists without taking them in', () => {
    assert.deepEqual(check('**5 + 3 = 9**'), [['5 + 3', '5 + 3 = 9', '8', false]]);
    assert.deepEqual(check('1. 2 + 3 = 6'), [['2 + 3', '2 + 3 = 6', '5', false]]);
    assert.deepEqual(check('1) 2 + 3 = 5'), [['2 + 3', '2 + 3 = 5', '5', true]]);
    assert.deepEqual(check('(so 3 + 4 = 7)'), [['3 + 4', '3 + 4 = 7', '7', true]]);
  });
});

describe('checkArithmetic: rounding', () => {
  it('accepts a decimal result within half a unit of its last digit', () => {
    const [ok] = checkArithmetic('10/3 = 3.33');
    assert.deepEqual(ok && brief(ok), ['10/3', '10/3 = 3.33', '10/3', true]);
    assert.equal(ok?.rounded, '3.33');
    assert.equal(checkArithmetic('100/7 = 14.29')[0]?.ok, true);
    assert.equal(checkArithmetic('1/8 = 0.13')[0]?.ok, true);
    assert.equal(checkArithmetic('1/8 = 0.12')[0]?.ok, true);
  });

  it('rejects a decimal result off by more than half a unit', () => {
    const [bad] = checkArithmetic('10/3 = 3.34');
    assert.deepEqual(bad && brief(bad), ['10/3', '10/3 = 3.34', '10/3', false]);
    assert.equal(bad?.rounded, '3.33');
    assert.equal(checkArithmetic('100/7 = 14.28')[0]?.ok, false);
    const [eighth] = checkArithmetic('1/8 = 0.14');
    assert.equal(eighth?.expected, '0.125');
    assert.equal(eighth?.rounded, '0.13');
    // A decimal result may not drop digits the exact value does not have: 2.5 is not 2.6.
    assert.deepEqual(check('2 × 1.25 = 2.6'), [['2 × 1.25', '2 × 1.25 = 2.6', '2.5', false]]);
  });

  it('requires an integer result after `=` to be exact', () => {
    const [f] = checkArithmetic('10/3 = 3');
    assert.equal(f?.ok, false);
    assert.equal(f?.rounded, '3.33');
    assert.equal(checkArithmetic('7 / 2 = 4')[0]?.ok, false);
  });

  it('accepts `≈` within one unit of the last written digit', () => {
    assert.deepEqual(check('10/3 ≈ 3.3'), [['10/3', '10/3 ≈ 3.3', '10/3', true]]);
    assert.equal(checkArithmetic('2/3 ≈ 0.6')[0]?.ok, true);
    assert.equal(checkArithmetic('22/7 \\approx 3.14')[0]?.ok, true);
    assert.equal(checkArithmetic('2469 / 2 ≈ 1200')[0]?.ok, true);
    assert.equal(checkArithmetic('10/3 ≈ 3')[0]?.ok, true);
    const [f] = checkArithmetic('2/3 ≈ 0.5');
    assert.equal(f?.ok, false);
    assert.equal(f?.approximate, true);
    assert.equal(f?.rounded, '0.7');
    assert.equal(checkArithmetic('2469 / 2 ≈ 1100')[0]?.ok, false);
  });
});

describe('checkArithmetic: GSM8K annotations', () => {
  it('checks an annotation on its own when the prose has no equation', () => {
    const text = 'He bought <<3*4=12>>12 apples.';
    const [f, ...rest] = checkArithmetic(text);
    assert.deepEqual(rest, []);
    assert.ok(f);
    assert.deepEqual(brief(f), ['3 × 4', '<<3*4=12>>12', '12', true]);
    assert.equal(f.kind, 'annotation');
    assert.equal(text.slice(f.span.start, f.span.end), '<<3*4=12>>12');
  });

  it('flags a wrong value and a number after `>>` that differs from it', () => {
    assert.deepEqual(check('He bought <<3*4=13>>13 apples.'), [['3 × 4', '<<3*4=13>>13', '12', false]]);
    assert.deepEqual(check('He bought <<3*4=12>>13 apples.'), [['3 × 4', '<<3*4=12>>13', '12', false]]);
  });

  it('reads Python-style expressions', () => {
    assert.deepEqual(check('It costs <<20*.01=0.2>>0.2 each'), [['20 × .01', '<<20*.01=0.2>>0.2', '0.2', true]]);
    assert.deepEqual(check('so <<2**3=8>>8 ways'), [['2^3', '<<2**3=8>>8', '8', true]]);
    assert.deepEqual(check('so <<(5+3)*2=16>>16'), [['(5 + 3) × 2', '<<(5+3)*2=16>>16', '16', true]]);
    assert.deepEqual(check('about <<10/3=3.33>>3.33 each'), [['10/3', '<<10/3=3.33>>3.33', '10/3', true]]);
    assert.deepEqual(check('<<x+2=5>>'), []);
  });

  it('reports an annotation once when the prose chain says the same', () => {
    assert.deepEqual(check('The ratio total is 5+8 = <<5+8=13>>13.'), [['5 + 8', '5+8 = 13', '13', true]]);
    // The prose is right but the annotation inside it is not: both are reported.
    assert.deepEqual(check('13 x 8 / 13 = <<13*8/13=6>>8'), [
      ['13 × 8 / 13', '13 x 8 / 13 = 8', '8', true],
      ['13 × 8 / 13', '<<13*8/13=6>>8', '8', false],
    ]);
  });
});

describe('checkArithmetic: no false alarms', () => {
  const clean = [
    'The meeting is on 2023-05-01 = a Monday.',
    '2023-05-01 = 2017',
    'It takes 3-5 days.',
    'x + 2 = 5',
    'x - 2 = 5',
    '2x + 3 = 7',
    '3x = 12',
    'so x = 3',
    '$i^2 = -1$',
    'y = 2x + 1',
    'a/b = 5',
    '$(7 + 2i)i = 7i + 2i^2.$',
    '$5p+e-3p-e=1.82-1.24$.',
    'This simplifies to $2p=0.58$. So $p=0.29$.',
    'The ratio is 5:8 = 10:16.',
    'We meet at 3:30 = half past three.',
    'f(2) = 5',
    'Day 1 = 5 miles, Day 2 = 8 miles.',
    'Day 1 = 5 + 3 miles',
    '$1 = 100 cents',
    '1 hour = 60 minutes',
    '5 != 6',
    'x == 5',
    '2 apples + 3 apples = 5 apples',
    'The answer is 7!',
    'It is 90^\\circ = 90 degrees.',
    'Two-fifths of the class',
    'the list 1,2,3 = three items',
    'x -2 = 5',
    'n -1 = 4',
    'so 1,000 = 1000',
    '$\\text{Tip} = 47.50 \\times 0.14$',
    '\\sqrt{2} \\approx 1.414',
    'v1.2 = 3',
    'x_1 + 2 = 5',
    '2 + 3 = 5th place',
  ];
  for (const text of clean) {
    it(`finds nothing to check in ${JSON.stringify(text)}`, () => {
      assert.deepEqual(check(text), []);
    });
  }
});

describe('evaluateArithmetic', () => {
  it('evaluates text that is only arithmetic', () => {
    assert.equal(evaluateArithmetic('\\frac{3}{4}')?.toString(), '0.75');
    assert.equal(evaluateArithmetic('-\\frac{3}{4}')?.toString(), '-0.75');
    assert.equal(evaluateArithmetic('2^{10}')?.toString(), '1024');
    assert.equal(evaluateArithmetic('1,234')?.toString(), '1234');
    assert.equal(evaluateArithmetic('12%')?.toString(), '0.12');
    assert.equal(evaluateArithmetic('10/3')?.toString(), '10/3');
  });

  it('refuses anything else', () => {
    assert.equal(evaluateArithmetic('7i - 2'), undefined);
    assert.equal(evaluateArithmetic('2 + 3 = 5'), undefined);
    assert.equal(evaluateArithmetic('1/0'), undefined);
    assert.equal(evaluateArithmetic('\\sqrt{2}'), undefined);
    assert.equal(evaluateArithmetic('2^{100000}'), undefined);
    assert.equal(evaluateArithmetic('300!'), undefined);
    assert.equal(evaluateArithmetic(''), undefined);
  });
});
