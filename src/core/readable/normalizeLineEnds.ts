import type { DatasetRecord, SourceRange, Step } from '../dataset/types.js';
import type { ReadableLayout } from './readableLayout.js';

/**
 * Editors keep one kind of line ending per document: VS Code turns every `\r\n` and lone `\r` of a virtual
 * document's text into `\n`. Step texts from the data may hold either, so a layout is normalised the same way before
 * it is shown, with every range moved to match; the record's texts stay as they are (they key the sidecar). A text
 * ending in a lone `\r` makes one line break with the layout's `\n` after it, so its range ends before that break.
 */
export function normalizeLineEnds(layout: ReadableLayout): ReadableLayout {
  if (!layout.text.includes('\r')) return layout;
  // Offsets of each `\r` dropped from a `\r\n`; a lone `\r` becomes `\n` in place.
  const dropped: number[] = [];
  for (let i = layout.text.indexOf('\r'); i !== -1; i = layout.text.indexOf('\r', i + 1)) if (layout.text[i + 1] === '\n') dropped.push(i);
  const moved = (offset: number): number => offset - countBelow(dropped, offset);
  return { text: layout.text.replace(/\r\n?/g, '\n'), record: mapRanges(layout.record, moved) };
}

/** How many sorted values are below `x` (binary search). */
function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mapRange(r: SourceRange, f: (offset: number) => number): SourceRange {
  return { start: f(r.start), end: f(r.end) };
}

function mapSteps(steps: readonly Step[], f: (offset: number) => number): Step[] {
  return steps.map((s) => (s.range === undefined ? s : { ...s, range: mapRange(s.range, f) }));
}

/** The record with every range passed through `f`. */
function mapRanges(record: DatasetRecord, f: (offset: number) => number): DatasetRecord {
  const recordRange = mapRange(record.recordRange, f);
  const promptRange = record.promptRange === undefined ? {} : { promptRange: mapRange(record.promptRange, f) };
  if (record.kind === 'trace') return { ...record, recordRange, ...promptRange, steps: mapSteps(record.steps, f) };
  const responses = record.responses.map((r) => ({ ...r, ...(r.range === undefined ? {} : { range: mapRange(r.range, f) }), steps: mapSteps(r.steps, f) }));
  return { ...record, recordRange, ...promptRange, responses };
}
