// Number formatting shared by the views (pure; unit-tested in plain Node).

/** A score with three decimals (`0.812`, `-1.250`), or `not scored`. */
export function formatScore(score: number | undefined): string {
  return score === undefined || !Number.isFinite(score) ? 'not scored' : score.toFixed(3);
}

/** A signed margin (`+0.412`, `−0.130`, with a real minus sign), or `—` when there is none. */
export function formatMargin(margin: number | null | undefined): string {
  if (margin === null || margin === undefined || !Number.isFinite(margin)) return '—';
  const abs = Math.abs(margin).toFixed(3);
  return margin > 0 ? `+${abs}` : margin < 0 ? `\u2212${abs}` : abs;
}

/** `min` and `max` as `0.410–0.820`, or one number when they are equal to three decimals. */
export function formatRange(min: number, max: number): string {
  const a = min.toFixed(3);
  const b = max.toFixed(3);
  return a === b ? a : `${a}\u2013${b}`;
}
