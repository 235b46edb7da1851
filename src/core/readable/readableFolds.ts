import type { DatasetRecord, SourceRange } from '../dataset/types.js';
import type { LineIndex } from '../text/positions.js';

/** A foldable block of lines, 0-based and inclusive. */
export interface LineFold {
  readonly startLine: number;
  readonly endLine: number;
}

/**
 * The folds of a readable view (see `layoutReadable`): the prompt, each response and each step, from its heading (the
 * line above its text) to its last line, without duplicates (a one-step response and its step are one block). An
 * editor would otherwise fold by indentation, which means nothing in this layout.
 */
export function readableFolds(record: DatasetRecord, lines: LineIndex): LineFold[] {
  const folds = new Map<string, LineFold>();
  const add = (range: SourceRange | undefined): void => {
    if (range === undefined) return;
    const startLine = lines.positionAt(range.start).line - 1;
    const endLine = lines.positionAt(range.end).line;
    if (startLine >= 0 && endLine > startLine) folds.set(`${startLine}:${endLine}`, { startLine, endLine });
  };
  add(record.promptRange);
  if (record.kind === 'trace') for (const s of record.steps) add(s.range);
  else
    for (const r of record.responses) {
      add(r.range);
      for (const s of r.steps) add(s.range);
    }
  return [...folds.values()];
}
