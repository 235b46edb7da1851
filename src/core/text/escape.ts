/**
 * Escaping for untrusted trace text shown in markdown (hovers) and for a single display line.
 */

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Replaces bidirectional control characters with a visible `U+XXXX` so they cannot reorder what is shown. */
export function neutraliseBidi(text: string): string {
  return text.replace(BIDI, (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/**
 * Escapes text so markdown renders it literally: every markdown punctuation character gets a backslash, `<`/`>`
 * become entities (no HTML), line breaks stay line breaks, and bidi controls are made visible.
 */
export function escapeMarkdown(text: string): string {
  return neutraliseBidi(text)
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, '  \n');
}

/** Shortens text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
