import { readFile } from 'node:fs/promises';
import type { Rubric } from '../core/judges/rubric.js';
import { parseRubric } from '../core/judges/rubric.js';

/** Reads and checks a rubric file; a bad one is an error naming the file, line, column and what was expected. */
export async function readRubricFile(path: string): Promise<Rubric> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the rubric file "${path}" (rewardLens.rubricFile): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const parsed = parseRubric(text, path);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${path}:${p.line}:${p.column}: ${p.message}`).join('; '));
  return parsed.rubric;
}
