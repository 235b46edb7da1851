/**
 * Final answers compared with a record's reference after normalisation. Finding an answer in text is
 * `text/finalAnswer.ts`.
 */
import { lastBoxed } from '../text/finalAnswer.js';
import { evaluateArithmetic } from './arithmetic.js';
import { Rational, parseRational } from './rational.js';

const TEXT_COMMAND = /\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mbox|operatorname)\s*\{([^{}]*)\}/g;
const UNIT_TAIL = /^(.*?[\d}])\s*(\p{L}[\p{L}\s./^\d²³]*)$/u;

/**
 * A canonical string for an answer: the last `\boxed{}` content; without `$`, `\$`, `\( \)`, `\[ \]`,
 * `\left`/`\right`, `\text{}` wrappers, spacing commands, `%`, degree signs, thousands separators (`1,234` →
 * `1234`), a trailing period, a leading `x =`, and trailing unit words (`12 apples`, `5 dollars`, `18 cm`);
 * `\dfrac`/`\tfrac` become `\frac`; all whitespace removed. Single-letter trailing units glued to a number are kept
 * (`7i`, `2x` are answers, not units).
 */
export function normalizeAnswer(text: string): string {
  return spacedAnswer(text).replace(/\s+/g, '');
}

/** `normalizeAnswer` before whitespace is removed (so `1 1/2` still reads as a mixed number). */
function spacedAnswer(text: string): string {
  let s = lastBoxed(text)?.text ?? text.trim();
  s = s
    .replace(/\\\$/g, '')
    .replace(/\$/g, '')
    .replace(/\\[()[\]]/g, '')
    .replace(/\\(?:left|right|bigl|bigr|big|Big|displaystyle)\b/g, '')
    .replace(/\\[dtc]frac/g, '\\frac')
    .replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  // Unwrap `\text{…}` (possibly several times: `\text{\textbf{5}}`).
  for (let k = 0; k < 3; k++) s = s.replace(TEXT_COMMAND, '$1');
  s = s
    .replace(/\^\s*\{?\s*\\circ\s*\}?|°|\\circ/g, '')
    .replace(/\\?%/g, '')
    .replace(/\{,\}/g, ',')
    .replace(/(\d)\\,(?=\d{3}(?!\d))/g, '$1')
    .replace(/\\[,;:! ]|\\q?quad\b|~/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.。]+$/, '')
    .trim();
  const assignment = /^[A-Za-z]\s*=\s*(.+)$/.exec(s);
  if (assignment) s = (assignment[1] ?? '').trim();
  const unit = UNIT_TAIL.exec(s);
  if (unit) {
    const num = (unit[1] ?? '').trim();
    const tail = unit[2] ?? '';
    const separated = /\s$/.test(s.slice(0, s.length - tail.length));
    const letters = tail.replace(/[^\p{L}]/gu, '').length;
    if ((separated || letters >= 2) && numericValue(num) !== undefined) s = num;
  }
  return s.replace(/(?<![\d,])(\d{1,3}(?:,\d{3})+)(?![\d,])/g, (m) => m.replace(/,/g, ''));
}

function numericValue(s: string): Rational | undefined {
  return parseRational(s) ?? evaluateArithmetic(s);
}

/**
 * A sum of terms `c·atom` (`7i - 2`, `2\sqrt{3} + 1`, `-\frac{1}{2}x`), as a map from atom (`''` for the
 * constant) to coefficient; undefined when the text is anything else. Lets `7i - 2` match `-2+7i`.
 */
function linearForm(s: string): Map<string, Rational> | undefined {
  const terms = new Map<string, Rational>();
  const re = /([+\-−]?)((?:\d+(?:\.\d+)?|\.\d+|\\frac\{[^{}]+\}\{[^{}]+\})?)(\\pi|\\sqrt\{\d+\}|\\sqrt\d|[A-Za-z]?)/y;
  let pos = 0;
  let first = true;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m || m[0].length === 0) return undefined;
    const [, sign = '', coef = '', atom = ''] = m;
    if ((!first && sign === '') || (coef === '' && atom === '')) return undefined;
    const c = coef === '' ? Rational.ONE : numericValue(coef);
    if (!c) return undefined;
    const key = atom.replace(/^\\sqrt(\d)$/, '\\sqrt{$1}');
    const value = sign === '-' || sign === '−' ? c.neg() : c;
    terms.set(key, (terms.get(key) ?? Rational.ZERO).add(value));
    pos += m[0].length;
    first = false;
  }
  for (const [k, v] of [...terms]) if (v.isZero) terms.delete(k);
  return terms;
}

function sameForms(a: Map<string, Rational>, b: Map<string, Rational>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !w.equals(v)) return false;
  }
  return true;
}

const CHOICE = /^\(?([A-Za-z])\)?$/;
const CHOICE_PREFIX = /^\(?([A-Za-z])(?:\)|$|[.:])/;

/**
 * True when `answer` and `reference` say the same thing after `normalizeAnswer`: a single-letter reference is a
 * multiple-choice letter (`(B)`, `B)`, `b` match `B`); numbers compare as exact rationals (`\frac{1}{2}` =
 * `1/2` = `0.5`, `5.0` = `5`, `1,234` = `1234`); sums of `c·atom` terms compare term by term (`7i - 2` = `-2+7i`);
 * anything else compares as text, ignoring case.
 */
export function answersMatch(answer: string, reference: string): boolean {
  const spacedA = spacedAnswer(answer);
  const spacedR = spacedAnswer(reference);
  const a = spacedA.replace(/\s+/g, '');
  const r = spacedR.replace(/\s+/g, '');
  if (a === '' || r === '') return false;
  const choice = CHOICE.exec(r);
  if (choice) {
    const picked = CHOICE_PREFIX.exec(a);
    if (picked) return (picked[1] ?? '').toLowerCase() === (choice[1] ?? '').toLowerCase();
  }
  const va = numericValue(spacedA);
  const vr = numericValue(spacedR);
  if (va && vr) return va.equals(vr);
  const la = linearForm(a);
  const lr = linearForm(r);
  if (la && lr) return sameForms(la, lr);
  return a.toLowerCase() === r.toLowerCase();
}
