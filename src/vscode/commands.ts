import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import { scoreRecordJson } from '../core/report/jsonReports.js';
import { assembleScored } from '../core/scoring/scoreRecords.js';
import { PRESETS } from '../model/presets.js';
import { JUDGES } from '../core/judges/judgeRegistry.js';
import { setApiKey } from './apiKeys.js';
import { pickServerModel } from './endpointPicker.js';
import { writeFileAtomic } from '../scorers/atomicWrite.js';
import type { Settings } from './config.js';
import type { Decorator } from './decorations.js';
import type { DocumentIndex, IndexedDocument } from './documentIndex.js';
import type { RecordsView } from './recordsView.js';
import type { ScoreService } from './scoreService.js';
import { parseReadableUri } from './readableUri.js';

/** A command's target record, as passed by CodeLens, hovers and the side bar. */
interface RecordArg {
  readonly uri?: string;
  readonly recordIndex?: number;
  readonly responseIndex?: number;
  readonly stepIndex?: number;
  readonly force?: boolean;
}

/** What commands need; built once in `activate`. */
export interface CommandDeps {
  readonly index: DocumentIndex;
  readonly scores: ScoreService;
  readonly decorator: Decorator;
  readonly records: RecordsView;
  readonly log: vscode.LogOutputChannel;
  readonly settings: () => Settings;
  readonly secrets: vscode.SecretStorage;
}

async function documentFor(arg: RecordArg | undefined): Promise<{ editor?: vscode.TextEditor; document: vscode.TextDocument } | undefined> {
  if (arg?.uri) {
    const uri = vscode.Uri.parse(arg.uri);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === arg.uri);
    return editor ? { editor, document: editor.document } : { document: await vscode.workspace.openTextDocument(uri) };
  }
  const editor = vscode.window.activeTextEditor;
  return editor ? { editor, document: editor.document } : undefined;
}

function indexed(deps: CommandDeps, document: vscode.TextDocument): IndexedDocument | undefined {
  const doc = deps.index.get(document);
  if (!doc || !doc.isDataset || doc.records.count === 0) {
    void vscode.window.showWarningMessage('Reward Lens: this file has no trace or preference records it can read. See the Problems panel for details.');
    return undefined;
  }
  return doc;
}

/**
 * The data file a file-wide command (Score All, Export) works on: a readable view's source file when the text editor
 * can read it, else the document itself (a view of a row of a huge or Parquet file then stands for its one record).
 */
async function fileDocument(deps: CommandDeps, document: vscode.TextDocument): Promise<vscode.TextDocument> {
  const source = parseReadableUri(document.uri)?.source;
  if (source === undefined) return document;
  try {
    const file = await vscode.workspace.openTextDocument(source);
    return deps.index.get(file) ? file : document;
  } catch {
    return document;
  }
}

async function scoreThisTrace(deps: CommandDeps, arg?: RecordArg): Promise<void> {
  const target = await documentFor(arg);
  if (!target) {
    void vscode.window.showInformationMessage('Reward Lens: open a trace file and put the cursor on a record to score it.');
    return;
  }
  const doc = indexed(deps, target.document);
  if (!doc) return;
  const recordIndex = arg?.recordIndex ?? (target.editor ? doc.records.recordAt(target.document.offsetAt(target.editor.selection.active)) : undefined);
  if (recordIndex === undefined) {
    void vscode.window.showInformationMessage('Reward Lens: put the cursor on a record to score it.');
    return;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Reward Lens: scoring' }, () =>
    deps.scores.score(doc, [recordIndex], { force: arg?.force === true }),
  );
}

async function scoreAll(deps: CommandDeps): Promise<void> {
  const target = await documentFor(undefined);
  const doc = target && indexed(deps, await fileDocument(deps, target.document));
  if (!doc) return;
  const all = Array.from({ length: doc.records.count }, (_, i) => i);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Reward Lens', cancellable: true },
    async (progress, token) => {
      let last = 0;
      progress.report({ message: `scoring ${all.length} records…` });
      const n = await deps.scores.score(doc, all, {
        token,
        onProgress: (done, total, rate) => {
          const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
          progress.report({ increment: ((done - last) / total) * 100, message: `${done}/${total} records · ${rate.toFixed(1)}/s · ETA ${eta}s` });
          last = done;
        },
      });
      deps.log.info(`Scored ${n} record(s) of ${doc.uri.fsPath}${token.isCancellationRequested ? ' (cancelled; scored records kept)' : ''}.`);
    },
  );
}

async function gotoLow(deps: CommandDeps, direction: 1 | -1): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const threshold = deps.settings().threshold;
  const specs = deps.decorator
    .specsFor(editor.document.uri)
    .filter((s) => s.score < threshold && s.bucket !== 'stale')
    .map((s) => new vscode.Range(s.startLine, s.startChar, s.endLine, s.endChar))
    .sort((a, b) => a.start.compareTo(b.start));
  if (specs.length === 0) {
    void vscode.window.setStatusBarMessage('Reward Lens: no low-scoring steps in this file', 3000);
    return;
  }
  const here = editor.selection.active;
  const next = direction === 1 ? (specs.find((r) => r.start.isAfter(here)) ?? specs[0]) : ([...specs].reverse().find((r) => r.start.isBefore(here)) ?? specs[specs.length - 1]);
  if (!next) return;
  editor.selection = new vscode.Selection(next.start, next.start);
  editor.revealRange(next, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function revealRecord(arg: RecordArg | undefined, deps: CommandDeps): Promise<void> {
  if (!arg?.uri || arg.recordIndex === undefined) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
  const doc = deps.index.get(document);
  const record = doc?.records.record(arg.recordIndex);
  if (!record) return;
  const editor = await vscode.window.showTextDocument(document, { preserveFocus: false });
  const start = document.positionAt(record.recordRange.start);
  editor.selection = new vscode.Selection(start, start);
  editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.AtTop);
}

async function copyStep(arg: RecordArg | undefined, deps: CommandDeps): Promise<void> {
  if (!arg?.uri || arg.recordIndex === undefined || arg.stepIndex === undefined) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
  const record = deps.index.get(document)?.records.record(arg.recordIndex);
  const steps = record?.kind === 'trace' ? record.steps : record?.responses[arg.responseIndex ?? 0]?.steps;
  const step = steps?.find((s) => s.index === arg.stepIndex);
  if (step) {
    await vscode.env.clipboard.writeText(step.text);
    void vscode.window.setStatusBarMessage('Reward Lens: step copied', 2000);
  }
}

async function exportScored(deps: CommandDeps): Promise<void> {
  const target = await documentFor(undefined);
  const doc = target && indexed(deps, await fileDocument(deps, target.document));
  if (!doc) return;
  const store = deps.scores.store(doc.uri);
  const unscored = doc.records.all().filter((r) => store.current(r) === undefined).length;
  if (unscored > 0) {
    const pick = await vscode.window.showWarningMessage(`Reward Lens: ${unscored} record(s) have no current scores.`, 'Score Them First', 'Export Scored Only');
    if (pick === undefined) return;
    if (pick === 'Score Them First') await scoreAll(deps);
  }
  const base = doc.uri.scheme === 'file' ? doc.uri.fsPath.replace(/\.(jsonl|ndjson|json)$/i, '') : 'scored';
  const target2 = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${base}.scored.jsonl`), filters: { 'JSON Lines': ['jsonl'] }, title: 'Export Scored Dataset' });
  if (!target2) return;
  if (target2.toString() === doc.uri.toString()) {
    void vscode.window.showErrorMessage('Reward Lens never writes over your data file; choose another name.');
    return;
  }
  const s = deps.settings();
  const lines: string[] = [];
  for (const record of doc.records.all()) {
    const results = store.current(record);
    if (!results) continue;
    lines.push(JSON.stringify({ ...scoreRecordJson(assembleScored(record, results, { threshold: s.threshold, aggregation: s.aggregation, batchSize: 1 })), model: deps.scores.modelId }));
  }
  writeFileAtomic(target2.fsPath, lines.map((l) => `${l}\n`).join(''));
  void vscode.window.showInformationMessage(`Reward Lens: exported ${lines.length} scored record(s) to ${target2.fsPath}.`);
}

async function selectModel(deps: CommandDeps): Promise<void> {
  type Pick = vscode.QuickPickItem & { readonly action: 'builtin' | 'browse' | 'served' | 'judge' };
  const picks: Pick[] = [
    { label: '$(check) Built-in verifier', description: 'no download: arithmetic, final answer and repetition checks', action: 'builtin' },
    { label: '$(folder-opened) Model folder…', description: 'an ONNX export (optimum-cli export onnx, reward-lens export)', action: 'browse' },
    { label: '$(server) Served reward model…', description: 'a PRM or ORM on vLLM, SGLang or TEI (for models beyond one machine)', action: 'served' },
    { label: '$(comment-discussion) Generative judge…', description: 'ThinkPRM, ProcessBench critic, pairwise, Prometheus, rubric: written critiques', action: 'judge' },
  ];
  const pick = await vscode.window.showQuickPick(picks, { title: 'Reward Lens: Select Reward Model', placeHolder: `Current: ${deps.scores.status.model}` });
  if (!pick) return;
  const config = vscode.workspace.getConfiguration('rewardLens');
  const set = async (values: Record<string, string>): Promise<void> => {
    for (const [k, v] of Object.entries(values)) await config.update(k, v, vscode.ConfigurationTarget.Global);
  };
  if (pick.action === 'builtin') {
    await set({ judge: '', endpoint: '', model: 'builtin' });
    return;
  }
  if (pick.action === 'browse') {
    const dir = await pickFolder('Select an exported reward model folder');
    if (!dir) return;
    const preset = await pickPreset('');
    if (preset === undefined) return;
    await set({ judge: '', endpoint: '', preset, model: dir });
    return;
  }
  if (pick.action === 'served') {
    const preset = await pickPreset(undefined);
    if (preset === undefined || preset === '') return;
    const server = await pickServerModel(deps.secrets, deps.settings().endpoint, { preset });
    if (!server) return;
    await set({ judge: '', preset, serverModel: server.model, endpoint: server.endpoint });
    return;
  }
  const judge = await vscode.window.showQuickPick(
    JUDGES.map((j): vscode.QuickPickItem => ({ label: j.name, description: j.description, ...(j.models.length > 0 ? { detail: `Models: ${j.models.join(', ')}` } : {}) })),
    { title: 'Generative judge', matchOnDescription: true },
  );
  if (!judge) return;
  const where = await vscode.window.showQuickPick(
    [
      { label: '$(server) On a server…', description: 'any OpenAI-compatible chat endpoint: vLLM, SGLang, llama.cpp, Ollama, LM Studio, TGI', local: false },
      { label: '$(folder-opened) On this machine…', description: 'a generator export (optimum text-generation-with-past, or onnxruntime-genai)', local: true },
    ],
    { title: `Run the ${judge.label} judge` },
  );
  if (!where) return;
  if (where.local) {
    const dir = await pickFolder('Select a generator export folder for the judge');
    if (!dir) return;
    await set({ endpoint: '', serverModel: '', model: dir, judge: judge.label });
  } else {
    const server = await pickServerModel(deps.secrets, deps.settings().endpoint, {});
    if (!server) return;
    await set({ serverModel: server.model, endpoint: server.endpoint, judge: judge.label });
  }
  if (judge.label === 'rubric' && deps.settings().rubricFile === undefined) {
    const file = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: false, title: 'Select a rubric file (JSON or YAML)', filters: { Rubric: ['json', 'yaml', 'yml'] } });
    if (file?.[0]) await set({ rubricFile: file[0].fsPath });
  }
}

async function pickFolder(title: string): Promise<string | undefined> {
  const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title });
  return folder?.[0]?.fsPath;
}

/** A preset; `fromManifest` adds the "read the manifest" entry (value ''). Undefined when dismissed. */
async function pickPreset(fromManifest: '' | undefined): Promise<string | undefined> {
  const presets: (vscode.QuickPickItem & { readonly preset: string })[] = [
    ...(fromManifest !== undefined ? [{ label: 'From reward-lens.json', description: 'the folder has a manifest, or config.json is unambiguous', preset: '' }] : []),
    ...PRESETS.map((p) => ({ label: p.name, description: p.description, preset: p.name })),
  ];
  return (await vscode.window.showQuickPick(presets, { title: 'Model contract (preset)' }))?.preset;
}

async function filterRecords(deps: CommandDeps): Promise<void> {
  const cur = deps.records.currentFilter;
  const text = await vscode.window.showInputBox({ title: 'Filter records', prompt: 'Text in the id or prompt (empty for all)', value: cur.text });
  if (text === undefined) return;
  const low = await vscode.window.showQuickPick(['All records', 'Only low-scoring records'], { title: 'Filter records' });
  if (low === undefined) return;
  deps.records.setFilter(text, low.startsWith('Only'));
}

/** Registers every command (the command-factory table of STYLE.md §3.3). */
export function registerCommands(deps: CommandDeps): vscode.Disposable {
  const table: Record<string, (...args: never[]) => unknown> = {
    'rewardLens.scoreTrace': (arg?: RecordArg) => scoreThisTrace(deps, arg),
    'rewardLens.scoreFile': () => scoreAll(deps),
    'rewardLens.selectModel': () => selectModel(deps),
    'rewardLens.setApiKey': () => setApiKey(deps.secrets, deps.settings().endpoint),
    'rewardLens.clearScores': async () => {
      const t = await documentFor(undefined);
      if (t) deps.scores.clear(t.document.uri);
    },
    'rewardLens.nextLowStep': () => gotoLow(deps, 1),
    'rewardLens.previousLowStep': () => gotoLow(deps, -1),
    'rewardLens.exportScored': () => exportScored(deps),
    'rewardLens.showLog': () => deps.log.show(),
    'rewardLens.revealRecord': (arg?: RecordArg) => revealRecord(arg, deps),
    'rewardLens.copyStep': (arg?: RecordArg) => copyStep(arg, deps),
    'rewardLens.records.sortByPosition': () => deps.records.setSort('position'),
    'rewardLens.records.sortByScoreAscending': () => deps.records.setSort('scoreAscending'),
    'rewardLens.records.sortByScoreDescending': () => deps.records.setSort('scoreDescending'),
    'rewardLens.records.filter': () => filterRecords(deps),
    'rewardLens.records.clearFilter': () => deps.records.setFilter('', false),
  };
  return vscode.Disposable.from(
    ...Object.entries(table).map(([id, run]) => vscode.commands.registerCommand(id, guardedCommand(deps.log, id, (...args: never[]) => run(...args)))),
  );
}
