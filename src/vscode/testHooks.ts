import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Decorator } from './decorations.js';

/**
 * For end-to-end tests only: VS Code cannot read decorations back, so when the (undocumented) setting
 * `rewardLens.test.dumpDecorationsTo` names a file, every applied set of decoration specs is written there as JSON
 * `{uri, specs}`. Off (and free) when the setting is unset.
 */
export function registerTestHooks(decorator: Decorator): vscode.Disposable {
  return decorator.onDidApply(({ uri, specs }) => {
    const target = vscode.workspace.getConfiguration('rewardLens').get<string>('test.dumpDecorationsTo');
    if (!target) return;
    try {
      writeFileSync(target, JSON.stringify({ uri: uri.toString(), specs }));
    } catch {
      // A test hook must never disturb the editor.
    }
  });
}
