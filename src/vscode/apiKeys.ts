import * as vscode from 'vscode';

/**
 * API keys for serving engines live in VS Code's secret storage (the OS keychain), one per server origin — never in
 * settings files, never in the log.
 */
function secretName(endpoint: string): string | undefined {
  try {
    return `rewardLens.apiKey:${new URL(endpoint).origin}`;
  } catch {
    return undefined;
  }
}

/** The stored key for an endpoint's origin, or undefined. */
export async function apiKeyFor(secrets: vscode.SecretStorage, endpoint: string): Promise<string | undefined> {
  const name = secretName(endpoint);
  return name === undefined ? undefined : await secrets.get(name);
}

/** "Reward Lens: Set API Key…": asks for the server (default: the configured endpoint) and the key (hidden input). */
export async function setApiKey(secrets: vscode.SecretStorage, current: string | undefined): Promise<void> {
  const endpoint = await vscode.window.showInputBox({
    title: 'Reward Lens: Set API Key (1/2)',
    prompt: 'The server the key is for',
    value: current ?? 'https://',
    validateInput: (v) => (secretName(v.trim()) === undefined ? 'Enter a URL such as https://my-server:8000' : undefined),
  });
  if (endpoint === undefined) return;
  const name = secretName(endpoint.trim());
  if (name === undefined) return;
  const key = await vscode.window.showInputBox({
    title: 'Reward Lens: Set API Key (2/2)',
    prompt: `API key for ${new URL(endpoint.trim()).origin} (kept in VS Code's secret storage; empty to remove it)`,
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim() === '') {
    await secrets.delete(name);
    void vscode.window.showInformationMessage(`Reward Lens: removed the API key for ${new URL(endpoint.trim()).origin}.`);
  } else {
    await secrets.store(name, key.trim());
    void vscode.window.showInformationMessage(`Reward Lens: stored the API key for ${new URL(endpoint.trim()).origin}.`);
  }
}
