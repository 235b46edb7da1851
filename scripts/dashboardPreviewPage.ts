// The Evaluate Dataset dashboard preview: the host's HTML shell with its CSP (buildWebviewHtml), media/webview.css +
// media/dashboard.css and dist/dashboard.js, wired to an in-page fake host (dashboardPreviewHost.ts, bundled here)
// that serves a given view. Used by test/unit/webview/dashboardBrowser.test.ts.
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// eslint-disable-next-line no-restricted-imports -- webviewHtml.ts is pure string building (no `vscode` import); the preview must use the host's exact page and CSP.
import { buildWebviewHtml, makeNonce } from '../src/vscode/webviewHtml.js';
import type { DashboardPreviewOptions } from './dashboardPreviewHost.js';
import { ROOT, THEMES } from './webviewPreviewPage.js';

/** Where dashboard previews and screenshots go. */
export const DASHBOARD_PREVIEW_OUT = join(ROOT, '.test-output', 'webview');

/**
 * Theme variables the dashboard reads beyond the shared preview themes (chart colours, badges, warnings, the
 * progress bar), with VS Code's Dark Modern and Light Modern values.
 */
const DASHBOARD_THEMES = {
  dark: `:root{--vscode-charts-foreground:#cccccc;--vscode-charts-red:#f14c4c;--vscode-charts-blue:#3794ff;--vscode-charts-yellow:#cca700;--vscode-charts-orange:#d18616;--vscode-charts-green:#89d185;--vscode-charts-purple:#b180d7;--vscode-badge-background:#616161;--vscode-badge-foreground:#f8f8f8;--vscode-editorWarning-foreground:#cca700;--vscode-progressBar-background:#0078d4}`,
  light: `:root{--vscode-charts-foreground:#616161;--vscode-charts-red:#e51400;--vscode-charts-blue:#1a85ff;--vscode-charts-yellow:#bf8803;--vscode-charts-orange:#d18616;--vscode-charts-green:#388a34;--vscode-charts-purple:#652d90;--vscode-badge-background:#cccccc;--vscode-badge-foreground:#3b3b3b;--vscode-editorWarning-foreground:#bf8803;--vscode-progressBar-background:#005fb8}`,
};

/** One dashboard preview page. */
export interface DashboardPreviewPage {
  readonly name: string;
  readonly options: DashboardPreviewOptions;
  readonly theme: 'dark' | 'light';
}

/**
 * Writes the page for `p` under `outDir` (its options script, the bundled fake host, the theme CSS) and returns the
 * page's path. The page is the host's `buildWebviewHtml` output with the two preview scripts added under its nonce.
 */
export function writeDashboardPreviewPage(p: DashboardPreviewPage, outDir = DASHBOARD_PREVIEW_OUT): string {
  mkdirSync(outDir, { recursive: true });
  const file = (name: string): string => join(outDir, name);
  const url = (path: string): string => pathToFileURL(path).toString();
  buildSync({ entryPoints: [join(ROOT, 'scripts', 'dashboardPreviewHost.ts')], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', outfile: file('dashboard-host.js'), logLevel: 'warning' });
  writeFileSync(file(`dashboard-theme-${p.theme}.css`), THEMES[p.theme] + DASHBOARD_THEMES[p.theme]);
  writeFileSync(file(`${p.name}.data.js`), `window.__DASHBOARD_PREVIEW__ = ${JSON.stringify(p.options)};`);
  const nonce = makeNonce();
  const html = buildWebviewHtml({
    cspSource: 'file:',
    scriptUri: url(join(ROOT, 'dist', 'dashboard.js')),
    styleUris: [url(file(`dashboard-theme-${p.theme}.css`)), url(join(ROOT, 'media', 'webview.css')), url(join(ROOT, 'media', 'dashboard.css'))],
    nonce,
    title: 'Dataset Dashboard',
  }).replace(`<script nonce="${nonce}" src=`, `<script nonce="${nonce}" src="${url(file(`${p.name}.data.js`))}"></script>\n    <script nonce="${nonce}" src="${url(file('dashboard-host.js'))}"></script>\n    <script nonce="${nonce}" src=`);
  const page = file(`${p.name}.html`);
  writeFileSync(page, html);
  return page;
}
