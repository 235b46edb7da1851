import type { FormatSpec } from './formatSpec.js';
import { PREFERENCE_FORMATS } from './registryPreferences.js';
import { RESPONSE_FORMATS } from './registryResponses.js';
import { TRACE_FORMATS } from './registryTraces.js';

/**
 * Every known format, most specific first: on a detection tie the earlier entry wins.
 * Add a format by writing its `FormatSpec` in its own file and listing it in its group's registry.
 */
export const FORMATS: readonly FormatSpec[] = [...TRACE_FORMATS, ...PREFERENCE_FORMATS, ...RESPONSE_FORMATS];

/** The format with this id, if any. */
export function formatById(id: string): FormatSpec | undefined {
  return FORMATS.find((f) => f.id === id);
}
