import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import { formatProbeMarkdown } from '../core/probes/formatProbeReport.js';
import { runProbes, type ProbeReport } from '../core/probes/runProbes.js';
import type { Settings } from './config.js';
import type { DocumentIndex } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';
import { parseReadableUri } from './readableUri.js';

/** The scheme of probe reports: read-only documents that live for the session (never written to disk). */
const REPORT_SCHEME = 'reward-lens-probes';
/** Reports kept for reopening; older ones are dropped. */
const KEPT_REPORTS = 20;

/** What the command needs; built once in `activate`. */
export interface ProbeCommandDeps {
  readonly index: DocumentIndex;
  /** Owns the scorer the settings choose (probes share it with scoring). */
  readonly scores: ScoreService;
  readonly settings: () => Settings;
  readonly log: vscode.LogOutputChannel;
}

/** The records to probe and the name of the file they come from. */
interface ProbeTarget {
  readonly name: string;
  readonly records: readonly DatasetRecord[];
}

const baseName = (uri: vscode.Uri): string => uri.path.slice(uri.path.lastIndexOf('/') + 1);

/** Records touched by the non-empty selections, in file order; undefined when nothing is selected. */
function selectedRecords(editor: vscode.TextEditor, deps: ProbeCommandDeps): DatasetRecord[] | undefined {
  const selections = editor.selections.filter((s) => !s.isEmpty);
  if (selections.length === 0) return undefined;
  const doc = deps.index.get(editor.document);
  if (!doc) return [];
  const picked = new Set<number>();
  for (const s of selections) {
    const first = doc.records.recordAt(editor.document.offsetAt(s.start));
    const last = doc.records.recordAt(Math.max(editor.document.offsetAt(s.start), editor.document.offsetAt(s.end) - 1));
    if (first === undefined || last === undefined) continue;
    for (let i = first; i <= last; i++) picked.add(i);
  }
  return [...picked].sort((a, b) => a - b).flatMap((i) => doc.records.record(i) ?? []);
}

/**
 * The active editor's records: those the selections touch, or every record of the file. A readable view stands for
 * its record when something in it is selected, and for its source file otherwise (when the text editor can read
 * that file; a row of a Parquet or huge file stands for itself).
 */
async function probeTarget(editor: vscode.TextEditor, deps: ProbeCommandDeps): Promise<ProbeTarget | undefined> {
  const view = parseReadableUri(editor.document.uri);
  const selected = selectedRecords(editor, deps);
  if (view !== undefined) {
    const own = deps.index.get(editor.document)?.records.record(0);
    if (selected !== undefined || own === undefined) return own === undefined ? undefined : { name: baseName(view.source), records: [own] };
    try {
      const file = deps.index.get(await vscode.workspace.openTextDocument(view.source));
      if (file?.isDataset) return { name: baseName(view.source), records: file.records.all() };
    } catch {
      // The source is not a text document (Parquet, over 50 MB): the view's record is what there is.
    }
    return { name: baseName(view.source), records: [own] };
  }
  const doc = deps.index.get(editor.document);
  if (!doc?.isDataset) return undefined;
  return { name: baseName(editor.document.uri), records: selected ?? doc.records.all() };
}

/** Read-only report documents by URI, for the content provider. */
class ProbeReports implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This probe report is no longer kept: run Probe Reward Model again.';
  }

  add(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}.probes.md`, query: String(++this.next) });
    this.texts.set(uri.toString(), text);
    for (const key of [...this.texts.keys()].slice(0, Math.max(0, this.texts.size - KEPT_REPORTS))) this.texts.delete(key);
    return uri;
  }
}

async function probeModel(deps: ProbeCommandDeps, reports: ProbeReports): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const target = editor === undefined ? undefined : await probeTarget(editor, deps);
  if (target === undefined) {
    void vscode.window.showInformationMessage('Reward Lens: open a trace file (or a readable trace) to probe the reward model on its traces.');
    return;
  }
  const traces = target.records.filter((r) => r.kind === 'trace').length;
  if (traces === 0) {
    void vscode.window.showWarningMessage('Reward Lens: no traces to probe here (preference records are not probed).');
    return;
  }
  const s = deps.settings();
  const batchSize = s.endpoint !== undefined || s.judge !== undefined ? s.concurrency : 8;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Reward Lens: probing ${traces} trace(s)`, cancellable: true },
    async (progress, token): Promise<{ report: ProbeReport; model: string } | undefined> => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      progress.report({ message: 'opening the reward model…' });
      const scorer = await deps.scores.openScorer();
      try {
        let last = 0;
        const report = await runProbes(target.records, scorer, { threshold: s.threshold, aggregation: s.aggregation, batchSize }, {
          signal: controller.signal,
          onProgress: (p) => {
            progress.report({ increment: ((p.done - last) / p.total) * 100, message: `${p.done}/${p.total} traces` });
            last = p.done;
          },
        });
        return { report, model: scorer.id };
      } catch (err) {
        if ((err as Error).name === 'AbortError') return undefined;
        throw err;
      } finally {
        sub.dispose();
      }
    },
  );
  if (result === undefined) {
    deps.log.info('Probe Reward Model cancelled.');
    return;
  }
  const c = result.report.cache;
  deps.log.info(`Probed ${traces} trace(s) of ${target.name} with ${result.model}: ${c.requests} scorer request(s), ${c.cache_hits + c.prefix_hits} of ${c.lookups} served from the cache.`);
  const uri = reports.add(target.name, formatProbeMarkdown(target.name, result.model, result.report));
  await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}

/** Registers "Reward Lens: Probe Reward Model" and the read-only documents its reports open in. */
export function registerProbeCommand(deps: ProbeCommandDeps): vscode.Disposable {
  const reports = new ProbeReports();
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.commands.registerCommand('rewardLens.probeModel', guardedCommand(deps.log, 'rewardLens.probeModel', () => probeModel(deps, reports))),
  );
}
