/**
 * The warnings every judge attaches to a result, worded once so the editor, the CLI and the sidecar read
 * the same sentences.
 */

/** The judge's output hit the token limit (or the context) before it finished. */
export function truncatedWarning(judge: string): string {
  return `The ${judge} judge's output was cut at the token limit before it finished (raise the judge's max tokens); verdicts after the cut are missing.`;
}

/** Verdicts were found that cannot be placed on any step of the request. */
export function unalignedWarning(count: number): string {
  return `${count} verdict${count === 1 ? '' : 's'} could not be placed on a step (a heading out of range, or no heading before it); see the judge report's unaligned list.`;
}

/** The judge ignored the verdict format its prompt asks for. */
export function noVerdictWarning(judge: string, expected: string): string {
  return `The ${judge} judge wrote no verdict in the expected format (${expected}); nothing was scored from its output.`;
}

/** Some games of a pair judge have no verdict in the expected format. */
export function noVerdictGamesWarning(judge: string, expected: string, games: number, total: number): string {
  return `The ${judge} judge wrote no verdict in the expected format (${expected}) in ${games} of ${total} games; those games are not counted.`;
}
