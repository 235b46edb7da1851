import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands.js';
import { registerCompareCommands } from './vscode/compareCommands.js';
import { ConfidenceHeatMap } from './vscode/confidenceDecorations.js';
import { RecordCodeLensProvider } from './vscode/codeLens.js';
import { readSettings, watchSettings, type Settings } from './vscode/config.js';
import { Decorator } from './vscode/decorations.js';
import { registerDiagnostics } from './vscode/diagnostics.js';
import { DocumentIndex } from './vscode/documentIndex.js';
import { StepHoverProvider } from './vscode/hovers.js';
import { registerJudgeReasoning } from './vscode/judgeReasoning.js';
import { registerProbeCommand } from './vscode/probeCommand.js';
import { createLog } from './vscode/log.js';
import { registerDashboard } from './vscode/dashboardPanel.js';
import { DatasetExplorerProvider } from './vscode/datasetExplorer.js';
import { READABLE_SCHEME } from './vscode/readableUri.js';
import { ReadableDocuments } from './vscode/readableDocuments.js';
import { registerReadableCommands } from './vscode/readableCommands.js';
import { RecordsView } from './vscode/recordsView.js';
import { ScoreService } from './vscode/scoreService.js';
import { SidecarStore } from './vscode/sidecarStore.js';
import { registerStatusBar } from './vscode/statusBar.js';
import { registerTestHooks } from './vscode/testHooks.js';
import { registerWebviews } from './vscode/webviews.js';
import { registerWhatIf } from './vscode/whatIf.js';

/** Files Reward Lens attaches to: JSON and JSON Lines on disk or untitled. */
const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.{json,jsonl,ndjson}' },
  { scheme: 'untitled', language: 'json' },
  { scheme: 'untitled', language: 'jsonl' },
  { scheme: READABLE_SCHEME },
];

/** Composition root: wires the adapters; nothing heavy runs here (the scorer opens on first use). */
export function activate(context: vscode.ExtensionContext): void {
  let settings: Settings = readSettings();
  const current = (): Settings => settings;
  const log = createLog();
  const index = new DocumentIndex(settings.parse);
  const storage = context.storageUri ?? context.globalStorageUri;
  const scores = new ScoreService(settings, new SidecarStore(storage, log), log, vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath, context.secrets);
  const decorator = new Decorator(index, scores, settings, vscode.Uri.joinPath(context.extensionUri, 'media'));
  const records = new RecordsView(index, scores, current);
  const readable = new ReadableDocuments(index, log);
  context.subscriptions.push(
    log,
    index,
    scores,
    decorator,
    records,
    readable,
    registerReadableCommands(index, log),
    new DatasetExplorerProvider({ extensionUri: context.extensionUri, storageDir: storage, scores, settings: current, log }).register(readable),
    registerDiagnostics(index),
    vscode.languages.registerHoverProvider(SELECTOR, new StepHoverProvider(index, scores, current)),
    new ConfidenceHeatMap(index, SELECTOR),
    vscode.languages.registerCodeLensProvider(SELECTOR, new RecordCodeLensProvider(index, scores)),
    registerCommands({ index, scores, decorator, records, log, settings: current, secrets: context.secrets }),
    registerCompareCommands({ index, scores, log }),
    registerProbeCommand({ index, scores, settings: current, log }),
    registerJudgeReasoning(index, scores),
    registerWebviews({ extensionUri: context.extensionUri, index, scores, settings: current, log }),
    registerDashboard({ extensionUri: context.extensionUri, storageDir: storage, scores, index, readable, settings: current, log }),
    registerStatusBar(scores, current),
    registerTestHooks(decorator),
    registerWhatIf({ index, scores, readable, decorator, sidecars: new SidecarStore(storage, log), settings: current, log }),
    watchSettings((next) => {
      const parseChanged = JSON.stringify(next.parse) !== JSON.stringify(settings.parse);
      settings = next;
      if (parseChanged) index.setOptions(next.parse);
      scores.updateSettings(next);
      decorator.updateSettings(next);
      records.refresh();
    }),
  );
  if (settings.restrictedReason) {
    log.warn(settings.restrictedReason);
    void vscode.window.showWarningMessage(`Reward Lens: ${settings.restrictedReason}`);
  }
}

export function deactivate(): void {}
