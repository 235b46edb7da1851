import * as vscode from 'vscode';
import { eagerDocument, indexDocumentText, type LazyDocument } from '../core/dataset/lazyDocument.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import type { ParseOptions } from '../core/formats/formatSpec.js';
import { LineIndex } from '../core/text/positions.js';

/**
 * An indexed text document, valid for one document version. Its records materialise on demand: each surface asks
 * only for what it shows (the record at the cursor, the scored records, or all of them for file-wide commands).
 */
export interface IndexedDocument {
  readonly uri: vscode.Uri;
  readonly version: number;
  readonly records: LazyDocument;
  /** Line starts of the text, built on first use (only painted steps need positions). */
  readonly lines: LineIndex;
  /** True when this is a dataset Reward Lens understands (a format was detected) or a .jsonl file. */
  readonly isDataset: boolean;
}

/** An indexed document whose line index is built on first use. */
function indexedDocument(uri: vscode.Uri, version: number, text: string, records: LazyDocument, isDataset: boolean): IndexedDocument {
  let lines: LineIndex | undefined;
  return {
    uri,
    version,
    records,
    get lines(): LineIndex {
      return (lines ??= new LineIndex(text));
    },
    isDataset,
  };
}

/**
 * A record laid out in a virtual document (the readable view): the document's text and the record with its ranges
 * in that text. Such documents are never parsed as JSON; their one record comes from here.
 */
export interface LaidOutRecord {
  readonly text: string;
  readonly record: DatasetRecord;
  /** The source file's format id. */
  readonly format: string;
}

/** The laid-out record of a virtual document, or undefined when it has none (its record is gone). */
export type LaidOutLookup = (uri: vscode.Uri) => LaidOutRecord | undefined;

/** File names Reward Lens looks at. */
export const DATA_FILE = /\.(jsonl|ndjson|json)$/i;
/** Documents above this size are left alone (VS Code itself stops syncing at 50 MB). */
const MAX_CHARS = 50 * 1024 * 1024;

/** Indexes documents on demand and caches the index per version (edits re-index lazily). */
export class DocumentIndex implements vscode.Disposable {
  private readonly cache = new Map<string, IndexedDocument>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Lookups of laid-out records, by URI scheme. */
  private readonly laidOut = new Map<string, LaidOutLookup>();

  constructor(private options: ParseOptions) {
    this.disposables.push(vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())));
  }

  /** New parse options (settings changed): cached parses are dropped. */
  setOptions(options: ParseOptions): void {
    this.options = options;
    this.cache.clear();
  }

  /** Documents of `scheme` show one laid-out record each, which `lookup` gives (they are never parsed as JSON). */
  registerLaidOut(scheme: string, lookup: LaidOutLookup): vscode.Disposable {
    this.laidOut.set(scheme, lookup);
    return new vscode.Disposable(() => this.laidOut.delete(scheme));
  }

  /** True for documents Reward Lens should read at all: data files, and laid-out records. */
  isCandidate(document: vscode.TextDocument): boolean {
    if (this.laidOut.has(document.uri.scheme)) return true;
    return (document.uri.scheme === 'file' || document.uri.scheme === 'untitled' || document.uri.scheme === 'vscode-remote') && DATA_FILE.test(document.fileName);
  }

  /** The indexed document, or undefined for non-candidates and oversized texts. */
  get(document: vscode.TextDocument): IndexedDocument | undefined {
    if (!this.isCandidate(document)) return undefined;
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit;
    const lookup = this.laidOut.get(document.uri.scheme);
    if (lookup !== undefined) return this.getLaidOut(document, lookup);
    const text = document.getText();
    if (text.length > MAX_CHARS) return undefined;
    // The user's key mapping is a fallback for files in no known format; known formats are still detected.
    const records = indexDocumentText(text, document.fileName, this.options);
    const entry = indexedDocument(document.uri, document.version, text, records, records.format !== 'unknown' || /\.(jsonl|ndjson)$/i.test(document.fileName));
    this.cache.set(key, entry);
    return entry;
  }

  private getLaidOut(document: vscode.TextDocument, lookup: LaidOutLookup): IndexedDocument | undefined {
    const laid = lookup(document.uri);
    // Between a re-layout and the editor taking the new text, the two differ: nothing is shown rather than misplaced.
    if (laid === undefined || laid.text !== document.getText()) return undefined;
    const entry = indexedDocument(document.uri, document.version, laid.text, eagerDocument({ format: laid.format, records: [laid.record], problems: [] }), true);
    this.cache.set(document.uri.toString(), entry);
    return entry;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.cache.clear();
  }
}
