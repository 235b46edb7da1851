import * as vscode from 'vscode';
import type { ParsedDocument } from '../core/dataset/types.js';
import { buildStepSlots, type StepSlot } from '../core/editor/stepLocator.js';
import type { ParseOptions } from '../core/formats/formatSpec.js';
import { parseDocument } from '../core/parseDocument.js';
import { LineIndex } from '../core/text/positions.js';

/** A parsed text document, valid for one document version. */
export interface IndexedDocument {
  readonly uri: vscode.Uri;
  readonly version: number;
  readonly parsed: ParsedDocument;
  readonly lines: LineIndex;
  readonly slots: readonly StepSlot[];
  /** True when this is a dataset Reward Lens understands (a format was detected) or a .jsonl file. */
  readonly isDataset: boolean;
}

/** File names Reward Lens looks at. */
export const DATA_FILE = /\.(jsonl|ndjson|json)$/i;
/** Documents above this size are left alone (VS Code itself stops syncing at 50 MB). */
const MAX_CHARS = 50 * 1024 * 1024;

/** Parses documents on demand and caches the result per version (edits re-parse lazily). */
export class DocumentIndex implements vscode.Disposable {
  private readonly cache = new Map<string, IndexedDocument>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private options: ParseOptions) {
    this.disposables.push(vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())));
  }

  /** New parse options (settings changed): cached parses are dropped. */
  setOptions(options: ParseOptions): void {
    this.options = options;
    this.cache.clear();
  }

  /** True for documents Reward Lens should parse at all. */
  static isCandidate(document: vscode.TextDocument): boolean {
    return (document.uri.scheme === 'file' || document.uri.scheme === 'untitled' || document.uri.scheme === 'vscode-remote') && DATA_FILE.test(document.fileName);
  }

  /** The parsed document, or undefined for non-candidates and oversized texts. */
  get(document: vscode.TextDocument): IndexedDocument | undefined {
    if (!DocumentIndex.isCandidate(document)) return undefined;
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit;
    const text = document.getText();
    if (text.length > MAX_CHARS) return undefined;
    // The user's key mapping is a fallback for files in no known format; known formats are still detected.
    const { mapping, ...detectOnly } = this.options;
    let parsed = parseDocument(text, document.fileName, detectOnly);
    if (parsed.format === 'unknown' && mapping !== undefined) parsed = parseDocument(text, document.fileName, this.options);
    const entry: IndexedDocument = {
      uri: document.uri,
      version: document.version,
      parsed,
      lines: new LineIndex(text),
      slots: buildStepSlots(parsed.records),
      isDataset: parsed.format !== 'unknown' || /\.(jsonl|ndjson)$/i.test(document.fileName),
    };
    this.cache.set(key, entry);
    return entry;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.cache.clear();
  }
}
