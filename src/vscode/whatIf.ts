import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import { eagerDocument } from '../core/dataset/lazyDocument.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import {
  applyEdits,
  checkVariantName,
  describeEdits,
  formatAggregations,
  fromInputLine,
  INPUT_LINE_BREAK,
  putVariant,
  stepText,
  toInputLine,
  upsertEdit,
  variantRecordId,
  variantScoreLine,
  variantsOf,
  whatIfRows,
  withDeltas,
  type StepEdit,
  type StoredVariant,
} from '../core/editor/whatIf.js';
import type { ReadableWhatIf } from '../core/readable/readableLayout.js';
import { LineIndex } from '../core/text/positions.js';
import type { Settings } from './config.js';
import type { Decorator } from './decorations.js';
import type { DocumentIndex, IndexedDocument } from './documentIndex.js';
import type { ReadableDocuments } from './readableDocuments.js';
import { parseReadableUri, READABLE_SCHEME, readableUri, type ReadableRef, type ReadableTarget, type ReadableVariant } from './readableUri.js';
import type { ScoreService } from './scoreService.js';
import type { SidecarStore } from './sidecarStore.js';

/** What the what-if commands need; built once in `activate`. */
export interface WhatIfDeps {
  readonly index: DocumentIndex;
  readonly scores: ScoreService;
  readonly readable: ReadableDocuments;
  readonly decorator: Decorator;
  /** Writes the sidecar when a variant is kept (atomically, like every sidecar write). */
  readonly sidecars: SidecarStore;
  readonly settings: () => Settings;
  readonly log: vscode.LogOutputChannel;
}

/** A hover link's or CodeLens's target: `{uri, recordIndex, responseIndex, stepIndex}`; absent parts come from the cursor. */
interface StepArg {
  readonly uri?: unknown;
  readonly recordIndex?: unknown;
  readonly responseIndex?: unknown;
  readonly stepIndex?: unknown;
}

/** An open what-if view: the record it edits, its edits and name, and its header rows as last laid out. */
interface View {
  readonly source: vscode.Uri;
  readonly ref: ReadableRef;
  readonly base: DatasetRecord;
  readonly edits: readonly StepEdit[];
  readonly name: string | undefined;
  rows: string;
}

/** A record (and where it is) that a command works on. */
interface Here {
  readonly document: vscode.TextDocument;
  readonly source: vscode.Uri;
  readonly ref: ReadableRef | undefined;
  readonly base: DatasetRecord | undefined;
  readonly variant: ReadableVariant | undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
const draftKey = (source: vscode.Uri, ref: ReadableRef): string => `${source.toString()}|${JSON.stringify(ref)}`;

/**
 * What-if edits ("Edit and Rescore…", issue 13): a step's text is changed in a scratch overlay — a readable view of
 * the edited record, never the data file — and the edited record is scored beside the original; each step from the
 * edit on shows `new (was old, Δ ±d)` and the header the trace score before → after. Unsaved edits last for the
 * session (one per record); "Keep as Variant…" names one and keeps it in the sidecar, where "Open Variant…" and
 * "Compare Variants" find it again.
 */
class WhatIf implements vscode.Disposable {
  /** Unsaved edits per record, and the kept variant they started from (Keep as Variant… offers its name). */
  private readonly drafts = new Map<string, { readonly edits: readonly StepEdit[]; readonly from?: string }>();
  private readonly views = new Map<string, View>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: WhatIfDeps) {
    this.disposables.push(
      this.changed,
      deps.readable.registerOverlay({ apply: (uri, target, base) => this.apply(uri, target, base), onDidChange: this.changed.event }),
      deps.decorator.setSpecsTransform((uri, specs) => {
        const view = this.views.get(uri.toString());
        return view === undefined ? specs : withDeltas(specs, deps.scores.store(view.source).current(view.base), view.edits);
      }),
      deps.scores.onDidChangeScores((home) => this.refreshHeaders(home)),
      vscode.workspace.onDidCloseTextDocument((d) => this.views.delete(d.uri.toString())),
      vscode.window.onDidChangeActiveTextEditor((e) => this.setContext(e)),
    );
    this.setContext(vscode.window.activeTextEditor);
  }

  /** `rewardLens.whatIfView`: `draft` or `kept` while a what-if view is active (menus offer Keep as Variant… there). */
  private setContext(editor: vscode.TextEditor | undefined): void {
    const variant = editor && parseReadableUri(editor.document.uri)?.variant;
    void vscode.commands.executeCommand('setContext', 'rewardLens.whatIfView', variant === undefined ? '' : 'draft' in variant ? 'draft' : 'kept');
  }

  private edited(base: DatasetRecord, edits: readonly StepEdit[], name: string | undefined): DatasetRecord {
    return applyEdits(base, edits, variantRecordId(base.id, name));
  }

  private rows(source: vscode.Uri, base: DatasetRecord, edits: readonly StepEdit[], name: string | undefined): ReadableWhatIf['rows'] {
    const store = this.deps.scores.store(source);
    return whatIfRows({ base, edits, name, before: store.current(base), after: store.current(this.edited(base, edits, name)) });
  }

  /** The overlay: a what-if view's edited record and header (see ReadableOverlay). */
  private apply(uri: vscode.Uri, target: ReadableTarget & { readonly variant: ReadableVariant }, base: DatasetRecord): { record: DatasetRecord; whatIf: ReadableWhatIf } | undefined {
    const name = 'kept' in target.variant ? target.variant.kept : undefined;
    const edits =
      name === undefined
        ? this.drafts.get(draftKey(target.source, target.ref))?.edits
        : variantsOf(this.deps.scores.store(target.source).data.variants, base.id).find((v) => v.name === name)?.edits;
    if (edits === undefined) {
      this.views.delete(uri.toString());
      return undefined;
    }
    const rows = this.rows(target.source, base, edits, name);
    this.views.set(uri.toString(), { source: target.source, ref: target.ref, base, edits, name, rows: JSON.stringify(rows) });
    return { record: this.edited(base, edits, name), whatIf: { baseId: base.id, rows, edited: edits } };
  }

  /** New scores for a data file: its what-if views whose header (scores before → after) changed are laid out again. */
  private refreshHeaders(home: vscode.Uri): void {
    for (const [key, view] of this.views) {
      if (view.source.toString() !== home.toString()) continue;
      const rows = JSON.stringify(this.rows(view.source, view.base, view.edits, view.name));
      if (rows === view.rows) continue;
      view.rows = rows;
      this.changed.fire(vscode.Uri.parse(key, true));
    }
  }

  /** The record a command is about: a readable view's (what-if or not), else the data file's record under the cursor (or `arg`'s). */
  private async here(arg: StepArg | undefined): Promise<(Here & { readonly slot?: { recordIndex: number; responseIndex: number; stepIndex: number } }) | undefined> {
    const given = typeof arg?.uri === 'string' ? vscode.Uri.parse(arg.uri, true) : arg?.uri instanceof vscode.Uri ? arg.uri : undefined;
    const editor = vscode.window.activeTextEditor;
    const document = given !== undefined ? await vscode.workspace.openTextDocument(given) : editor?.document;
    const doc = document && this.deps.index.get(document);
    if (document === undefined || doc === undefined || !doc.isDataset) return undefined;
    const cursor = editor?.document === document ? document.offsetAt(editor.selection.active) : undefined;
    const stepIndex = num(arg?.stepIndex);
    const recordIndex = num(arg?.recordIndex);
    const slot =
      stepIndex !== undefined && recordIndex !== undefined
        ? { recordIndex, responseIndex: num(arg?.responseIndex) ?? 0, stepIndex }
        : cursor === undefined
          ? undefined
          : doc.records.stepAt(cursor);
    const target = parseReadableUri(document.uri);
    if (target !== undefined) {
      const found = await this.deps.readable.resolveRecord(target.source, target.ref);
      return { document, source: target.source, ref: target.ref, base: found?.record, variant: target.variant, ...(slot !== undefined ? { slot } : {}) };
    }
    const at = recordIndex ?? slot?.recordIndex ?? (cursor === undefined ? undefined : doc.records.recordAt(cursor));
    const base = at === undefined ? undefined : doc.records.record(at);
    return { document, source: document.uri, ref: at === undefined ? undefined : { record: at }, base, variant: undefined, ...(slot !== undefined ? { slot } : {}) };
  }

  /** Scores the original and the edited records that are not scored yet with the current model (one run, one sidecar). */
  private async scoreAll(source: vscode.Uri, records: readonly DatasetRecord[]): Promise<void> {
    const doc: IndexedDocument = { uri: source, version: 0, records: eagerDocument({ format: 'unknown', records, problems: [] }), lines: new LineIndex(''), isDataset: true };
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Reward Lens: scoring the edit' }, () =>
      this.deps.scores.score(
        doc,
        records.map((_, i) => i),
        {},
      ),
    );
  }

  /** Opens a readable URI; `beside` the active editor or in its group. */
  private async show(uri: vscode.Uri, beside: boolean): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preview: false });
  }

  /** "Edit and Rescore…": asks for a step's new text, lays the edited record out beside the original and scores both. */
  async editAndRescore(arg: StepArg | undefined): Promise<void> {
    const here = await this.here(arg);
    const slot = here?.slot;
    if (here === undefined || here.base === undefined || here.ref === undefined || slot === undefined) {
      void vscode.window.showInformationMessage('Reward Lens: put the cursor on a step of a trace (in a data file or a readable view) to edit it and see its new score.');
      return;
    }
    const { base, source, ref } = here;
    const was = stepText(base, slot.responseIndex, slot.stepIndex);
    if (was === undefined) return;
    const view = here.variant === undefined ? undefined : this.views.get(here.document.uri.toString());
    const edits = view?.edits ?? [];
    const shown = edits.find((e) => e.responseIndex === slot.responseIndex && e.stepIndex === slot.stepIndex)?.text ?? was;
    const where = describeEdits(base, [slot]);
    const value = await vscode.window.showInputBox({
      title: `Edit and Rescore — ${where} of record ${base.id}`,
      prompt: `The new text of ${where} (${INPUT_LINE_BREAK} for a line break). The edit is scored beside the original; the data file is not changed.`,
      value: toInputLine(shown),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'A step needs some text.' : undefined),
    });
    if (value === undefined) return;
    const next = upsertEdit(edits, { responseIndex: slot.responseIndex, stepIndex: slot.stepIndex, was, text: fromInputLine(value, was) });
    const key = draftKey(source, ref);
    const from = view?.name ?? (here.variant !== undefined ? this.drafts.get(key)?.from : undefined);
    this.drafts.set(key, { edits: next, ...(from !== undefined ? { from } : {}) });
    const uri = readableUri(source, ref, base.id, { draft: true });
    this.changed.fire(uri);
    // From the data file it opens beside; from a readable view, as a tab of that view's group (the badges give the old scores).
    await this.show(uri, here.document.uri.scheme !== READABLE_SCHEME);
    await this.scoreAll(source, [base, this.edited(base, next, undefined)]);
  }

  /** "Keep as Variant…": names the active what-if view's edits and keeps them in the sidecar. */
  async keepVariant(): Promise<void> {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const target = uri && parseReadableUri(uri);
    const view = uri && this.views.get(uri.toString());
    if (uri === undefined || target?.variant === undefined || view === undefined) {
      void vscode.window.showInformationMessage('Reward Lens: Keep as Variant… keeps a what-if edit. Run Edit and Rescore… on a step first.');
      return;
    }
    if (view.edits.length === 0) {
      void vscode.window.showInformationMessage('Reward Lens: this edit changes no step (every step is back to its text in the data file); there is nothing to keep.');
      return;
    }
    const key = draftKey(view.source, view.ref);
    const suggested = 'kept' in target.variant ? target.variant.kept : (this.drafts.get(key)?.from ?? '');
    const typed = await vscode.window.showInputBox({
      title: 'Keep as Variant',
      prompt: `A name for this edit of record ${view.base.id} (${describeEdits(view.base, view.edits)}). It is kept in the data file's sidecar.`,
      value: suggested,
      ignoreFocusOut: true,
      validateInput: checkVariantName,
    });
    if (typed === undefined) return;
    const name = typed.trim();
    const data = this.deps.scores.store(view.source).data;
    const existing = variantsOf(data.variants, view.base.id).find((v) => v.name === name);
    if (existing !== undefined && JSON.stringify(existing.edits) !== JSON.stringify(view.edits)) {
      const answer = await vscode.window.showWarningMessage(`Record ${view.base.id} already has a variant "${name}". Replace it with this edit?`, { modal: true }, 'Replace');
      if (answer !== 'Replace') return;
    }
    data.variants = putVariant(data.variants ?? [], { name, recordId: view.base.id, ref: view.ref, edits: view.edits, saved: new Date().toISOString() });
    this.deps.sidecars.save(view.source, this.deps.settings().sidecarLocation, data);
    const kept = readableUri(view.source, view.ref, view.base.id, { kept: name });
    this.changed.fire(kept);
    await this.show(kept, false);
    if ('draft' in target.variant) {
      this.drafts.delete(key);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
      await vscode.window.tabGroups.close(tabs);
    }
  }

  /** Where a kept variant's record is now: its saved ref when the record there still has its id, else found by id in the file. */
  private async refOf(source: vscode.Uri, variant: StoredVariant): Promise<ReadableRef | undefined> {
    if (variant.ref !== undefined && (await this.deps.readable.resolveRecord(source, variant.ref))?.record.id === variant.recordId) return variant.ref;
    try {
      const records = this.deps.index.get(await vscode.workspace.openTextDocument(source))?.records;
      for (let i = 0; records !== undefined && i < records.count; i++) if (records.recordId(i) === variant.recordId) return { record: i };
    } catch {
      // Not a file the text editor can hold: only the saved position can find the record.
    }
    return undefined;
  }

  /** "Open Variant…": the variants kept for the record here (or for the whole file), one opened as a what-if view. */
  async openVariant(arg: StepArg | undefined): Promise<void> {
    const here = await this.here(arg);
    if (here === undefined) {
      void vscode.window.showInformationMessage('Reward Lens: open a data file (or a readable view of a record) to open its kept variants.');
      return;
    }
    const all = this.deps.scores.store(here.source).data.variants ?? [];
    const list = here.base === undefined ? all : variantsOf(all, here.base.id);
    if (list.length === 0) {
      const of = here.base === undefined ? 'this file' : `record ${here.base.id}`;
      void vscode.window.showInformationMessage(`Reward Lens: no variants are kept for ${of}. Edit a step (Edit and Rescore…), then Keep as Variant….`);
      return;
    }
    const picked = await vscode.window.showQuickPick(
      list.map((v) => ({
        label: v.name,
        description: `record ${v.recordId}`,
        detail: here.base === undefined ? `${v.edits.length} edited step${v.edits.length === 1 ? '' : 's'}` : `edits ${describeEdits(here.base, v.edits)}`,
        variant: v,
      })),
      { title: 'Open Variant', placeHolder: 'A what-if edit kept in the sidecar' },
    );
    if (picked === undefined) return;
    const ref = here.base?.id === picked.variant.recordId && here.ref !== undefined ? here.ref : await this.refOf(here.source, picked.variant);
    const base = ref && (await this.deps.readable.resolveRecord(here.source, ref))?.record;
    if (ref === undefined || base === undefined) {
      void vscode.window.showErrorMessage(`Reward Lens: record ${picked.variant.recordId} is no longer in ${here.source.path.split('/').pop() ?? 'the file'}.`);
      return;
    }
    await this.show(readableUri(here.source, ref, base.id, { kept: picked.variant.name }), here.document.uri.scheme !== READABLE_SCHEME);
    await this.scoreAll(here.source, [base, this.edited(base, picked.variant.edits, picked.variant.name)]);
  }

  /**
   * "Compare Variants": the record and its kept variants with their trace scores (scoring those not scored yet); one
   * picked opens, two open side by side in a diff editor (each side with its badges).
   */
  async compareVariants(arg: StepArg | undefined): Promise<void> {
    const here = await this.here(arg);
    const base = here?.base;
    if (here === undefined || base === undefined || here.ref === undefined) {
      void vscode.window.showInformationMessage('Reward Lens: put the cursor on a record (in a data file or a readable view) to compare its variants.');
      return;
    }
    const { source, ref } = here;
    const kept = variantsOf(this.deps.scores.store(source).data.variants, base.id);
    if (kept.length === 0) {
      void vscode.window.showInformationMessage(`Reward Lens: no variants are kept for record ${base.id}. Edit a step (Edit and Rescore…), then Keep as Variant….`);
      return;
    }
    const records = kept.map((v) => this.edited(base, v.edits, v.name));
    await this.scoreAll(source, [base, ...records]);
    const store = this.deps.scores.store(source);
    const method = this.deps.settings().aggregation;
    const original = store.current(base);
    const items = [
      { label: 'original', description: variantScoreLine(original, original, method), detail: formatAggregations(original?.[0]), uri: readableUri(source, ref, base.id) },
      ...kept.map((v, i) => {
        const results = store.current(records[i] ?? base);
        return { label: v.name, description: variantScoreLine(results, original, method), detail: `${formatAggregations(results?.[0])} · edits ${describeEdits(base, v.edits)}`, uri: readableUri(source, ref, base.id, { kept: v.name }) };
      }),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Compare Variants of record ${base.id}`, placeHolder: 'Pick one to open, or two to see side by side', canPickMany: true });
    const [a, b] = picked ?? [];
    if (a === undefined) return;
    if (b === undefined) await this.show(a.uri, true);
    else await vscode.commands.executeCommand('vscode.diff', a.uri, b.uri, `${base.id}: ${a.label} ↔ ${b.label}`, { preview: false });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.views.clear();
    this.drafts.clear();
  }
}

/** Registers the what-if overlay and its commands: Edit and Rescore…, Keep as Variant…, Open Variant…, Compare Variants. */
export function registerWhatIf(deps: WhatIfDeps): vscode.Disposable {
  const whatIf = new WhatIf(deps);
  return vscode.Disposable.from(
    whatIf,
    vscode.commands.registerCommand('rewardLens.editAndRescore', guardedCommand(deps.log, 'rewardLens.editAndRescore', (arg?: StepArg) => whatIf.editAndRescore(arg))),
    vscode.commands.registerCommand('rewardLens.keepVariant', guardedCommand(deps.log, 'rewardLens.keepVariant', () => whatIf.keepVariant())),
    vscode.commands.registerCommand('rewardLens.openVariant', guardedCommand(deps.log, 'rewardLens.openVariant', (arg?: StepArg) => whatIf.openVariant(arg))),
    vscode.commands.registerCommand('rewardLens.compareVariants', guardedCommand(deps.log, 'rewardLens.compareVariants', (arg?: StepArg) => whatIf.compareVariants(arg))),
  );
}
