import * as vscode from 'vscode';
import type { DatasetRecord } from '../core/dataset/types.js';
import { normalizeLineEnds } from '../core/readable/normalizeLineEnds.js';
import { layoutReadable, type ReadableWhatIf } from '../core/readable/readableLayout.js';
import type { DocumentIndex, LaidOutRecord } from './documentIndex.js';
import { describeRef, parseReadableUri, READABLE_SCHEME, readableUri, type ReadableRef, type ReadableTarget, type ReadableVariant } from './readableUri.js';

/**
 * Finds the record a readable view shows. Resolvers are asked in the order they were registered; the first to
 * answer wins, so each answers only for the refs and files it knows (undefined otherwise).
 */
export interface ReadableResolver {
  /** The record `ref` names in the data file `source`, with its texts as parsed; undefined when this resolver has none. */
  resolve(source: vscode.Uri, ref: ReadableRef): Promise<DatasetRecord | undefined>;
  /** The format id the view's header names (`processbench`…), when known; asked right after `resolve` answered. */
  formatOf?(source: vscode.Uri): string | undefined;
  /** Fires with a data file's URI when its records may have changed: open readable views of it are laid out again. */
  readonly onDidChange?: vscode.Event<vscode.Uri>;
}

/**
 * What a what-if view (a readable URI with a `variant`) shows instead of the record as it is: the edited record and
 * what its header says. The data file's record is resolved as for any view and handed over as `base`.
 */
export interface ReadableOverlay {
  /** The edited record and its header; undefined when the variant is unknown (an unsaved edit of an earlier session). */
  apply(uri: vscode.Uri, target: ReadableTarget & { readonly variant: ReadableVariant }, base: DatasetRecord): { readonly record: DatasetRecord; readonly whatIf: ReadableWhatIf } | undefined;
  /** Fires with a what-if view's URI when it should be laid out again (new edits, new scores for its header). */
  readonly onDidChange: vscode.Event<vscode.Uri>;
}

/** Waits this long after the last change of a source before laying its views out again (typing fires per key). */
const RELAYOUT_MS = 300;

/**
 * Opens the readable view of a record: a read-only document laying out its prompt, each step on its own lines, and
 * its answer, with the same badges, hovers and CodeLens as the data file (scores are the data file's: one sidecar,
 * two views). By default it opens beside the active editor, in a preview tab.
 */
export async function openReadableRecord(source: vscode.Uri, ref: ReadableRef, label: string, options?: vscode.TextDocumentShowOptions): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(readableUri(source, ref, label));
  return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, ...options });
}

/** Records of data files open in the text editor: `{record}` indexes DocumentIndex's parse of the file. */
function textEditorResolver(index: DocumentIndex): ReadableResolver {
  const openDocument = (source: vscode.Uri): vscode.TextDocument | undefined => vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString());
  return {
    async resolve(source, ref) {
      if (!('record' in ref)) return undefined;
      let document = openDocument(source);
      try {
        // A restored readable tab can come back before its data file is open.
        document ??= await vscode.workspace.openTextDocument(source);
      } catch {
        return undefined; // Gone, binary, or over VS Code's 50 MB limit: another resolver may know it.
      }
      return index.get(document)?.records.record(ref.record);
    },
    formatOf(source) {
      const document = openDocument(source);
      return document && index.get(document)?.records.format;
    },
    onDidChange: (listener, thisArg, disposables) => vscode.workspace.onDidChangeTextDocument((e) => listener.call(thisArg, e.document.uri), undefined, disposables),
  };
}

/**
 * The readable views (scheme `reward-lens`): their content provider, the resolvers that find their records, and their
 * commands and folds are in readableCommands.ts. Each view's laid-out record is handed to DocumentIndex, so every editor surface
 * (decorations, hovers, CodeLens, commands, panels) works on it as on a data file with one record.
 */
export class ReadableDocuments implements vscode.Disposable {
  private readonly resolvers: ReadableResolver[] = [];
  private overlay: ReadableOverlay | undefined;
  private readonly layouts = new Map<string, LaidOutRecord>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    index: DocumentIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(READABLE_SCHEME, { onDidChange: this.changed.event, provideTextDocumentContent: (uri) => this.provide(uri) }),
      index.registerLaidOut(READABLE_SCHEME, (uri) => this.layouts.get(uri.toString())),
      this.registerResolver(textEditorResolver(index)),
      vscode.workspace.onDidCloseTextDocument((d) => this.layouts.delete(d.uri.toString())),
      // Parse settings (segmentation, key mapping…) change the records themselves.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rewardLens')) this.relayout(() => true);
      }),
    );
  }

  /**
   * Adds a way to find records (the Dataset Explorer's row index, for files the text editor cannot hold). Resolvers
   * are asked in registration order, after the text-editor one (which answers `{record}` refs only).
   */
  registerResolver(resolver: ReadableResolver): vscode.Disposable {
    this.resolvers.push(resolver);
    const sub = resolver.onDidChange?.((source) => this.relayout((t) => t.source.toString() === source.toString()));
    return new vscode.Disposable(() => {
      sub?.dispose();
      const at = this.resolvers.indexOf(resolver);
      if (at !== -1) this.resolvers.splice(at, 1);
    });
  }

  /** Lets what-if views lay out edited records (one overlay: the what-if adapter's). */
  registerOverlay(overlay: ReadableOverlay): vscode.Disposable {
    this.overlay = overlay;
    const sub = overlay.onDidChange((uri) => this.relayout((_t, u) => u === uri.toString()));
    return new vscode.Disposable(() => {
      sub.dispose();
      if (this.overlay === overlay) this.overlay = undefined;
    });
  }

  /** The record a data file's `ref` names, with its format, as a readable view of it would show it; undefined when none can be read. */
  resolveRecord(source: vscode.Uri, ref: ReadableRef): Promise<{ record: DatasetRecord; format: string } | undefined> {
    return this.resolve({ source, ref });
  }

  private async provide(uri: vscode.Uri): Promise<string> {
    const key = uri.toString();
    const target = parseReadableUri(uri);
    const found = target && (await this.resolve(target));
    if (target === undefined || found === undefined) {
      this.layouts.delete(key);
      const what = target === undefined ? 'this link' : `${describeRef(target.ref)} of ${target.source.path.split('/').pop() ?? ''}`;
      return `Reward Lens: ${what} cannot be read (the file changed, moved, or is no longer open). Open the data file and choose the record again.\n`;
    }
    const variant = target.variant;
    const edited = variant === undefined ? undefined : this.overlay?.apply(uri, { ...target, variant }, found.record);
    if (variant !== undefined && edited === undefined) {
      this.layouts.delete(key);
      return 'Reward Lens: this what-if edit is no longer available (unsaved edits last for one session; kept variants are in the sidecar: Open Variant…). Run Edit and Rescore… on the record again.\n';
    }
    const fileName = target.source.path.split('/').pop() ?? '';
    const context = { fileName, position: describeRef(target.ref), format: found.format, ...(edited !== undefined ? { whatIf: edited.whatIf } : {}) };
    const laid = normalizeLineEnds(layoutReadable(edited?.record ?? found.record, context));
    this.layouts.set(key, { ...laid, format: found.format });
    return laid.text;
  }

  private async resolve(target: ReadableTarget): Promise<{ record: DatasetRecord; format: string } | undefined> {
    for (const resolver of [...this.resolvers]) {
      try {
        const record = await resolver.resolve(target.source, target.ref);
        if (record !== undefined) return { record, format: resolver.formatOf?.(target.source) ?? 'unknown' };
      } catch (err) {
        this.log.error(`Readable view of ${target.source.toString()}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    return undefined;
  }

  /** Lays out again (after a pause) the open readable views whose target (or URI string) passes `which`. */
  private relayout(which: (target: ReadableTarget, uri: string) => boolean): void {
    for (const document of vscode.workspace.textDocuments) {
      const target = parseReadableUri(document.uri);
      const key = document.uri.toString();
      if (target === undefined || !which(target, key)) continue;
      clearTimeout(this.timers.get(key));
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          this.changed.fire(document.uri);
        }, RELAYOUT_MS),
      );
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.layouts.clear();
  }
}
