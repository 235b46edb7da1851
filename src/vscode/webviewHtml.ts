// The static HTML shell of every Reward Lens webview. It carries no data: the script asks for it with `ready`.
// Pure string building (no `vscode` import) so the preview script renders exactly this page in Chromium.

/** The resource URIs and CSP source of one webview, already converted with `webview.asWebviewUri`. */
export interface WebviewHtmlParts {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
  /** A fresh random nonce per HTML build (`makeNonce`). */
  readonly nonce: string;
  /** The document title (a fixed string, never dataset text). */
  readonly title: string;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The Content-Security-Policy of our webviews: nothing by default, scripts only with the nonce, styles, images and
 * fonts only from the extension's own resources (no inline styles or scripts).
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join('; ');
}

/** The webview page: CSP meta, stylesheets, an empty `#app` root and the nonce'd bundle. */
export function buildWebviewHtml(p: WebviewHtmlParts): string {
  const styles = p.styleUris.map((u) => `    <link rel="stylesheet" href="${attr(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
    <title>${attr(p.title)}</title>
  </head>
  <body>
    <main id="app" aria-busy="true"><p class="loading">Loading…</p></main>
    <script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
  </body>
</html>
`;
}

/** 32 random base64url characters (192 bits) from the platform's CSPRNG; 64 symbols, so no modulo bias. */
export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
