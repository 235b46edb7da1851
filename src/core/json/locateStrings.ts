import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { SourceRange } from '../dataset/types.js';

/**
 * Finds where each string value of a parsed JSON value sits in the source text.
 *
 * Fast path: `JSON.parse` has already produced the value; a quote scan (native `indexOf`) lists every string
 * literal of the source in order, and a walk of the value in the same order pairs string values with literals.
 * The pairing is exact whenever the walk order equals source order, which fails only for objects with
 * array-index-like keys (engines enumerate those first) or duplicate keys; both are detected and such values
 * are located through `jsonc-parser`'s tree instead.
 */
export interface StringLocator {
  /**
   * The span of the string literal `container[key]`, quotes excluded, escapes included; `undefined` when that
   * child is not a string. `container` must be an object or array reached from the located value.
   */
  rangeOf(container: object, key: string | number): SourceRange | undefined;
}

/**
 * Fast-path locator: for each container, the literal number of each child in key (or index) order, -1 for a
 * child that is not a string. One small array per container keeps allocation (and GC) low on 200 MB files.
 */
class ScanLocator implements StringLocator {
  /** Per container: its keys (objects only) and the literal number of each child, -1 for non-strings. */
  readonly children = new Map<object, { readonly keys: readonly string[] | undefined; readonly slots: number[] }>();
  constructor(private readonly literals: readonly number[]) {}
  rangeOf(container: object, key: string | number): SourceRange | undefined {
    const c = this.children.get(container);
    if (c === undefined) return undefined;
    const at = c.keys === undefined ? (typeof key === 'number' ? key : Number(key)) : c.keys.indexOf(String(key));
    const lit = at >= 0 ? (c.slots[at] ?? -1) : -1;
    if (lit < 0) return undefined;
    return { start: this.literals[lit * 2] ?? -1, end: this.literals[lit * 2 + 1] ?? -1 };
  }
}

const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** Offsets of every string literal's content in `text[start, end)`: pairs `[s0, e0, s1, e1, ...]`. Assumes valid JSON. */
function scanLiterals(text: string, start: number, end: number): number[] {
  const out: number[] = [];
  let i = text.indexOf('"', start);
  while (i !== -1 && i < end) {
    let j = text.indexOf('"', i + 1);
    for (;;) {
      if (j === -1) return out;
      let backslashes = 0;
      for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
      if ((backslashes & 1) === 0) break;
      j = text.indexOf('"', j + 1);
    }
    out.push(i + 1, j);
    i = text.indexOf('"', j + 1);
  }
  return out;
}

/** Locates the strings of `value`, which `JSON.parse(text.slice(start, end))` produced. */
export function locateStrings(text: string, start: number, end: number, value: unknown): StringLocator {
  const literals = scanLiterals(text, start, end);
  const locator = new ScanLocator(literals);
  let next = 0; // index of the next literal
  let ok = true;

  const walk = (v: unknown): void => {
    if (!ok || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      const slots: number[] = new Array<number>(v.length);
      locator.children.set(v, { keys: undefined, slots });
      for (let idx = 0; idx < v.length; idx++) {
        const item: unknown = v[idx];
        if (typeof item === 'string') slots[idx] = next++;
        else {
          slots[idx] = -1;
          walk(item);
        }
      }
      return;
    }
    const keys = Object.keys(v);
    const slots: number[] = new Array<number>(keys.length);
    locator.children.set(v, { keys, slots });
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      if (keys.length > 1 && INDEX_KEY.test(key)) {
        ok = false;
        return;
      }
      next++; // the key literal
      const item: unknown = (v as Record<string, unknown>)[key];
      if (typeof item === 'string') slots[k] = next++;
      else {
        slots[k] = -1;
        walk(item);
      }
    }
  };
  walk(value);
  if (ok && next * 2 === literals.length) return locator;
  return locateWithTree(text, start, end, value);
}

type ChildRanges = Map<string | number, SourceRange>;

class MapLocator implements StringLocator {
  readonly byContainer = new Map<object, ChildRanges>();
  rangeOf(container: object, key: string | number): SourceRange | undefined {
    return this.byContainer.get(container)?.get(key);
  }
}

/** Exact fallback: pair the parsed value with `jsonc-parser`'s tree (the last duplicate key wins, as in JSON.parse). */
function locateWithTree(text: string, start: number, end: number, value: unknown): StringLocator {
  const locator = new MapLocator();
  const root = parseTree(text.slice(start, end));
  const walk = (v: unknown, node: JsonNode | undefined): void => {
    if (v === null || typeof v !== 'object' || node === undefined) return;
    const children: ChildRanges = new Map();
    locator.byContainer.set(v, children);
    const put = (key: string | number, item: unknown, n: JsonNode | undefined): void => {
      if (n === undefined) return;
      if (typeof item === 'string' && n.type === 'string') {
        children.set(key, { start: start + n.offset + 1, end: start + n.offset + n.length - 1 });
      } else walk(item, n);
    };
    if (Array.isArray(v)) {
      v.forEach((item: unknown, idx) => put(idx, item, node.children?.[idx]));
      return;
    }
    const props = new Map<string, JsonNode>();
    for (const p of node.children ?? []) {
      const k = p.children?.[0]?.value;
      const val = p.children?.[1];
      if (typeof k === 'string' && val !== undefined) props.set(k, val);
    }
    for (const [key, item] of Object.entries(v)) put(key, item, props.get(key));
  };
  walk(value, root);
  return locator;
}

/**
 * Maps a span of the *decoded* string back to the raw literal text. `literal` is the literal's content span
 * (quotes excluded); `from`/`to` are offsets into the decoded string. Returns the raw span covering exactly
 * those decoded characters, escapes included.
 */
export function mapDecodedSpan(text: string, literal: SourceRange, from: number, to: number): SourceRange {
  // Fast path: no escapes, decoded and raw offsets coincide.
  if (!text.slice(literal.start, literal.end).includes('\\')) {
    return { start: literal.start + from, end: literal.start + to };
  }
  let raw = literal.start;
  let decoded = 0;
  let rawFrom = from === 0 ? raw : -1;
  while (raw < literal.end && decoded < to) {
    raw += text.charCodeAt(raw) === 92 ? (text.charCodeAt(raw + 1) === 117 /* u */ ? 6 : 2) : 1;
    decoded++;
    if (decoded === from) rawFrom = raw;
  }
  return { start: rawFrom === -1 ? raw : rawFrom, end: raw };
}

/**
 * {@link mapDecodedSpan} for many spans of one literal in a single walk: `spans` must be sorted and non-overlapping
 * (as segmentation yields them). `decodedLength` is the decoded string's length; when it equals the literal's raw
 * length the literal has no escapes and offsets coincide. Segmenting a long response stays linear in its length.
 */
export function mapDecodedSpans(text: string, literal: SourceRange, decodedLength: number, spans: readonly SourceRange[]): SourceRange[] {
  if (literal.end - literal.start === decodedLength) return spans.map((s) => ({ start: literal.start + s.start, end: literal.start + s.end }));
  let raw = literal.start;
  let decoded = 0;
  const rawAt = (target: number): number => {
    while (decoded < target && raw < literal.end) {
      raw += text.charCodeAt(raw) === 92 ? (text.charCodeAt(raw + 1) === 117 /* u */ ? 6 : 2) : 1;
      decoded++;
    }
    return raw;
  };
  return spans.map((s) => {
    const start = rawAt(s.start);
    return { start, end: rawAt(s.end) };
  });
}

/** Decodes a raw literal span back to its string (for tests and checks). */
export function decodeLiteral(text: string, range: SourceRange): string {
  return JSON.parse(`"${text.slice(range.start, range.end)}"`) as string;
}
