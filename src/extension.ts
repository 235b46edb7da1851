import type * as vscode from 'vscode';

/** Composition root (see STYLE.md §3.3); the editor features land with the editor issue. */
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
