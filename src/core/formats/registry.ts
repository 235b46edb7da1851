import type { FormatSpec } from './formatSpec.js';
import { processBench } from './processBench.js';

/**
 * Every known format, most specific first: on a detection tie the earlier entry wins.
 * Add a format by writing its `FormatSpec` in its own file and listing it here.
 */
export const FORMATS: readonly FormatSpec[] = [processBench];

/** The format with this id, if any. */
export function formatById(id: string): FormatSpec | undefined {
  return FORMATS.find((f) => f.id === id);
}
