/**
 * Exact rational numbers over `bigint`, for the built-in verifier: arithmetic written in a trace is
 * re-evaluated without floating-point error, so `0.1 + 0.2 = 0.3` checks out and `10/3` stays `10/3`.
 */

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** `10n ** n` for a small non-negative `n`. */
function tenTo(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * An exact rational `num / den`, always reduced, with `den > 0`. Immutable. Operations that cannot give a
 * rational (division by zero, `0` to a negative power) throw a `RangeError`; callers that read untrusted text
 * check first (`isZero`).
 */
export class Rational {
  /** Zero. */
  static readonly ZERO = new Rational(0n, 1n);
  /** One. */
  static readonly ONE = new Rational(1n, 1n);

  private constructor(
    /** The numerator (carries the sign). */
    readonly num: bigint,
    /** The denominator, always positive. */
    readonly den: bigint,
  ) {}

  /** `num / den` reduced; throws a `RangeError` when `den` is zero. */
  static of(num: bigint, den: bigint = 1n): Rational {
    if (den === 0n) throw new RangeError('Division by zero');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    return g === 1n ? new Rational(num, den) : new Rational(num / g, den / g);
  }

  /** An integer (a safe-integer `number` or a `bigint`). */
  static fromInteger(n: number | bigint): Rational {
    if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new RangeError(`Not a safe integer: ${n}`);
    return new Rational(BigInt(n), 1n);
  }

  /** True for zero. */
  get isZero(): boolean {
    return this.num === 0n;
  }

  /** True when the value is a whole number. */
  get isInteger(): boolean {
    return this.den === 1n;
  }

  /** -1, 0 or 1. */
  get sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  /** `this + o`. */
  add(o: Rational): Rational {
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  /** `this − o`. */
  sub(o: Rational): Rational {
    return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  /** `this × o`. */
  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }

  /** `this ÷ o`; throws a `RangeError` when `o` is zero. */
  div(o: Rational): Rational {
    if (o.isZero) throw new RangeError('Division by zero');
    return Rational.of(this.num * o.den, this.den * o.num);
  }

  /** `−this`. */
  neg(): Rational {
    return new Rational(-this.num, this.den);
  }

  /** `|this|`. */
  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }

  /**
   * `this ** exponent` for an integer exponent (negative allowed). Throws a `RangeError` for a non-integer
   * exponent or for zero to a negative power. Callers bound the exponent: the result's size grows linearly.
   */
  pow(exponent: number): Rational {
    if (!Number.isInteger(exponent)) throw new RangeError(`Not an integer exponent: ${exponent}`);
    if (exponent < 0) {
      if (this.isZero) throw new RangeError('Zero to a negative power');
      return Rational.of(this.den ** BigInt(-exponent), this.num ** BigInt(-exponent));
    }
    const e = BigInt(exponent);
    return Rational.of(this.num ** e, this.den ** e);
  }

  /** -1, 0 or 1 as `this` is less than, equal to or greater than `o`. */
  compare(o: Rational): -1 | 0 | 1 {
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }

  /** Exact equality. */
  equals(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }

  /**
   * The number of decimal places of the exact decimal expansion, or `undefined` when it does not terminate
   * (the reduced denominator has a prime factor other than 2 and 5). `3/4` → 2, `7` → 0, `1/3` → undefined.
   */
  decimalPlaces(): number | undefined {
    let d = this.den;
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    return d === 1n ? Math.max(twos, fives) : undefined;
  }

  /**
   * The value rounded to `places` decimals (half away from zero), as a plain decimal string without
   * exponent: `Rational.of(10n, 3n).toFixed(2)` → `3.33`, `Rational.of(-5n, 2n).toFixed(0)` → `-3`.
   */
  toFixed(places: number): string {
    const scale = tenTo(places);
    const scaled = this.abs().mul(Rational.of(scale));
    // Round half away from zero: floor(|x| + 1/2).
    const rounded = (2n * scaled.num + scaled.den) / (2n * scaled.den);
    const sign = this.num < 0n && rounded !== 0n ? '-' : '';
    if (places === 0) return `${sign}${rounded}`;
    const digits = rounded.toString().padStart(places + 1, '0');
    return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }

  /**
   * Exact text: an integer (`8`), a finite decimal (`4.4`, `-0.125`), or a reduced fraction (`32/3`, `-1/3`)
   * when the decimal expansion does not terminate.
   */
  toString(): string {
    if (this.den === 1n) return this.num.toString();
    const places = this.decimalPlaces();
    return places === undefined ? `${this.num}/${this.den}` : this.toFixed(places);
  }
}

/** A decimal literal as written: its exact value and how many decimals it was written with. */
export interface DecimalLiteral {
  readonly value: Rational;
  /** Digits after the decimal point as written (`3.30` → 2, `12` → 0). */
  readonly decimals: number;
}

const DECIMAL = /^([+\-−]?)(?:(\d{1,3}(?:(?:,|\{,\}|\\,)\d{3})+|\d+)(?:\.(\d+))?|\.(\d+))$/;

/**
 * Parses one unsigned or signed decimal literal: `12`, `-0.25`, `.5`, `1,234.5`, `1{,}000` (LaTeX), `1\,000`.
 * Thousands separators must group exactly three digits. Returns undefined for anything else.
 */
export function parseDecimalLiteral(text: string): DecimalLiteral | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const [, sign = '', intPart, fracA, fracB] = m;
  const whole = (intPart ?? '0').replace(/\{,\}|\\,|,/g, '');
  const frac = fracA ?? fracB ?? '';
  const value = Rational.of(BigInt(whole + frac), tenTo(frac.length));
  return { value: sign === '-' || sign === '−' ? value.neg() : value, decimals: frac.length };
}

function stripFrac(text: string): Rational | undefined {
  const m = /^\\[dtc]?frac\s*(?:\{([^{}]*)\}\s*\{([^{}]*)\}|(\d)(\d))$/.exec(text);
  if (!m) return undefined;
  const a = parseDecimalLiteral(m[1] ?? m[3] ?? '');
  const b = parseDecimalLiteral(m[2] ?? m[4] ?? '');
  if (!a || !b || b.value.isZero) return undefined;
  return a.value.div(b.value);
}

/**
 * Parses a single written number into an exact rational. Accepts decimals with thousands separators
 * (`1,234.5`), signs (`-0.25`, `−3`), percentages (`12%` → 3/25, `12\%`), fractions (`3/4`), LaTeX fractions
 * (`\frac{3}{4}`, `\dfrac{3}{4}`, `\tfrac12`), and mixed numbers (`1 1/2`, `2\frac{1}{2}` → 5/2).
 * Returns undefined for anything else (including expressions such as `2+3`: use the arithmetic checker for those).
 */
export function parseRational(text: string): Rational | undefined {
  let t = text.trim();
  let negative = false;
  if (/^[-−]/.test(t)) {
    negative = true;
    t = t.slice(1).trimStart();
  } else if (t.startsWith('+')) {
    t = t.slice(1).trimStart();
  }
  const value = parseUnsigned(t);
  return value && negative ? value.neg() : value;
}

function parseUnsigned(t: string): Rational | undefined {
  if (t === '' || /^[-−+]/.test(t)) return undefined;
  const percent = /^(.*?)\s*\\?%$/.exec(t);
  if (percent) {
    const inner = parseDecimalLiteral(percent[1] ?? '');
    return inner && !/^[-−+]/.test(percent[1] ?? '') ? inner.value.div(Rational.of(100n)) : undefined;
  }
  const plain = parseDecimalLiteral(t);
  if (plain) return plain.value;
  const frac = stripFrac(t);
  if (frac) return frac;
  const slash = /^([\d.,]+)\s*\/\s*([\d.,]+)$/.exec(t);
  if (slash) {
    const a = parseDecimalLiteral(slash[1] ?? '');
    const b = parseDecimalLiteral(slash[2] ?? '');
    return a && b && !b.value.isZero ? a.value.div(b.value) : undefined;
  }
  const mixed = /^(\d+)\s*(\\[dtc]?frac.*|\s\d+\s*\/\s*\d+)$/.exec(t);
  if (mixed) {
    const whole = parseDecimalLiteral(mixed[1] ?? '');
    const part = parseUnsigned((mixed[2] ?? '').trim());
    // A proper fraction only: `2 3/4` is a mixed number, `2 5/4` is not written that way.
    if (whole && part && part.compare(Rational.ONE) < 0) return whole.value.add(part);
  }
  return undefined;
}
