/**
 * Rubric files: a user-written list of binary principles for the `rubric` judge (RLBFF style), or a
 * Prometheus score rubric for the `prometheus` judge. Read from JSON (with comments and trailing commas) or
 * YAML; problems carry 1-based line and column. Never throws for bad input.
 *
 * Accepted shapes (unknown keys are ignored):
 * - `principles: [{principle | criterion | title, description?, weight?}]`, or a top-level list of those;
 *   a plain string is a principle of weight 1. `weight` defaults to 1; a negative weight marks a pitfall.
 * - RaR: `rubric: [{title, description, weight}]`.
 * - HealthBench-like: `rubrics: [{criterion, points}]` (`points` is the weight).
 * - Prometheus: `{criteria, score1_description, …, score5_description}`.
 */
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { isNode, parseDocument } from 'yaml';
import type { Problem } from '../dataset/types.js';
import { LineIndex } from '../text/positions.js';

/** One binary principle. */
export interface Principle {
  /** The principle as the judge reads it (a `principle`, `criterion` or `title`). */
  readonly text: string;
  /** More detail shown after it (RaR's `description`). */
  readonly description?: string;
  /** Its weight: positive for something the response should do, negative for a pitfall. Default 1. */
  readonly weight: number;
}

/** A list of binary principles for the `rubric` judge. */
export interface PrincipleRubric {
  readonly kind: 'principles';
  readonly principles: readonly Principle[];
}

/** A Prometheus score rubric: a criteria question and what each score 1–5 means. */
export interface ScoreRubric {
  readonly kind: 'score';
  readonly criteria: string;
  readonly descriptions: readonly [string, string, string, string, string];
}

/** Either kind of rubric. */
export type Rubric = PrincipleRubric | ScoreRubric;

/** What {@link parseRubric} returns: the rubric, or the problems (at least one) that keep it from being read. */
export type RubricParse = { readonly ok: true; readonly rubric: Rubric } | { readonly ok: false; readonly problems: readonly Problem[] };

type Path = readonly (string | number)[];

/** A parsed tree that can say where a path lies in the text. */
interface Loaded {
  readonly value: unknown;
  readonly syntax: readonly { readonly offset: number; readonly length: number; readonly message: string }[];
  /** Where the value at `path` lies, or its nearest existing ancestor when it is missing. */
  locate(path: Path): { readonly offset: number; readonly length: number };
}

function nearest(path: Path, find: (p: Path) => { offset: number; length: number } | undefined): { offset: number; length: number } {
  for (let n = path.length; n >= 0; n--) {
    const found = find(path.slice(0, n));
    if (found !== undefined) return found;
  }
  return { offset: 0, length: 0 };
}

function loadJson(text: string): Loaded {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const syntax = errors.map((e) => ({ offset: e.offset, length: e.length, message: `Invalid JSON: ${printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}.` }));
  return {
    value: tree === undefined ? undefined : (getNodeValue(tree) as unknown),
    syntax,
    locate: (path) =>
      nearest(path, (p) => {
        const node = tree === undefined ? undefined : findNodeAtLocation(tree, [...p]);
        return node === undefined ? undefined : { offset: node.offset, length: node.length };
      }),
  };
}

function loadYaml(text: string): Loaded {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors.map((e) => ({ offset: e.pos[0], length: Math.max(0, e.pos[1] - e.pos[0]), message: `Invalid YAML: ${e.message}` }));
  let value: unknown;
  if (doc.errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      syntax.push({ offset: 0, length: 0, message: `Invalid YAML: ${(err as Error).message}` });
    }
  }
  return {
    value,
    syntax,
    locate: (path) =>
      nearest(path, (p) => {
        const node: unknown = p.length === 0 ? doc.contents : doc.getIn(p, true);
        if (!isNode(node) || !node.range) return undefined;
        return { offset: node.range[0], length: Math.max(0, node.range[1] - node.range[0]) };
      }),
  };
}

function isJson(text: string, fileName: string): boolean {
  if (/\.jsonc?$/i.test(fileName)) return true;
  if (/\.ya?ml$/i.test(fileName)) return false;
  return /^\s*[[{]/.test(text.replace(/^\uFEFF/, ''));
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

class Checker {
  readonly problems: Problem[] = [];
  private readonly lines: LineIndex;

  constructor(
    text: string,
    private readonly loaded: Loaded,
  ) {
    this.lines = new LineIndex(text);
  }

  at(offset: number, length: number, message: string): void {
    const pos = this.lines.positionAt(offset);
    this.problems.push({ line: pos.line + 1, column: pos.character + 1, offset, length, message, severity: 'error' });
  }

  report(path: Path, message: string): void {
    const where = this.loaded.locate(path);
    this.at(where.offset, where.length, message);
  }
}

const TEXT_KEYS = ['principle', 'criterion', 'title'] as const;
const WEIGHT_KEYS = ['weight', 'points'] as const;

function readPrinciple(item: unknown, path: Path, check: Checker): Principle | undefined {
  if (nonEmpty(item)) return { text: item.trim(), weight: 1 };
  if (!isObj(item)) {
    check.report(path, 'Expected a principle: a text, or an object with `principle`, `criterion` or `title`.');
    return undefined;
  }
  const key = TEXT_KEYS.find((k) => item[k] !== undefined);
  const text = key === undefined ? undefined : item[key];
  if (key === undefined || !nonEmpty(text)) {
    check.report(key === undefined ? path : [...path, key], 'Expected the principle\'s text in `principle`, `criterion` or `title` (a non-empty string).');
    return undefined;
  }
  const wKey = WEIGHT_KEYS.find((k) => item[k] !== undefined);
  const weight = wKey === undefined ? 1 : item[wKey];
  if (typeof weight !== 'number' || !Number.isFinite(weight)) {
    check.report([...path, wKey ?? 'weight'], `Expected \`${wKey ?? 'weight'}\` to be a number (negative for a pitfall).`);
    return undefined;
  }
  const description = item['description'];
  if (description !== undefined && typeof description !== 'string') {
    check.report([...path, 'description'], 'Expected `description` to be a string.');
    return undefined;
  }
  return { text: text.trim(), weight, ...(nonEmpty(description) ? { description: description.trim() } : {}) };
}

function readPrinciples(list: unknown, path: Path, check: Checker): PrincipleRubric | null {
  if (!Array.isArray(list)) {
    check.report(path, 'Expected a list of principles.');
    return null;
  }
  if (list.length === 0) {
    check.report(path, 'The list of principles is empty; a rubric needs at least one.');
    return null;
  }
  const principles: Principle[] = [];
  list.forEach((item: unknown, i) => {
    const p = readPrinciple(item, [...path, i], check);
    if (p !== undefined) principles.push(p);
  });
  return principles.length === list.length ? { kind: 'principles', principles } : null;
}

function readScoreRubric(obj: Obj, check: Checker): ScoreRubric | null {
  const criteria = obj['criteria'];
  if (!nonEmpty(criteria)) check.report(['criteria'], 'Expected `criteria` to be a non-empty string.');
  const descriptions: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const d = obj[`score${i}_description`];
    if (nonEmpty(d)) descriptions.push(d.trim());
    else check.report(d === undefined ? [] : [`score${i}_description`], `Expected \`score${i}_description\` (what a score of ${i} means) as a non-empty string.`);
  }
  const [d1, d2, d3, d4, d5] = descriptions;
  if (!nonEmpty(criteria) || d1 === undefined || d2 === undefined || d3 === undefined || d4 === undefined || d5 === undefined) return null;
  return { kind: 'score', criteria: criteria.trim(), descriptions: [d1, d2, d3, d4, d5] };
}

const LIST_KEYS = ['principles', 'rubric', 'rubrics'] as const;

/**
 * Reads a rubric file. `fileName` picks the syntax: `.json`/`.jsonc` are JSON, `.yaml`/`.yml` YAML; any other
 * name is JSON when the text starts with `{` or `[`, else YAML. Returns the rubric, or problems saying where
 * (1-based line and column) and what was expected.
 */
export function parseRubric(text: string, fileName: string): RubricParse {
  const loaded = isJson(text, fileName) ? loadJson(text) : loadYaml(text);
  const check = new Checker(text, loaded);
  for (const s of loaded.syntax) check.at(s.offset, s.length, s.message);
  if (check.problems.length > 0) return { ok: false, problems: check.problems };
  const value = loaded.value;
  let rubric: Rubric | null = null;
  if (Array.isArray(value)) rubric = readPrinciples(value, [], check);
  else if (isObj(value)) {
    const key = LIST_KEYS.find((k) => value[k] !== undefined);
    if (key !== undefined) rubric = readPrinciples(value[key], [key], check);
    else if (value['criteria'] !== undefined) rubric = readScoreRubric(value, check);
    else check.report([], 'Expected `principles` (a list), `rubric` or `rubrics`, or a score rubric with `criteria` and `score1_description` … `score5_description`.');
  } else check.report([], 'Expected a rubric: an object with `principles` (a list), or a list of principles.');
  if (rubric === null || check.problems.length > 0) {
    if (check.problems.length === 0) check.report([], 'Expected a rubric.'); // unreachable: every null path reports
    return { ok: false, problems: check.problems };
  }
  return { ok: true, rubric };
}
