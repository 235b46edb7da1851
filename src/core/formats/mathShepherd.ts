import type { JsonEntry } from '../json/readJsonDocument.js';
import type { SourceRange, Step, StepLabel } from '../dataset/types.js';
import { describe, hasKeys, isObject, locatedString, recordId, subRange, wrongShape, type LocatedText, buildTrace } from './fields.js';
import type { FormatContext, FormatSpec, RecordOutcome, RecordProblem } from './formatSpec.js';

/** Math-Shepherd's step tag: Cyrillic "ки" (U+043A U+0438), two UTF-16 units. */
export const MATH_SHEPHERD_TAG = '\u043a\u0438';

/** Offsets of every occurrence of `needle` in `text`. */
function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) out.push(i);
  return out;
}

/** `[start, end)` shrunk past surrounding whitespace; `undefined` when nothing is left. */
function trimmed(text: string, start: number, end: number): { start: number; end: number } | undefined {
  while (start < end && /\s/.test(text[start] ?? '')) start++;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return end > start ? { start, end } : undefined;
}

/**
 * The `+`/`-` that replaced each tag of `input` in `label`. Tag k sits at input offset p(k) and, since every earlier
 * tag shrank by one character, at label offset p(k) - k. When the lengths do not line up (whitespace drift), the
 * marks are read by splitting `label` on ` +`/` -` at a line end instead. `undefined` when neither gives one mark
 * per tag.
 */
export function mathShepherdMarks(input: string, label: string, tags: readonly number[]): string[] | undefined {
  if (label.length === input.length - tags.length * (MATH_SHEPHERD_TAG.length - 1)) {
    const marks = tags.map((p, k) => label[p - k * (MATH_SHEPHERD_TAG.length - 1)] ?? '');
    if (marks.every((c) => c === '+' || c === '-')) return marks;
  }
  const marks = [...label.matchAll(/ ([+-])(?=\n|$)/g)].map((m) => m[1] ?? '');
  return marks.length === tags.length ? marks : undefined;
}

/**
 * Math-Shepherd (peiyi9979/Math-Shepherd): `{input, label, task}` where `input` is `"<question> Step 1: <s1> ки\nStep
 * 2: ... The answer is: <x> ки"` and `label` is the same text with each `ки` replaced by `+` (good) or `-` (bad).
 * The question ends at the first `Step 1:` (any case), else at the first `?`. A step runs from its start to its
 * tag, tag and surrounding whitespace excluded; tags inside the question (a known annotation slip) are ignored.
 */
export const mathShepherd: FormatSpec = {
  id: 'math-shepherd',
  label: 'Math-Shepherd',
  detect: (v) =>
    isObject(v) && typeof v['input'] === 'string' && typeof v['label'] === 'string'
      ? v['input'].includes(MATH_SHEPHERD_TAG)
        ? 3
        : hasKeys(v, 'task')
          ? 2
          : 0
      : 0,
  parse(entry: JsonEntry, ctx: FormatContext): RecordOutcome {
    const v = entry.value;
    const input = isObject(v) ? locatedString(entry, v, 'input') : undefined;
    if (!isObject(v) || !input) {
      return wrongShape('Math-Shepherd', 'an object with "input" (string with ки step tags), "label" (string) and "task"');
    }
    const problems: RecordProblem[] = [];
    const text = input.text;
    const at = (from: number, to: number): { range?: SourceRange } => {
      const range = subRange(ctx.text, input, from, to);
      return range ? { range } : {};
    };

    // Where the question ends and the first step begins.
    let stepsStart = text.search(/step 1:/i);
    let questionEnd = stepsStart;
    if (stepsStart === -1) {
      const mark = text.indexOf('?');
      questionEnd = stepsStart = mark === -1 ? 0 : mark + 1;
      if (mark === -1) problems.push({ message: 'No "Step 1:" and no "?" in "input": the question cannot be told apart from the first step.', severity: 'warning' });
    }

    const allTags = occurrences(text, MATH_SHEPHERD_TAG);
    const label = v['label'];
    let marks: readonly string[] | undefined;
    if (typeof label !== 'string') {
      problems.push({ message: `"label" is ${describe(label)}, expected the input text with each ки replaced by + or -; steps are unlabelled.`, severity: 'warning' });
    } else {
      marks = mathShepherdMarks(text, label, allTags);
      if (!marks) {
        problems.push({
          message: `"label" does not have one + or - for each of the ${allTags.length} ки tags of "input"; steps are unlabelled.`,
          severity: 'warning',
        });
      }
    }
    const labelOf = (k: number): StepLabel => (marks?.[k] === '+' ? 'good' : marks?.[k] === '-' ? 'bad' : 'unknown');

    const steps: Step[] = [];
    const push = (from: number, to: number, stepLabel: StepLabel): void => {
      const span = trimmed(text, from, to);
      if (span) steps.push({ index: steps.length, text: text.slice(span.start, span.end), ...at(span.start, span.end), label: stepLabel, part: 'reasoning' });
    };
    let from = stepsStart;
    allTags.forEach((tag, k) => {
      if (tag < stepsStart) {
        problems.push({ message: 'A ки step tag inside the question is ignored (a known slip in Math-Shepherd annotations).', severity: 'warning', ...at(tag, tag + MATH_SHEPHERD_TAG.length) });
        return;
      }
      push(from, tag, labelOf(k));
      from = tag + MATH_SHEPHERD_TAG.length;
    });
    push(from, text.length, 'unknown'); // text after the last tag, if any, has no label
    if (allTags.length === 0) problems.push({ message: 'No ки step tags in "input": the solution is shown as one unlabelled step.', severity: 'warning' });

    const question = trimmed(text, 0, questionEnd);
    const prompt: LocatedText = question ? { text: text.slice(question.start, question.end), ...at(question.start, question.end) } : { text: '' };
    const metadata: Record<string, unknown> = {};
    if (v['task'] !== undefined) metadata['task'] = v['task'];
    return {
      records: [buildTrace(entry, recordId(entry, v), prompt, steps, {}, metadata)],
      problems,
    };
  },
};
