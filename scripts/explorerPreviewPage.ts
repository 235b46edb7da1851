// The Dataset Explorer preview: the host's HTML shell with its CSP (buildWebviewHtml), media/webview.css +
// media/explorer.css and dist/explorer.js, wired to an in-page fake host (explorerPreviewHost.ts, bundled here) that
// answers the protocol from synthetic rows. Used by test/unit/webview/explorerBrowser.test.ts.
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// eslint-disable-next-line no-restricted-imports -- webviewHtml.ts is pure string building (no `vscode` import); the preview must use the host's exact page and CSP.
import { buildWebviewHtml, makeNonce } from '../src/vscode/webviewHtml.js';
import type { ExplorerPreviewOptions } from './explorerPreviewData.js';
import { ROOT, THEMES } from './webviewPreviewPage.js';

/** Where explorer previews and screenshots go. */
export const EXPLORER_PREVIEW_OUT = join(ROOT, '.test-output', 'webview');

/**
 * Theme variables the explorer's controls read beyond the shared preview themes (inputs, menus, checkboxes, list
 * selection, progress), with VS Code's Dark Modern and Light Modern values.
 */
const CONTROL_THEMES = {
  dark: `:root{--vscode-settings-textInputBackground:#313131;--vscode-settings-textInputBorder:#3c3c3c;--vscode-settings-textInputForeground:#cccccc;--vscode-input-placeholderForeground:#989898;--vscode-settings-checkboxBackground:#313131;--vscode-settings-checkboxBorder:#3c3c3c;--vscode-settings-checkboxForeground:#cccccc;--vscode-settings-dropdownBackground:#313131;--vscode-settings-dropdownBorder:#3c3c3c;--vscode-settings-dropdownForeground:#cccccc;--vscode-settings-dropdownListBorder:#454545;--vscode-list-activeSelectionBackground:#04395e;--vscode-list-activeSelectionForeground:#ffffff;--vscode-list-focusOutline:#0078d4;--vscode-progressBar-background:#0078d4;--vscode-editorWarning-foreground:#cca700;--vscode-editorWidget-border:#454545;--vscode-widget-shadow:rgba(0,0,0,0.36);--vscode-inputValidation-errorBackground:#5a1d1d;--vscode-inputValidation-errorBorder:#be1100}`,
  light: `:root{--vscode-settings-textInputBackground:#ffffff;--vscode-settings-textInputBorder:#cecece;--vscode-settings-textInputForeground:#3b3b3b;--vscode-input-placeholderForeground:#767676;--vscode-settings-checkboxBackground:#f8f8f8;--vscode-settings-checkboxBorder:#cecece;--vscode-settings-checkboxForeground:#3b3b3b;--vscode-settings-dropdownBackground:#ffffff;--vscode-settings-dropdownBorder:#cecece;--vscode-settings-dropdownForeground:#3b3b3b;--vscode-settings-dropdownListBorder:#cecece;--vscode-list-activeSelectionBackground:#e8e8e8;--vscode-list-activeSelectionForeground:#000000;--vscode-list-focusOutline:#005fb8;--vscode-progressBar-background:#005fb8;--vscode-editorWarning-foreground:#bf8803;--vscode-editorWidget-border:#c8c8c8;--vscode-widget-shadow:rgba(0,0,0,0.16);--vscode-inputValidation-errorBackground:#f2dede;--vscode-inputValidation-errorBorder:#be1100}`,
};

/** One explorer preview page. */
export interface ExplorerPreviewPage {
  readonly name: string;
  readonly options: ExplorerPreviewOptions;
  readonly theme: 'dark' | 'light';
}

/**
 * Writes the page for `p` under `outDir` (its options script, the bundled fake host, the theme CSS) and returns the
 * page's path. The page is the host's `buildWebviewHtml` output with the two preview scripts added under its nonce.
 */
export function writeExplorerPreviewPage(p: ExplorerPreviewPage, outDir = EXPLORER_PREVIEW_OUT): string {
  mkdirSync(outDir, { recursive: true });
  const file = (name: string): string => join(outDir, name);
  const url = (path: string): string => pathToFileURL(path).toString();
  buildSync({ entryPoints: [join(ROOT, 'scripts', 'explorerPreviewHost.ts')], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', outfile: file('explorer-host.js'), logLevel: 'warning' });
  writeFileSync(file(`theme-${p.theme}.css`), THEMES[p.theme] + CONTROL_THEMES[p.theme]);
  writeFileSync(file(`${p.name}.data.js`), `window.__EXPLORER_PREVIEW__ = ${JSON.stringify(p.options)};`);
  const nonce = makeNonce();
  const html = buildWebviewHtml({
    cspSource: 'file:',
    scriptUri: url(join(ROOT, 'dist', 'explorer.js')),
    styleUris: [url(file(`theme-${p.theme}.css`)), url(join(ROOT, 'media', 'webview.css')), url(join(ROOT, 'media', 'explorer.css'))],
    nonce,
    title: 'Dataset Explorer',
  }).replace(`<script nonce="${nonce}" src=`, `<script nonce="${nonce}" src="${url(file(`${p.name}.data.js`))}"></script>\n    <script nonce="${nonce}" src="${url(file('explorer-host.js'))}"></script>\n    <script nonce="${nonce}" src=`);
  const page = file(`${p.name}.html`);
  writeFileSync(page, html);
  return page;
}
