// Synthetic Dataset Explorer rows for the preview and the browser test: any number of ProcessBench-like traces and
// preference pairs, each a pure function of its position (a million rows cost no memory), some scored, and a few
// hostile rows at the top whose text must stay text.
import type { RowScore } from '../src/core/dataset/explorerView.js';
import type { RowSummary } from '../src/core/dataset/rowSummary.js';
import type { ExplorerQuery, ExplorerStatus, ToExplorer } from '../src/protocol/explorerMessages.js';

/** Markup a renderer must show literally. */
export const HOSTILE_IMG = '<img src=x onerror=alert(1)>';
export const HOSTILE_SCRIPT = '</script><script>alert(2)</script>';
/** A right-to-left override: the webview shows it as the visible marker `U+202E`. */
export const BIDI_OVERRIDE = '\u202E';

const TRACE_SUBSETS = ['gsm8k', 'math', 'olympiadbench', 'omnimath'] as const;
const PAIR_SUBSETS = ['chat', 'chat-hard', 'safety', 'reasoning'] as const;

/** A stable 32-bit hash of a position (Knuth's multiplicative). */
const hash = (p: number): number => Math.imul(p + 1, 2654435761) >>> 0;

function tracePrompt(h: number): string {
  const a = 10 + (h % 90);
  const b = 2 + ((h >>> 8) % 40);
  const prompts = [
    `Natalia sold clips to ${a} of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?`,
    `Weng earns $${b} an hour for babysitting. Yesterday, she just did ${a} minutes of babysitting. How much did she earn?`,
    `Find the number of ordered pairs (x, y) of integers with 1 ≤ x, y ≤ ${a} such that x² + y² is divisible by ${b % 7 + 2}.`,
    `A rectangle has a perimeter of ${a * 2} cm and one side ${b} cm long. What is its area in square centimetres?`,
    `Let f(x) = x³ − ${b}x + ${a}. For how many real numbers c does the equation f(c) = 0 hold?`,
  ];
  return prompts[(h >>> 3) % prompts.length] ?? '';
}

function pairPrompt(p: number, h: number): string {
  const prompts = [
    `Write a short poem about the sea at dawn, in no more than ${4 + (h % 8)} lines.`,
    `Explain to a ${5 + (h % 9)}-year-old why the sky is blue.`,
    `My landlord kept my deposit of $${100 * (2 + (h % 20))}. Draft a polite but firm letter asking for it back.`,
  ];
  return prompts[p % prompts.length] ?? '';
}

/** The hostile rows at positions 1 to 4. */
function hostileRow(p: number): RowSummary | undefined {
  const trace = (id: string, prompt: string, label: string, extra: Partial<RowSummary> = {}): RowSummary => ({ position: p, id, kind: 'trace', prompt, steps: 4, responses: 1, label, records: 1, subset: 'gsm8k', ...extra });
  switch (p) {
    case 1:
      return trace(`hostile-${HOSTILE_IMG}`, `${HOSTILE_IMG} What is 7 × 8? Show each step.`, 'error at step 2', { labelledFirstError: 1 });
    case 2:
      return trace('hostile-script', `${HOSTILE_SCRIPT} Compute 12 + 30 and explain.`, 'correct');
    case 3:
      return trace(`hostile-${BIDI_OVERRIDE}gnp.exe`, `${BIDI_OVERRIDE}evil reversed\u202C: a bidi override that must stay inert`, 'incorrect');
    case 4:
      return { position: p, id: '', kind: 'none', prompt: '', steps: 0, responses: 0, label: '', records: 0, problem: 'Unexpected token } in JSON at position 41' };
    default:
      return undefined;
  }
}

/** The summary of row `p`: every fifth row a preference pair, the rest traces with ProcessBench-style labels. */
export function syntheticSummary(p: number): RowSummary {
  const hostile = hostileRow(p);
  if (hostile) return hostile;
  const h = hash(p);
  if (p % 5 === 0) {
    const responses = 2 + ((h >>> 3) % 2) * 2;
    const subset = PAIR_SUBSETS[(h >>> 5) % PAIR_SUBSETS.length] ?? 'chat';
    return { position: p, id: `${subset}-${p}`, kind: 'preference', prompt: pairPrompt(p, h), steps: responses * (2 + (h % 6)), responses, label: `chosen 1 of ${responses}`, subset, records: 1 };
  }
  const steps = 3 + (h % 12);
  const subset = TRACE_SUBSETS[(h >>> 6) % TRACE_SUBSETS.length] ?? 'gsm8k';
  const base = { position: p, id: `${subset}-${p}`, kind: 'trace' as const, prompt: tracePrompt(h), steps, responses: 1, subset, records: 1 };
  const firstBad = (h >>> 12) % steps;
  switch ((h >>> 9) % 6) {
    case 0:
    case 1:
      return { ...base, label: `error at step ${firstBad + 1}`, labelledFirstError: firstBad };
    case 2:
      return { ...base, label: 'no error', labelledFirstError: null };
    case 3:
      return { ...base, label: 'correct' };
    case 4:
      return { ...base, label: 'incorrect' };
    default:
      return { ...base, label: '' };
  }
}

/** The model's scores of row `p`: about 60% of rows scored; `undefined` for the rest. */
export function syntheticScore(p: number): RowScore | undefined {
  const h = hash(p * 31 + 7);
  if (h % 10 >= 6 || p === 4) return undefined;
  const s = syntheticSummary(p);
  if (s.kind === 'preference') {
    const margin = ((h >>> 4) % 4001) / 1000 - 2;
    return { score: margin, agrees: margin > 0 };
  }
  const score = ((h >>> 4) % 1000) / 1000;
  const firstError = score < 0.5 ? (h >>> 14) % Math.max(1, s.steps) : null;
  if (s.labelledFirstError !== undefined) return { score, firstError, agrees: s.labelledFirstError === firstError };
  if (s.label === 'correct' || s.label === 'incorrect') return { score, firstError, agrees: (s.label === 'correct') === (firstError === null) };
  return { score, firstError };
}

/** A scoring run 30% through the `unscored` rows at 212 rows/s. */
export function scoringRun(unscored: number): Extract<ToExplorer, { type: 'scoring' }> {
  const done = Math.floor(unscored * 0.3);
  return { type: 'scoring', state: 'running', done, total: unscored, rate: 212, etaSeconds: (unscored - done) / 212 };
}

/** Options of one preview page. */
export interface ExplorerPreviewOptions {
  readonly rows: number;
  /** Indexing still under way at this fraction (rows shown are that fraction of `rows`). */
  readonly indexing?: number;
  /** Show a scoring run in progress after the first view. */
  readonly scoringRun?: boolean;
  /** Answer `ready` with this error instead of a view. */
  readonly error?: string;
  /** The UI state VS Code hands back to a page it restores (`getState`; webview/explorer/explorerHost.ts). */
  readonly state?: { readonly query?: ExplorerQuery };
}

/** The status the fake host sends for `options`. */
export function syntheticStatus(options: ExplorerPreviewOptions, scored: number): ExplorerStatus {
  const indexing = options.indexing;
  return {
    fileName: 'processbench-million.jsonl',
    container: 'jsonl',
    format: 'ProcessBench',
    rows: indexing === undefined ? options.rows : Math.floor(options.rows * indexing),
    complete: indexing === undefined,
    progress: indexing ?? 1,
    problemCount: 2,
    problems: ['line 5: Unexpected token } in JSON at position 41', `line 812,344: a record without "steps" was skipped ${HOSTILE_IMG}`],
    labels: ['error at step 1', 'error at step 2', 'error at step 3', 'no error', 'correct', 'incorrect', 'chosen 1 of 2', 'chosen 1 of 4'],
    subsets: [...TRACE_SUBSETS, ...PAIR_SUBSETS],
    model: 'Qwen2.5-Math-PRM-7B (onnx)',
    scored,
    threshold: 0.5,
  };
}
