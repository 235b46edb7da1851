import * as vscode from 'vscode';

/** The "Reward Lens" output channel ("Reward Lens: Show Log"). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Reward Lens', { log: true });
}
