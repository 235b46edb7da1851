import type { DatasetRecord } from '../dataset/types.js';

/** Where a located step sits: which record, which response (0 for traces), which step. */
export interface StepSlot {
  readonly start: number;
  readonly end: number;
  readonly recordIndex: number;
  readonly responseIndex: number;
  readonly stepIndex: number;
}

/** Every located step of the records, sorted by start offset (steps never overlap within a record). */
export function buildStepSlots(records: readonly DatasetRecord[]): StepSlot[] {
  const out: StepSlot[] = [];
  records.forEach((r, recordIndex) => {
    const groups = r.kind === 'trace' ? [r.steps] : r.responses.map((x) => x.steps);
    groups.forEach((steps, responseIndex) => {
      for (const s of steps) if (s.range) out.push({ start: s.range.start, end: s.range.end, recordIndex, responseIndex, stepIndex: s.index });
    });
  });
  return out.sort((a, b) => a.start - b.start);
}

/** The step containing `offset` (start ≤ offset ≤ end), by binary search; undefined when none does. */
export function stepAt(slots: readonly StepSlot[], offset: number): StepSlot | undefined {
  let lo = 0;
  let hi = slots.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((slots[mid]?.start ?? 0) <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const s = found >= 0 ? slots[found] : undefined;
  return s !== undefined && offset <= s.end ? s : undefined;
}

/** The record whose span contains `offset`, or the nearest record starting before it; undefined when none. */
export function recordAt(records: readonly DatasetRecord[], offset: number): number | undefined {
  let best: number | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === undefined) continue;
    if (r.recordRange.start <= offset && offset <= r.recordRange.end) return i;
    if (r.recordRange.start <= offset) best = i;
  }
  return best;
}
