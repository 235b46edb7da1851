/**
 * A data file that cannot be opened at all (not the format its name says, truncated, a corrupt footer). The message
 * is already fit to show the user as is: it names the file and says what is wrong, so callers print it without
 * wrapping or a stack. Problems inside a readable file are never thrown; they are `Problem`s of the source or its rows.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
