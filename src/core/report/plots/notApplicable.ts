/**
 * The placeholder a dashboard plot becomes when nothing in the file feeds it. The dashboard shows the reason
 * instead of the plot; a metric with no applicable records is never drawn as zero.
 */

/** A plot with no applicable records, and why. */
export interface NotApplicable {
  readonly kind: 'notApplicable';
  /** One sentence for the user, e.g. "No trace has a ProcessBench first-error label." */
  readonly reason: string;
}

/** Builds a {@link NotApplicable}. */
export function notApplicable(reason: string): NotApplicable {
  return { kind: 'notApplicable', reason };
}

/** `x` as a JSON-safe value: `undefined` (absent, not measured) becomes `null`, so it survives `JSON.stringify`. */
export function orNull(x: number | undefined): number | null {
  return x === undefined ? null : x;
}
