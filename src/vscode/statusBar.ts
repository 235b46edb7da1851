import * as vscode from 'vscode';
import type { Settings } from './config.js';
import type { ScoreService, ScoringStatus } from './scoreService.js';

/** Status bar item: model, device and progress; a shield when workspace settings were ignored (untrusted). */
export function registerStatusBar(scores: ScoreService, settings: () => Settings): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('rewardLens.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Reward Lens';
  item.command = 'rewardLens.selectModel';
  const render = (st: ScoringStatus): void => {
    const s = settings();
    const tokens = st.running?.tokensPerSecond !== undefined ? ` · ${st.running.tokensPerSecond.toFixed(0)} tok/s` : '';
    const progress = st.running ? ` $(sync~spin) ${st.running.done}/${st.running.total} · ${st.running.perSecond.toFixed(1)}/s${tokens}` : '';
    const shield = s.restrictedReason ? '$(shield) ' : '';
    const model = st.model.length > 40 ? `…${st.model.slice(-39)}` : st.model;
    item.text = `${shield}$(beaker) ${model} · ${st.device}${progress}`;
    const tip = new vscode.MarkdownString();
    tip.appendText(`Reward Lens — model: ${st.model}, device: ${st.device}`);
    if (s.restrictedReason) tip.appendText(`\n\n${s.restrictedReason}`);
    tip.appendText('\n\nClick to select a reward model.');
    item.tooltip = tip;
    item.accessibilityInformation = { label: `Reward Lens: model ${st.model}, device ${st.device}.${s.restrictedReason ? ` ${s.restrictedReason}` : ''}` };
    item.show();
  };
  render(scores.status);
  return vscode.Disposable.from(item, scores.onDidChangeStatus(render));
}
