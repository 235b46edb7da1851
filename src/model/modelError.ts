/**
 * A model folder or runtime problem the user can fix: which file, which field, and how. Callers (CLI,
 * extension) catch it, show the message and fall back to the built-in verifier.
 */
export class ModelError extends Error {
  constructor(
    message: string,
    /** The file (or folder) at fault. */
    readonly file: string,
    /** The field, parameter or graph value at fault, when there is one. */
    readonly field?: string,
    /** What to do about it. */
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }

  /** One line for logs and notifications: message, file, field and fix. */
  describe(): string {
    const where = this.field === undefined ? this.file : `${this.file} (${this.field})`;
    return `${this.message} [${where}]${this.fix === undefined ? '' : ` Fix: ${this.fix}`}`;
  }
}

/** An `AbortError` as DOM's `AbortSignal` convention expects. */
export function abortError(): Error {
  const e = new Error('Scoring was cancelled');
  e.name = 'AbortError';
  return e;
}
