/**
 * Finds arithmetic written inside one step's text and re-evaluates it exactly.
 *
 * Two kinds of writing are checked:
 * - **chains** `a op b = c = d` in prose or LaTeX (`+ - * / × x ÷ · ^`, `\times`, `\cdot`, `\div`, `\frac{}{}`,
 *   `\sqrt{}` of perfect squares, `n!`, `²`, parentheses and braces, percentages such as `20% of 50 = 10`);
 *   `$`, `\( \)` and `\[ \]` delimiters are ignored;
 * - **GSM8K annotations** `<<expr=value>>`: `expr` must equal `value`, and a number written right after `>>`
 *   must equal `value` too.
 *
 * The checker is deliberately conservative, since a false alarm on a correct step costs more than a missed error.
 * A comparison is made only when both sides fully parse as arithmetic over numbers. Words, variables,
 * unknown LaTeX commands and punctuation (`:`, `,`, `.`) end an expression. A side that is cut off by a word
 * (`x + 2 = 5`, `i^2 = -1`) or glued to one (`f(2) = 5`, `= 5th`) is skipped. Two bare numbers are never compared
 * (`Day 1 = 5 miles`, `$1 = 100 cents`), and neither are numbers with leading zeros (dates such as `2023-05-01`),
 * ratios and times (`5:8`, `3:30`), or list numbering (`1. `).
 *
 * Rounding: a written decimal result with `d` decimals passes when it is within half a unit of its last digit
 * (`10/3 = 3.33`); an integer result after `=` must be exact. After `≈` (`\approx`) a result passes within one
 * unit of its last written digit (`1234.5 ≈ 1200`, `2/3 ≈ 0.6`).
 */
import type { TextSpan } from '../text/segmentSteps.js';
import { Rational } from './rational.js';

/** One comparison the checker made. */
export interface ArithmeticFinding {
  /** `chain` for prose/LaTeX `a = b`, `annotation` for GSM8K `<<expr=value>>`. */
  readonly kind: 'chain' | 'annotation';
  /** The evaluated side, written canonically: `13 × 8 / 13`, `1/3 × 18`, `20% of 50`. */
  readonly expression: string;
  /** What the step wrote, annotations removed and whitespace collapsed: `13 x 8 / 13 = 6`. */
  readonly written: string;
  /** The exact value of `expression`: an integer, a finite decimal or a fraction (`8`, `4.4`, `32/3`). */
  readonly expected: string;
  /** True when what was written agrees with `expected` (within the rounding rules). */
  readonly ok: boolean;
  /** Offsets of the checked writing in the step text (for an annotation: `<<…>>` and the number after it). */
  readonly span: TextSpan;
  /** True when the relation was `≈`. */
  readonly approximate: boolean;
  /**
   * The exact value rounded the way the result was written, when the exact value has more decimals than that
   * (or none finite): `3.33` for `10/3` written with two decimals; two decimals when the result was an integer.
   */
  readonly rounded?: string;
  /** When the written result was itself an expression (`2 + 3 = 1 + 5`): that expression and its value. */
  readonly other?: { readonly expression: string; readonly value: string };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

type BinaryOp = '+' | '-' | '*' | '/' | '^' | 'of';

interface NumToken {
  readonly kind: 'num';
  readonly start: number;
  readonly end: number;
  /** The value as written; a percentage keeps its written value (`20` for `20%`). */
  readonly written: Rational;
  readonly decimals: number;
  readonly percent: boolean;
  /** Display text: digits as written with `{,}` / `\,` shown as `,`, plus `%` for percentages. */
  readonly text: string;
}

type Token =
  | NumToken
  | { readonly kind: 'op'; readonly op: BinaryOp; readonly start: number; readonly end: number }
  | { readonly kind: 'lp' | 'rp'; readonly brace: boolean; readonly start: number; readonly end: number }
  | { readonly kind: 'eq'; readonly approx: boolean; readonly start: number; readonly end: number }
  | { readonly kind: 'frac' | 'sqrt' | 'fact'; readonly start: number; readonly end: number }
  | { readonly kind: 'sup'; readonly exponent: number; readonly start: number; readonly end: number }
  | { readonly kind: 'word'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'other'; readonly start: number; readonly end: number };

type Mode = 'prose' | 'annotation';

const THOUSANDS = /\d{1,3}(?:(?:,|\{,\}|\\,)\d{3})+(?:\.\d+)?(?!\d)/y;
const PLAIN_NUMBER = /\d+(?:\.\d+)?|\.\d+/y;
const LETTERS = /\p{L}+/uy;
const COMMAND = /\\([A-Za-z]+|.)/y;
const FRAC_DIGITS = /(\s*)(\d)(\s*)(\d)/y;
const SKIP_CHARS = new Set(['$', '&', '€', '£', '¥', '₹']);
const TIMES_CHARS = new Set(['×', '·', '⋅', '∙', '*']);
const SUPERSCRIPTS: Readonly<Record<string, number>> = { '¹': 1, '²': 2, '³': 3 };
const SKIP_COMMANDS = new Set(['(', ')', '[', ']', '$', ',', ';', ':', '!', ' ', 'quad', 'qquad']);
/** Commands that only decorate the token after them; that token's span starts at the command. */
const PREFIX_COMMANDS = new Set(['left', 'right', 'bigl', 'bigr', 'big', 'Big', 'bigg', 'Bigg', 'Bigl', 'Bigr', 'displaystyle', 'boxed', 'fbox']);
const TEXT_COMMANDS = new Set(['text', 'textbf', 'textit', 'textrm', 'textnormal', 'mathrm', 'mathit', 'mathbf', 'mbox', 'operatorname']);
/** Characters after which `!` reads as a factorial rather than an exclamation mark. */
const AFTER_FACTORIAL = /[+\-−*/=)}^×·÷⋅≈$\\]/;

function matchAt(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

function nextNonSpace(text: string, at: number): string {
  const m = /\S/g;
  m.lastIndex = at;
  const r = m.exec(text);
  return r ? r[0] : '';
}

/** Skips a balanced `{…}` group starting at `at` (after optional spaces); returns the index after it. */
function skipGroup(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  if (text[i] !== '{') return at;
  let depth = 0;
  for (; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

function tokenize(text: string, mode: Mode): Token[] {
  const tokens: Token[] = [];
  let prefixStart: number | undefined;
  const out = {
    push(...ts: Token[]): void {
      for (const t of ts) {
        tokens.push(prefixStart === undefined ? t : { ...t, start: prefixStart });
        prefixStart = undefined;
      }
    },
  };
  const last = (): Token | undefined => tokens[tokens.length - 1];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c) || SKIP_CHARS.has(c)) {
      i++;
      continue;
    }
    if (c === '\\') {
      const m = matchAt(COMMAND, text, i);
      const name = m?.[1] ?? '';
      const end = i + (m?.[0].length ?? 1);
      if (SKIP_COMMANDS.has(name)) {
        i = end;
      } else if (PREFIX_COMMANDS.has(name)) {
        prefixStart ??= i;
        i = end;
      } else if (name === 'times' || name === 'cdot' || name === 'ast') {
        out.push({ kind: 'op', op: '*', start: i, end });
        i = end;
      } else if (name === 'div') {
        out.push({ kind: 'op', op: '/', start: i, end });
        i = end;
      } else if (name === 'approx') {
        out.push({ kind: 'eq', approx: true, start: i, end });
        i = end;
      } else if (name === 'frac' || name === 'dfrac' || name === 'tfrac' || name === 'cfrac') {
        out.push({ kind: 'frac', start: i, end });
        i = end;
        // `\frac12` is `\frac{1}{2}`: two single-digit arguments.
        const d = matchAt(FRAC_DIGITS, text, i);
        if (d) {
          const a = i + (d[1] ?? '').length;
          const b = a + 1 + (d[3] ?? '').length;
          out.push(digitToken(text, a), digitToken(text, b));
          i = b + 1;
        }
      } else if (name === 'sqrt' && nextNonSpace(text, end) !== '[') {
        out.push({ kind: 'sqrt', start: i, end });
        i = end;
      } else if (TEXT_COMMANDS.has(name)) {
        const after = skipGroup(text, end);
        out.push({ kind: 'other', start: i, end: after });
        i = after;
      } else {
        out.push({ kind: 'other', start: i, end });
        i = end;
      }
      continue;
    }
    const prev = text[i - 1] ?? '';
    if (/\d/.test(c) || (c === '.' && /\d/.test(text[i + 1] ?? '') && !/[\p{L}\p{N}.]/u.test(prev))) {
      const m = matchAt(THOUSANDS, text, i) ?? matchAt(PLAIN_NUMBER, text, i);
      const raw = m?.[0] ?? c;
      let end = i + raw.length;
      if (/^0\d/.test(raw)) {
        // Leading zeros: part of a date, a time or a code, not a quantity.
        out.push({ kind: 'other', start: i, end });
        i = end;
        continue;
      }
      let percent = false;
      if (text[end] === '%') {
        percent = true;
        end += 1;
      } else if (text.startsWith('\\%', end)) {
        percent = true;
        end += 2;
      }
      const digits = raw.replace(/\{,\}|\\,/g, ',');
      const plain = digits.replace(/,/g, '');
      const dot = plain.indexOf('.');
      const decimals = dot === -1 ? 0 : plain.length - dot - 1;
      const written = Rational.of(BigInt(plain.replace('.', '') || '0'), 10n ** BigInt(decimals));
      out.push({ kind: 'num', start: i, end, written, decimals, percent, text: percent ? `${digits}%` : digits });
      i = end;
      continue;
    }
    const letters = matchAt(LETTERS, text, i);
    if (letters) {
      const end = i + letters[0].length;
      out.push({ kind: 'word', text: letters[0], start: i, end });
      i = end;
      continue;
    }
    const sup = SUPERSCRIPTS[c];
    if (sup !== undefined) {
      out.push({ kind: 'sup', exponent: sup, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '*' && text[i + 1] === '*') {
      // Python's power in annotations; Markdown bold in prose.
      out.push(mode === 'annotation' ? { kind: 'op', op: '^', start: i, end: i + 2 } : { kind: 'other', start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '!') {
      // `5!` glued to its operand and followed by an operator, `=` or the end of the math is a factorial
      // (`5!=120` too); `5 != 6` and `= 7!` at the end of a sentence are not.
      const p = last();
      const glued = p !== undefined && p.end === i && (p.kind === 'num' || p.kind === 'rp' || p.kind === 'fact');
      const after = nextNonSpace(text, i + 1);
      if (glued && after !== '' && AFTER_FACTORIAL.test(after)) {
        out.push({ kind: 'fact', start: i, end: i + 1 });
        i++;
      } else {
        const width = text[i + 1] === '=' ? 2 : 1;
        out.push({ kind: 'other', start: i, end: i + width });
        i += width;
      }
      continue;
    }
    if (c === '=') {
      const next = text[i + 1] ?? '';
      if (next === '=' || next === '>') {
        out.push({ kind: 'other', start: i, end: i + 2 });
        i += 2;
        continue;
      }
      out.push({ kind: 'eq', approx: false, start: i, end: i + 1 });
      i++;
      continue;
    }
    const single = singleCharToken(c, i);
    out.push(single);
    i++;
  }
  return resolveWords(tokens);
}

function digitToken(text: string, at: number): NumToken {
  const d = text[at] ?? '0';
  return { kind: 'num', start: at, end: at + 1, written: Rational.of(BigInt(d)), decimals: 0, percent: false, text: d };
}

function singleCharToken(c: string, i: number): Token {
  const span = { start: i, end: i + 1 };
  if (c === '+') return { kind: 'op', op: '+', ...span };
  if (c === '-' || c === '−') return { kind: 'op', op: '-', ...span };
  if (TIMES_CHARS.has(c)) return { kind: 'op', op: '*', ...span };
  if (c === '/' || c === '÷') return { kind: 'op', op: '/', ...span };
  if (c === '^') return { kind: 'op', op: '^', ...span };
  if (c === '≈') return { kind: 'eq', approx: true, ...span };
  if (c === '(' || c === '{') return { kind: 'lp', brace: c === '{', ...span };
  if (c === ')' || c === '}') return { kind: 'rp', brace: c === '}', ...span };
  return { kind: 'other', ...span };
}

function endsOperand(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'num' || t.kind === 'rp' || t.kind === 'fact' || t.kind === 'sup');
}

function startsOperand(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'num' || (t.kind === 'lp' && !t.brace) || t.kind === 'frac' || t.kind === 'sqrt');
}

/** `x` between two operands is multiplication; `of` after a percentage or a fraction is multiplication. */
function resolveWords(tokens: Token[]): Token[] {
  return tokens.map((t, k) => {
    if (t.kind !== 'word') return t;
    const before = tokens[k - 1];
    const after = tokens[k + 1];
    if (t.text === 'x' && endsOperand(before) && startsOperand(after)) return { kind: 'op', op: '*', start: t.start, end: t.end };
    if (t.text === 'of' && startsOperand(after)) {
      const b2 = tokens[k - 2];
      const b3 = tokens[k - 3];
      const afterPercent = before?.kind === 'num' && before.percent;
      const afterFraction = before?.kind === 'num' && b2?.kind === 'op' && b2.op === '/' && b3?.kind === 'num';
      const afterLatexFraction = before?.kind === 'rp' && before.brace;
      if (afterPercent || afterFraction || afterLatexFraction) return { kind: 'op', op: 'of', start: t.start, end: t.end };
    }
    return t;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

type Node =
  | { readonly t: 'num'; readonly tok: NumToken }
  | { readonly t: 'neg'; readonly arg: Node }
  | { readonly t: 'bin'; readonly op: '+' | '-' | '*' | '/' | 'of'; readonly l: Node; readonly r: Node }
  | { readonly t: 'pow'; readonly base: Node; readonly exp: Node }
  | { readonly t: 'fact'; readonly arg: Node }
  | { readonly t: 'sqrt'; readonly arg: Node };

class ParseFailure extends Error {}
/** Thrown for every failed parse; one instance, since prefix and suffix trials fail often. */
const PARSE_FAILURE = new ParseFailure('not arithmetic');

/** Bounds on what is parsed at all: deeper nesting or longer sides are not prose arithmetic. */
const MAX_DEPTH = 50;
const MAX_SIDE_TOKENS = 400;

/** Recursive-descent parser over `tokens[lo, hi)`; `parse` returns undefined unless every token is consumed. */
class Parser {
  private pos: number;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly lo: number,
    private readonly hi: number,
  ) {
    this.pos = lo;
  }

  parse(): Node | undefined {
    if (this.lo >= this.hi) return undefined;
    try {
      const node = this.expr();
      return this.pos === this.hi ? node : undefined;
    } catch (e) {
      if (e === PARSE_FAILURE) return undefined;
      throw e;
    }
  }

  private peek(): Token | undefined {
    return this.pos < this.hi ? this.tokens[this.pos] : undefined;
  }

  private fail(): never {
    throw PARSE_FAILURE;
  }

  private expr(): Node {
    let node = this.term();
    for (let t = this.peek(); t?.kind === 'op' && (t.op === '+' || t.op === '-'); t = this.peek()) {
      this.pos++;
      node = { t: 'bin', op: t.op, l: node, r: this.term() };
    }
    return node;
  }

  private term(): Node {
    let node = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'op' && (t.op === '*' || t.op === '/' || t.op === 'of')) {
        this.pos++;
        node = { t: 'bin', op: t.op, l: node, r: this.unary() };
      } else if (t?.kind === 'lp' && !t.brace && this.tokens[this.pos - 1]?.end === t.start && endsOperand(this.tokens[this.pos - 1])) {
        // Implicit multiplication, glued only: `2(3 + 4)`, `(1 + 2)(3 + 4)`.
        node = { t: 'bin', op: '*', l: node, r: this.unary() };
      } else {
        return node;
      }
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t?.kind === 'op' && (t.op === '-' || t.op === '+')) {
      this.pos++;
      const arg = this.unary();
      return t.op === '-' ? { t: 'neg', arg } : arg;
    }
    return this.power();
  }

  private power(): Node {
    const base = this.postfix();
    const t = this.peek();
    if (t?.kind === 'op' && t.op === '^') {
      this.pos++;
      return { t: 'pow', base, exp: this.unary() };
    }
    return base;
  }

  private postfix(): Node {
    let node = this.primary();
    for (let t = this.peek(); t?.kind === 'fact' || t?.kind === 'sup'; t = this.peek()) {
      this.pos++;
      node = t.kind === 'sup' ? { t: 'pow', base: node, exp: numberNode(t.exponent, t.start, t.end) } : { t: 'fact', arg: node };
    }
    return node;
  }

  private primary(): Node {
    const t = this.peek();
    if (!t) return this.fail();
    if (t.kind === 'num') {
      this.pos++;
      return { t: 'num', tok: t };
    }
    if (t.kind === 'lp') {
      if (++this.depth > MAX_DEPTH) return this.fail();
      this.pos++;
      const inner = this.expr();
      this.depth--;
      const close = this.peek();
      if (close?.kind !== 'rp' || close.brace !== t.brace) return this.fail();
      this.pos++;
      return inner;
    }
    if (t.kind === 'frac') {
      this.pos++;
      const a = this.argument();
      const b = this.argument();
      return { t: 'bin', op: '/', l: a, r: b };
    }
    if (t.kind === 'sqrt') {
      this.pos++;
      return { t: 'sqrt', arg: this.argument() };
    }
    return this.fail();
  }

  /** A LaTeX argument: `{expr}`, or a single digit (`\frac12`, `\sqrt2`). */
  private argument(): Node {
    const t = this.peek();
    if (t?.kind === 'lp' && t.brace) return this.primary();
    if (t?.kind === 'num' && t.text.length === 1 && !t.percent) {
      this.pos++;
      return { t: 'num', tok: t };
    }
    return this.fail();
  }
}

function numberNode(n: number, start: number, end: number): Node {
  return { t: 'num', tok: { kind: 'num', start, end, written: Rational.fromInteger(n), decimals: 0, percent: false, text: String(n) } };
}

function parseRange(tokens: readonly Token[], lo: number, hi: number): Node | undefined {
  return hi - lo > MAX_SIDE_TOKENS ? undefined : new Parser(tokens, lo, hi).parse();
}

const MAX_EXPONENT = 64;
const MAX_RESULT_BITS = 4096;
const MAX_FACTORIAL = 200;
const HUNDRED = Rational.of(100n);

function bitLength(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}

function isqrt(n: bigint): bigint | undefined {
  if (n < 0n) return undefined;
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton steps from the float estimate, then settle on floor(sqrt(n)).
  for (let k = 0; k < 100; k++) {
    const y = (x + n / x) / 2n;
    if (y >= x - 1n && y <= x + 1n) {
      x = y;
      break;
    }
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x * x === n ? x : undefined;
}

/** True when the node is a percentage quantity: a percent literal, or a sum/difference of them. */
function percentLike(n: Node): boolean {
  if (n.t === 'num') return n.tok.percent;
  if (n.t === 'neg') return percentLike(n.arg);
  if (n.t === 'bin' && (n.op === '+' || n.op === '-')) return percentLike(n.l) && percentLike(n.r);
  return false;
}

function hasPercent(n: Node): boolean {
  switch (n.t) {
    case 'num':
      return n.tok.percent;
    case 'neg':
    case 'fact':
    case 'sqrt':
      return hasPercent(n.arg);
    case 'bin':
      return hasPercent(n.l) || hasPercent(n.r);
    case 'pow':
      return hasPercent(n.base) || hasPercent(n.exp);
  }
}

/** The exact value, or undefined: division by zero, huge powers, inexact roots, or an ambiguous `50 + 10%`. */
function evaluate(n: Node): Rational | undefined {
  switch (n.t) {
    case 'num':
      return n.tok.percent ? n.tok.written.div(HUNDRED) : n.tok.written;
    case 'neg':
      return evaluate(n.arg)?.neg();
    case 'bin': {
      if ((n.op === '+' || n.op === '-') && percentLike(n.l) !== percentLike(n.r)) return undefined;
      const l = evaluate(n.l);
      const r = evaluate(n.r);
      if (!l || !r) return undefined;
      if (n.op === '+') return l.add(r);
      if (n.op === '-') return l.sub(r);
      if (n.op === '/') return r.isZero ? undefined : l.div(r);
      return l.mul(r);
    }
    case 'pow': {
      const b = evaluate(n.base);
      const e = evaluate(n.exp);
      if (!b || !e || !e.isInteger) return undefined;
      const k = Number(e.num);
      if (Math.abs(k) > MAX_EXPONENT || (k < 0 && b.isZero)) return undefined;
      if ((bitLength(b.num) + bitLength(b.den)) * Math.abs(k) > MAX_RESULT_BITS) return undefined;
      return b.pow(k);
    }
    case 'fact': {
      const a = evaluate(n.arg);
      if (!a || !a.isInteger || a.sign < 0 || a.num > BigInt(MAX_FACTORIAL)) return undefined;
      let f = 1n;
      for (let k = 2n; k <= a.num; k++) f *= k;
      return Rational.of(f);
    }
    case 'sqrt': {
      const a = evaluate(n.arg);
      if (!a) return undefined;
      const p = isqrt(a.num);
      const q = isqrt(a.den);
      return p !== undefined && q !== undefined ? Rational.of(p, q) : undefined;
    }
  }
}

const PRECEDENCE = { add: 1, mul: 2, neg: 3, pow: 4, atom: 5 } as const;

function precedence(n: Node): number {
  switch (n.t) {
    case 'num':
    case 'fact':
    case 'sqrt':
      return PRECEDENCE.atom;
    case 'neg':
      return PRECEDENCE.neg;
    case 'pow':
      return PRECEDENCE.pow;
    case 'bin':
      return n.op === '+' || n.op === '-' ? PRECEDENCE.add : PRECEDENCE.mul;
  }
}

function isPlainNumber(n: Node): boolean {
  return n.t === 'num' && !n.tok.percent;
}

/** Canonical text with minimal parentheses: `×` for every multiplication, compact `a/b` between two numbers. */
function render(n: Node): string {
  switch (n.t) {
    case 'num':
      return n.tok.text;
    case 'neg':
      return `-${wrap(n.arg, precedence(n.arg) < PRECEDENCE.neg || n.arg.t === 'neg')}`;
    case 'fact':
      return `${wrap(n.arg, n.arg.t !== 'num')}!`;
    case 'sqrt':
      return n.arg.t === 'num' ? `√${render(n.arg)}` : `√(${render(n.arg)})`;
    case 'pow':
      return `${wrap(n.base, precedence(n.base) < PRECEDENCE.atom)}^${wrap(n.exp, n.exp.t !== 'num')}`;
    case 'bin': {
      const p = precedence(n);
      if (n.op === '/' && isPlainNumber(n.l) && isPlainNumber(n.r)) return `${render(n.l)}/${render(n.r)}`;
      const left = wrap(n.l, precedence(n.l) < p);
      const strictRight = n.op === '-' || n.op === '/' || n.op === 'of';
      const right = wrap(n.r, precedence(n.r) < p || (strictRight && precedence(n.r) === p) || n.r.t === 'neg');
      const sym = n.op === '*' ? '×' : n.op;
      return `${left} ${sym} ${right}`;
    }
  }
}

function wrap(n: Node, paren: boolean): string {
  return paren ? `(${render(n)})` : render(n);
}

function stripNeg(n: Node): Node {
  return n.t === 'neg' ? stripNeg(n.arg) : n;
}

/** A bare number: `5`, `-5`, `20%`, `(5)`. */
function bareLiteral(n: Node): NumToken | undefined {
  const s = stripNeg(n);
  return s.t === 'num' ? s.tok : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison

interface Side {
  readonly node: Node;
  readonly value: Rational;
  /** Token indices `[lo, hi)`. */
  readonly lo: number;
  readonly hi: number;
}

/**
 * The allowed gap between a written result and the exact value: half a unit of the last written decimal after
 * `=` (zero for an integer), one unit of the last significant digit after `≈`.
 */
function tolerance(lit: NumToken, approx: boolean): Rational {
  if (approx) {
    if (lit.decimals > 0) return Rational.of(1n, 10n ** BigInt(lit.decimals));
    const zeros = /0*$/.exec(lit.text.replace(/[,%]/g, ''))?.[0].length ?? 0;
    const allZero = lit.written.isZero;
    return allZero ? Rational.ONE : Rational.of(10n ** BigInt(zeros));
  }
  return lit.decimals > 0 ? Rational.of(1n, 2n * 10n ** BigInt(lit.decimals)) : Rational.ZERO;
}

function within(a: Rational, b: Rational, tol: Rational): boolean {
  return a.sub(b).abs().compare(tol) <= 0;
}

/** The leftmost operand of `a + …`, `a − …`, `a × …`, `a / …`. */
function leftmost(n: Node): Node {
  return n.t === 'bin' ? leftmost(n.l) : n;
}

interface Verdict {
  readonly ok: boolean;
  readonly anchor: Side;
  readonly compared: Side;
  readonly rounded?: string;
}

/**
 * Compares `left rel right`. Returns undefined when no honest comparison can be made (two bare numbers, a
 * percentage that reads either way and matches neither, an `≈` between two expressions).
 */
function judge(left: Side, right: Side, approx: boolean): Verdict | undefined {
  const leftBare = bareLiteral(left.node);
  const rightBare = bareLiteral(right.node);
  if (leftBare && rightBare) return undefined;
  const [anchor, compared] = leftBare ? [right, left] : [left, right];
  const lit = bareLiteral(compared.node);
  if (!lit && approx) return undefined;
  const tol = lit ? tolerance(lit, approx) : Rational.ZERO;
  const exact = anchor.value;
  // `15/60 × 100 = 25%` and `0.25 = 25%` are both common: a lone percentage next to a plain quantity reads
  // either way; with neither reading matching, the writing is ambiguous, not wrong.
  const loneVsPlain = lit !== undefined && lit.percent && !hasPercent(anchor.node);
  const percentVsLone = lit !== undefined && !lit.percent && percentLike(anchor.node);
  if (loneVsPlain || percentVsLone) {
    const asFraction = within(exact, compared.value, loneVsPlain ? tol.div(HUNDRED) : tol);
    const asPoints = loneVsPlain ? within(exact, compared.value.mul(HUNDRED), tol) : within(exact.mul(HUNDRED), compared.value, tol);
    return asFraction || asPoints ? { ok: true, anchor, compared } : undefined;
  }
  let ok = within(exact, compared.value, tol);
  if (!ok && anchor === left) {
    // A running total `5 + 3 = 8 - 2 = 6`: the right side restarts from the left side's value.
    const first = leftmost(right.node);
    if (right.node.t === 'bin' && first.t === 'num' && first.tok.written.equals(exact) && !first.tok.percent) ok = true;
  }
  const places = lit?.decimals ?? 0;
  const terminating = exact.decimalPlaces();
  const needsRounding = lit !== undefined && (terminating === undefined || terminating > places);
  const shown = places > 0 ? places : terminating === undefined ? 2 : undefined;
  return {
    ok,
    anchor,
    compared,
    ...(needsRounding && shown !== undefined ? { rounded: exact.toFixed(shown) } : {}),
  };
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

const LEFT_GLUE = /[\p{L}\p{N}_:'’]/u;
const RIGHT_GLUE = /[\p{L}\p{N}_:'’°]/u;
const MAX_TRIM_TOKENS = 120;

function previousNonSpace(text: string, at: number): string {
  for (let k = at - 1; k >= 0; k--) {
    const ch = text[k] ?? '';
    if (!/\s/.test(ch)) return ch;
  }
  return '';
}

function isOp(t: Token | undefined): boolean {
  return t?.kind === 'op';
}

function findChains(masked: string, tokens: readonly Token[]): ArithmeticFinding[] {
  const findings: ArithmeticFinding[] = [];
  let runStart = 0;
  for (let k = 0; k <= tokens.length; k++) {
    const t = tokens[k];
    if (t === undefined || t.kind === 'word' || t.kind === 'other') {
      if (k > runStart) findings.push(...checkRun(masked, tokens, runStart, k));
      runStart = k + 1;
    }
  }
  return findings;
}

function checkRun(masked: string, tokens: readonly Token[], runLo: number, runHi: number): ArithmeticFinding[] {
  const bounds: { lo: number; hi: number; approx: boolean }[] = [];
  let lo = runLo;
  let approx = false;
  for (let k = runLo; k < runHi; k++) {
    const t = tokens[k];
    if (t?.kind === 'eq') {
      bounds.push({ lo, hi: k, approx });
      lo = k + 1;
      approx = t.approx;
    }
  }
  if (bounds.length === 0) return [];
  bounds.push({ lo, hi: runHi, approx });

  const firstTok = tokens[runLo];
  const lastTok = tokens[runHi - 1];
  // Glued to a word or symbol with no space between (`f(2)`, `3:30`, `5th`); skipped LaTeX such as `\left` does
  // not count, since it leaves no token.
  const before = tokens[runLo - 1];
  const after = tokens[runHi];
  const leftGlued = firstTok !== undefined && before?.end === firstTok.start && LEFT_GLUE.test(masked[firstTok.start - 1] ?? '');
  const rightGlued = lastTok !== undefined && after?.start === lastTok.end && RIGHT_GLUE.test(masked[lastTok.end] ?? '');
  // A run that starts with a sign: unary only when glued to its number, apart from what precedes it, and not
  // after a value or a one-letter variable (`x - 2 = 5`, `x-2 = 5`, `x -2 = 5` are not `-2 = 5`; `So -2 + 5 = 3` is).
  const leadsWithSign = firstTok?.kind === 'op' && (firstTok.op === '-' || firstTok.op === '+');
  const signIsUnary =
    leadsWithSign &&
    tokens[runLo + 1]?.start === firstTok.end &&
    before?.end !== firstTok.start &&
    !(before?.kind === 'word' && before.text.length === 1) &&
    !/[\p{N})\]}'_]/u.test(previousNonSpace(masked, firstTok.start));

  const sideAt = (lo2: number, hi2: number): Side | undefined => {
    if (hi2 - lo2 <= 0) return undefined;
    const node = parseRange(tokens, lo2, hi2);
    const value = node && evaluate(node);
    return node && value ? { node, value, lo: lo2, hi: hi2 } : undefined;
  };
  const fullAllowed = (lo2: number, hi2: number): boolean => {
    if (lo2 === runLo && (leftGlued || (leadsWithSign && !signIsUnary))) return false;
    if (hi2 === runHi && rightGlued) return false;
    return true;
  };
  const labelLike = (s: Side): boolean =>
    s.lo === runLo && bareLiteral(s.node) !== undefined && /\p{L}/u.test(previousNonSpace(masked, tokens[s.lo]?.start ?? 0));

  // For each side: its reading as the left operand of the next `=` (longest valid suffix) and as the right
  // operand of the previous one (longest valid prefix). A side that parses whole serves both.
  const asLeft: (Side | undefined)[] = [];
  const asRight: (Side | undefined)[] = [];
  const whole: boolean[] = [];
  for (const b of bounds) {
    const full = fullAllowed(b.lo, b.hi) ? sideAt(b.lo, b.hi) : undefined;
    whole.push(full !== undefined);
    if (full) {
      asLeft.push(labelLike(full) ? undefined : full);
      asRight.push(full);
      continue;
    }
    let suffix: Side | undefined;
    let prefix: Side | undefined;
    if (b.hi - b.lo <= MAX_TRIM_TOKENS) {
      for (let s = b.lo + 1; s < b.hi && !suffix; s++) {
        const before = tokens[s - 1];
        const first = tokens[s];
        // Not right after a closing brace: `\frac{f(0)}{2^5}` cut at `f` must not leave `{2^5}` as a side.
        const beforeOk = before !== undefined && (before.kind === 'lp' || (endsOperand(before) && !(before.kind === 'rp' && before.brace)));
        const firstOk = startsOperand(first) || (isOp(first) && before?.kind === 'lp');
        if (beforeOk && firstOk) suffix = sideAt(s, b.hi);
      }
      for (let e = b.hi - 1; e > b.lo && !prefix; e--) {
        const dropped = tokens[e];
        const droppedOk = dropped !== undefined && (dropped.kind === 'num' || dropped.kind === 'lp' || dropped.kind === 'rp' || dropped.kind === 'frac' || dropped.kind === 'sqrt');
        if (droppedOk) prefix = sideAt(b.lo, e);
      }
    }
    asLeft.push(suffix);
    asRight.push(prefix);
  }

  const findings: ArithmeticFinding[] = [];
  let chainStart: number | undefined;
  for (let k = 1; k < bounds.length; k++) {
    const left = asLeft[k - 1];
    const right = asRight[k];
    const rel = bounds[k];
    if (!left || !right || !rel) {
      chainStart = undefined;
      continue;
    }
    if (chainStart === undefined || !whole[k - 1]) chainStart = left.lo;
    const verdict = judge(left, right, rel.approx);
    if (!verdict) continue;
    const start = tokens[chainStart]?.start ?? 0;
    const end = tokens[right.hi - 1]?.end ?? start;
    const otherSide = bareLiteral(verdict.compared.node) ? undefined : verdict.compared;
    findings.push({
      kind: 'chain',
      expression: render(verdict.anchor.node),
      written: collapse(masked.slice(start, end)),
      expected: verdict.anchor.value.toString(),
      ok: verdict.ok,
      span: { start, end },
      approximate: rel.approx,
      ...(verdict.rounded !== undefined ? { rounded: verdict.rounded } : {}),
      ...(otherSide ? { other: { expression: render(otherSide.node), value: otherSide.value.toString() } } : {}),
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// GSM8K annotations

const ANNOTATION = /<<([^<>\n]*)>>/g;
const AFTER_ANNOTATION = /(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d)|-(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d)/y;

function parseWhole(text: string, mode: Mode): Side | undefined {
  const tokens = tokenize(text, mode);
  if (tokens.some((t) => t.kind === 'word' || t.kind === 'other' || t.kind === 'eq')) return undefined;
  const node = parseRange(tokens, 0, tokens.length);
  const value = node && evaluate(node);
  return node && value ? { node, value, lo: 0, hi: tokens.length } : undefined;
}

function findAnnotations(text: string): ArithmeticFinding[] {
  const findings: ArithmeticFinding[] = [];
  ANNOTATION.lastIndex = 0;
  for (let m = ANNOTATION.exec(text); m !== null; m = ANNOTATION.exec(text)) {
    const content = m[1] ?? '';
    const eq = content.lastIndexOf('=');
    if (eq <= 0) continue;
    const expr = parseWhole(content.slice(0, eq), 'annotation');
    const value = parseWhole(content.slice(eq + 1), 'annotation');
    const lit = value && bareLiteral(value.node);
    if (!expr || !value || !lit || hasPercent(expr.node) || lit.percent) continue;
    const close = m.index + m[0].length;
    const after = matchAt(AFTER_ANNOTATION, text, close)?.[0];
    const afterValue = after === undefined ? undefined : parseWhole(after, 'annotation')?.value;
    const verdict = judge(expr, value, false);
    if (!verdict) continue;
    const ok = verdict.ok && (afterValue === undefined || afterValue.equals(value.value));
    const end = close + (after?.length ?? 0);
    findings.push({
      kind: 'annotation',
      expression: render(expr.node),
      written: text.slice(m.index, end),
      expected: expr.value.toString(),
      ok,
      span: { start: m.index, end },
      approximate: false,
      ...(verdict.rounded !== undefined ? { rounded: verdict.rounded } : {}),
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Every checkable equation in one step's text, in text order. Annotations are checked on their own and removed
 * before the prose is read, so `13 x 8 / 13 = <<13*8/13=6>>6` is read as `13 x 8 / 13 = 6`; an annotation whose
 * verdict and expected value repeat those of the prose chain around it is not reported twice.
 */
export function checkArithmetic(text: string): readonly ArithmeticFinding[] {
  const annotations = findAnnotations(text);
  const masked = text.replace(ANNOTATION, (m) => ' '.repeat(m.length));
  const chains = findChains(masked, tokenize(masked, 'prose'));
  const kept = annotations.filter(
    (a) => !chains.some((c) => c.span.start <= a.span.start && a.span.end <= c.span.end && c.ok === a.ok && c.expected === a.expected),
  );
  return [...chains, ...kept].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

/**
 * The exact value of a text that is nothing but arithmetic over numbers (`\frac{3}{4}`, `-0.75`, `2^{10}`,
 * `1,234`, `12%` → 3/25), or undefined when it holds anything else (words, variables, `=`).
 */
export function evaluateArithmetic(text: string): Rational | undefined {
  return parseWhole(text, 'prose')?.value;
}
