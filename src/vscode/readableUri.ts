import * as vscode from 'vscode';

/** The scheme of readable views: read-only documents laying one record out for reading. */
export const READABLE_SCHEME = 'reward-lens';

/**
 * Which record of a data file a readable view shows: `record` indexes the records the text-editor parse found
 * (DocumentIndex), `row` a row of a file read through the Dataset Explorer's row index (huge files, Parquet).
 */
export type ReadableRef = { readonly record: number } | { readonly row: number };

/**
 * A what-if view of the record ("Edit and Rescore…"): its unsaved edit (`draft`, kept for the session) or a variant
 * kept in the sidecar under a name (`kept`). The view lays the edited record out; the data file is never written.
 */
export type ReadableVariant = { readonly draft: true } | { readonly kept: string };

/** What a readable URI names. */
export interface ReadableTarget {
  /** The data file the record comes from: its scores live in this file's sidecar. */
  readonly source: vscode.Uri;
  readonly ref: ReadableRef;
  /** Set for a what-if view of the record; absent for the record as it is. */
  readonly variant?: ReadableVariant;
}

/** Longest label kept in a tab title; the header shows the whole id. */
const MAX_LABEL = 60;

/** A record id fit for a file name: no folder separators or control characters, and not too long. */
function fileLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = label.replace(/[/\\]/g, '∕').replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  const short = clean.length > MAX_LABEL ? `${clean.slice(0, MAX_LABEL - 1)}…` : clean;
  return short === '' ? 'record' : short;
}

/**
 * The URI of a record's readable view. The tab reads `problem-17 · gsm8k.jsonl.trace` (the `.trace` name gives the
 * document its language, `reward-lens-trace`, for heading colours and word wrap); the folder is the data file's,
 * so breadcrumbs and same-named tabs say where it comes from. The query is what the view is of. A what-if view reads
 * `problem-17 ✎ edited · …` (unsaved) or `problem-17 ✎ NAME · …` (a kept variant).
 */
export function readableUri(source: vscode.Uri, ref: ReadableRef, label: string, variant?: ReadableVariant): vscode.Uri {
  const slash = source.path.lastIndexOf('/');
  const folder = slash > 0 ? source.path.slice(0, slash) : '';
  const fileName = source.path.slice(slash + 1);
  const edited = variant === undefined ? '' : ` ✎ ${'kept' in variant ? fileLabel(variant.kept) : 'edited'}`;
  return vscode.Uri.from({
    scheme: READABLE_SCHEME,
    path: `${folder}/${fileLabel(label)}${edited} · ${fileName}.trace`,
    query: JSON.stringify({ source: source.toString(), ref, ...(variant !== undefined ? { variant } : {}) }),
  });
}

/** Exactly one of `record` / `row`, a 0-based index. */
function isRef(value: unknown): value is ReadableRef {
  if (typeof value !== 'object' || value === null) return false;
  const entries = Object.entries(value);
  const [key, n] = entries[0] ?? [];
  return entries.length === 1 && (key === 'record' || key === 'row') && typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/** `{draft: true}` or `{kept: name}`; anything else is no variant. */
function readVariant(value: unknown): ReadableVariant | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { draft?: unknown; kept?: unknown };
  if (v.draft === true) return { draft: true };
  return typeof v.kept === 'string' && v.kept !== '' ? { kept: v.kept } : undefined;
}

/** What a readable URI names; undefined for any other URI (or a malformed query). */
export function parseReadableUri(uri: vscode.Uri): ReadableTarget | undefined {
  if (uri.scheme !== READABLE_SCHEME) return undefined;
  try {
    const q = JSON.parse(uri.query) as { source?: unknown; ref?: unknown; variant?: unknown };
    if (typeof q.source !== 'string' || !isRef(q.ref)) return undefined;
    if (q.variant !== undefined && readVariant(q.variant) === undefined) return undefined;
    const variant = readVariant(q.variant);
    return { source: vscode.Uri.parse(q.source, true), ref: q.ref, ...(variant !== undefined ? { variant } : {}) };
  } catch {
    return undefined;
  }
}

/** Where a readable view's record sits, as its header says it (1-based). */
export function describeRef(ref: ReadableRef): string {
  return 'record' in ref ? `record ${ref.record + 1}` : `row ${(ref.row + 1).toLocaleString('en-US')}`;
}
