import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import { parseScoreOut } from '../core/editor/comparedRuns.js';
import { modelDisplayName } from '../core/hover/formatStepHover.js';
import type { DocumentIndex } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';

/** What "Compare With…" needs; built once in `activate`. */
export interface CompareDeps {
  readonly index: DocumentIndex;
  readonly scores: ScoreService;
  readonly log: vscode.LogOutputChannel;
}

/** Problems listed in the warning itself; the log has all of them. */
const PROBLEMS_SHOWN = 2;

/** The active editor's document when it is a data file or a readable view of one, else undefined (after saying so). */
function activeDataDocument(deps: CompareDeps): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  const doc = editor && deps.index.get(editor.document);
  if (!editor || !doc || !doc.isDataset) {
    void vscode.window.showInformationMessage('Reward Lens: open a trace or preference file (or a readable view of one) to compare its scores with another run.');
    return undefined;
  }
  return editor.document.uri;
}

/** Reads a `score --out` file and compares the data file with it; false when nothing in it could be used. */
async function compareWithFile(deps: CompareDeps, uri: vscode.Uri, file: vscode.Uri): Promise<boolean> {
  const name = file.path.split('/').pop() ?? file.path;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  const parsed = parseScoreOut(text, name, deps.scores.homeOf(uri).path);
  for (const p of parsed.problems) deps.log.warn(`Compare With: ${p}`);
  if (parsed.records === 0) {
    const why = parsed.problems.length > 0 ? ` ${parsed.problems.slice(0, PROBLEMS_SHOWN).join('; ')}` : ' It holds no records.';
    void vscode.window.showErrorMessage(`Reward Lens: ${name} is not a \`reward-lens score --out\` file it can read.${why}`);
    return false;
  }
  const notes: string[] = [];
  if (parsed.problems.length > 0) {
    notes.push(`${parsed.problems.length} line(s) could not be read and were left out (${parsed.problems.slice(0, PROBLEMS_SHOWN).join('; ')}${parsed.problems.length > PROBLEMS_SHOWN ? '; more in the log' : ''}).`);
  }
  if (parsed.pairedById) notes.push(`No line of ${name} names this data file: its ${parsed.records} record(s) are matched by id alone.`);
  else if (parsed.otherFiles > 0) notes.push(`${parsed.otherFiles} record(s) of other data files were left out.`);
  deps.scores.compareWith(uri, { kind: 'file', name, scores: parsed.scores });
  if (notes.length > 0) void vscode.window.showWarningMessage(`Reward Lens: comparing with ${name}. ${notes.join(' ')}`);
  return true;
}

/** "Compare With…" on a data file given by URI (the dashboard's), else on the active editor's. */
async function compareWith(deps: CompareDeps, given?: vscode.Uri): Promise<void> {
  const uri = given ?? activeDataDocument(deps);
  if (!uri) return;
  type Pick = vscode.QuickPickItem & ({ readonly action: 'model'; readonly modelId: string } | { readonly action: 'file' });
  const runs = deps.scores.otherRuns(uri);
  const picks: Pick[] = [
    ...runs.map((r): Pick => {
      const shown = modelDisplayName(r.modelId);
      return { label: r.modelId, ...(shown !== r.modelId ? { description: shown } : {}), detail: `${r.records} record${r.records === 1 ? '' : 's'} scored`, action: 'model', modelId: r.modelId };
    }),
    { label: '$(file) A score --out file…', detail: 'the JSON Lines that `reward-lens score FILE --out RUN.jsonl` writes', action: 'file' },
  ];
  const pick = await vscode.window.showQuickPick(picks, {
    title: 'Reward Lens: Compare With…',
    placeHolder: runs.length === 0 ? 'No other model has scores for this file in its sidecar: choose a score --out file' : `A is ${deps.scores.status.model}; choose the run to show as B`,
    matchOnDescription: true,
  });
  if (!pick) return;
  if (pick.action === 'model') {
    deps.scores.compareWith(uri, { kind: 'model', modelId: pick.modelId });
    return;
  }
  const home = deps.scores.homeOf(uri);
  const files = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    title: 'A reward-lens score --out file to compare with',
    filters: { 'JSON Lines': ['jsonl', 'ndjson'] },
    ...(home.scheme === 'file' ? { defaultUri: vscode.Uri.joinPath(home, '..') } : {}),
  });
  const file = files?.[0];
  if (file) await compareWithFile(deps, uri, file);
}

function stopComparing(deps: CompareDeps, given?: vscode.Uri): void {
  const uri = given ?? vscode.window.activeTextEditor?.document.uri;
  if (uri === undefined || !deps.scores.stopComparing(uri)) void vscode.window.setStatusBarMessage('Reward Lens: this file is not being compared', 3000);
}

/**
 * Registers `rewardLens.compareWith` ("Compare With…": the active data file's badges, hovers and Judgment Diff show
 * the current model's scores as A beside another run's as B) and `rewardLens.clearCompare` ("Stop Comparing"), and a
 * status bar item saying "Comparing with B" while the active file is compared (click to stop). The `rewardLens.comparing`
 * context key follows the active editor.
 */
export function registerCompareCommands(deps: CompareDeps): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('rewardLens.compare', vscode.StatusBarAlignment.Right, 99);
  item.name = 'Reward Lens Comparison';
  item.command = 'rewardLens.clearCompare';
  const render = (): void => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const compared = uri && deps.scores.comparison(uri);
    void vscode.commands.executeCommand('setContext', 'rewardLens.comparing', compared !== undefined);
    if (!compared) {
      item.hide();
      return;
    }
    item.text = `$(git-compare) Comparing with ${compared.name}`;
    item.tooltip = `Reward Lens badges read A | B: A is ${deps.scores.status.model}, B is ${compared.name}. Click to stop comparing.`;
    item.accessibilityInformation = { label: `Reward Lens: comparing ${deps.scores.status.model} (A) with ${compared.name} (B). Activate to stop comparing.` };
    item.show();
  };
  render();
  return vscode.Disposable.from(
    item,
    vscode.commands.registerCommand('rewardLens.compareWith', guardedCommand(deps.log, 'rewardLens.compareWith', (arg?: unknown) => compareWith(deps, arg instanceof vscode.Uri ? arg : undefined))),
    vscode.commands.registerCommand('rewardLens.clearCompare', guardedCommand(deps.log, 'rewardLens.clearCompare', (arg?: unknown) => stopComparing(deps, arg instanceof vscode.Uri ? arg : undefined))),
    vscode.window.onDidChangeActiveTextEditor(render),
    deps.scores.onDidChangeScores(render),
    deps.scores.onDidChangeStatus(render),
  );
}
