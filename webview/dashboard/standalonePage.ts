// The Evaluate Dataset dashboard as one standalone HTML page, for `reward-lens eval --html` and `compare --html`.
// Runs in Node (esbuild.mjs bundles it as dist/htmlReport.js, loaded by src/cli/htmlReport.ts): linkedom gives
// the renderer a document, the plots come out as inline SVG, and the page carries its CSS and both themes' colours.
// No script, font, image or link from anywhere: the CSP says so, and the page opens offline in any browser.
import { parseHTML } from 'linkedom';
import type { DashboardView } from '../../src/protocol/dashboardMessages.js';
import dashboardCss from '../../media/dashboard.css';
import { renderDashboard } from './render.js';

/** The page's Content-Security-Policy: inline styles only; images only as data: URLs; nothing else loads. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * The `--vscode-*` variables the dashboard's CSS and plots read, as VS Code's Light Modern and Dark Modern themes
 * define them ([light, dark]); the rewardLens colours are package.json's `contributes.colors` defaults.
 */
export const THEME_VARIABLES: Readonly<Record<string, readonly [light: string, dark: string]>> = {
  'font-family': ['system-ui, -apple-system, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif', 'system-ui, -apple-system, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif'],
  'font-size': ['13px', '13px'],
  'font-weight': ['normal', 'normal'],
  'editor-font-family': ['ui-monospace, Menlo, Consolas, "Droid Sans Mono", monospace', 'ui-monospace, Menlo, Consolas, "Droid Sans Mono", monospace'],
  'editor-font-size': ['13px', '13px'],
  'editor-font-weight': ['normal', 'normal'],
  foreground: ['#3b3b3b', '#cccccc'],
  descriptionForeground: ['#717171', '#9d9d9d'],
  disabledForeground: ['#61616180', '#cccccc80'],
  errorForeground: ['#f85149', '#f85149'],
  focusBorder: ['#005fb8', '#0078d4'],
  'editor-background': ['#ffffff', '#1f1f1f'],
  'editor-foreground': ['#3b3b3b', '#cccccc'],
  'sideBar-background': ['#f8f8f8', '#181818'],
  'panel-background': ['#f8f8f8', '#181818'],
  'panel-border': ['#e5e5e5', '#2b2b2b'],
  'editorWidget-background': ['#f8f8f8', '#202020'],
  'editorWidget-foreground': ['#3b3b3b', '#cccccc'],
  'editorWidget-border': ['#e5e5e5', '#313131'],
  'widget-border': ['#e5e5e5', '#313131'],
  'widget-shadow': ['#00000029', '#0000005c'],
  'editorWarning-foreground': ['#bf8803', '#cca700'],
  'editorError-foreground': ['#e51400', '#f14c4c'],
  'editorInfo-foreground': ['#1a85ff', '#3794ff'],
  'textLink-foreground': ['#005fb8', '#4daafc'],
  'textLink-activeForeground': ['#005fb8', '#4daafc'],
  'textPreformat-foreground': ['#3b3b3b', '#d0d0d0'],
  'textPreformat-background': ['#0000001f', '#3c3c3c'],
  'textCodeBlock-background': ['#f8f8f8', '#2b2b2b'],
  'textBlockQuote-background': ['#f8f8f8', '#2b2b2b'],
  'textBlockQuote-border': ['#e5e5e5', '#616161'],
  'textSeparator-foreground': ['#0000002e', '#ffffff2e'],
  'list-hoverBackground': ['#f2f2f2', '#2a2d2e'],
  'list-activeSelectionBackground': ['#e8e8e8', '#04395e'],
  'list-activeSelectionForeground': ['#000000', '#ffffff'],
  'list-inactiveSelectionBackground': ['#e4e6f1', '#37373d'],
  'list-focusOutline': ['#005fb8', '#0078d4'],
  'tree-tableColumnsBorder': ['#61616120', '#cccccc20'],
  'tree-tableOddRowsBackground': ['#3b3b3b0a', '#cccccc0a'],
  'keybindingTable-headerBackground': ['#3b3b3b0a', '#cccccc0a'],
  'keybindingTable-rowsBackground': ['#3b3b3b0a', '#cccccc0a'],
  'badge-background': ['#cccccc', '#616161'],
  'badge-foreground': ['#3b3b3b', '#f8f8f8'],
  'button-background': ['#005fb8', '#0078d4'],
  'button-foreground': ['#ffffff', '#ffffff'],
  'button-hoverBackground': ['#0258a8', '#026ec1'],
  'button-border': ['#0000001a', '#ffffff12'],
  'button-secondaryBackground': ['#e5e5e5', '#313131'],
  'button-secondaryForeground': ['#3b3b3b', '#cccccc'],
  'button-secondaryHoverBackground': ['#cccccc', '#3c3c3c'],
  'input-background': ['#ffffff', '#313131'],
  'input-foreground': ['#3b3b3b', '#cccccc'],
  'input-border': ['#cecece', '#3c3c3c'],
  'inputValidation-errorBackground': ['#f2dede', '#5a1d1d'],
  'inputValidation-errorBorder': ['#be1100', '#be1100'],
  'scrollbarSlider-background': ['#64646466', '#79797966'],
  'scrollbarSlider-hoverBackground': ['#646464b3', '#646464b3'],
  'charts-foreground': ['#616161', '#cccccc'],
  'charts-lines': ['#61616180', '#cccccc80'],
  'charts-red': ['#e51400', '#f14c4c'],
  'charts-blue': ['#1a85ff', '#3794ff'],
  'charts-yellow': ['#bf8803', '#cca700'],
  'charts-orange': ['#d18616', '#d18616'],
  'charts-green': ['#388a34', '#89d185'],
  'charts-purple': ['#652d90', '#b180d7'],
  'diffEditor-insertedTextBackground': ['#9ccc2c40', '#9ccc2c33'],
  'diffEditor-removedTextBackground': ['#ff000033', '#ff000033'],
  'rewardLens-scoreHighForeground': ['#1a7f37', '#3fb950'],
  'rewardLens-scoreMidForeground': ['#9a6700', '#d29922'],
  'rewardLens-scoreLowForeground': ['#cf222e', '#f85149'],
  'rewardLens-scoreStaleForeground': ['#6e7781', '#8b949e'],
  'rewardLens-scoreHighBackground': ['#2ea0431f', '#2ea04326'],
  'rewardLens-scoreMidBackground': ['#d299221f', '#d2992226'],
  'rewardLens-scoreLowBackground': ['#f8514926', '#f8514933'],
  'rewardLens-scoreStaleBackground': ['#8080801a', '#8080801f'],
};

const declarations = (theme: 0 | 1): string =>
  Object.entries(THEME_VARIABLES)
    .map(([name, values]) => `--vscode-${name}:${values[theme]};`)
    .join('');

/**
 * Both themes (light by default, dark where the system prefers it), then what a VS Code webview's own default
 * stylesheet gives a page (body font, colours, padding), which media/dashboard.css builds on.
 */
const PAGE_CSS = `:root{color-scheme:light dark;${declarations(0)}}
@media (prefers-color-scheme: dark){:root{${declarations(1)}}}
body{margin:0;padding:0 20px 20px;background-color:var(--vscode-editor-background);color:var(--vscode-foreground);font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);font-weight:var(--vscode-font-weight)}
a{color:var(--vscode-textLink-foreground)}
code{font-family:var(--vscode-editor-font-family);color:var(--vscode-textPreformat-foreground);background-color:var(--vscode-textPreformat-background);padding:1px 3px;border-radius:4px}
:focus-visible{outline:1px solid var(--vscode-focusBorder);outline-offset:-1px}
`;

/**
 * HTML elements whose text linkedom 0.18 writes out verbatim (the raw-text and escapable raw-text elements): a
 * dataset string in one of them would be markup in the page. The renderer must not make them; see {@link guard}.
 */
const VERBATIM = new Set(['script', 'style', 'title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
const XHTML = 'http://www.w3.org/1999/xhtml';

/** Throws when the rendered dashboard holds an element linkedom would serialise unescaped, or any script. */
function guard(root: Element): void {
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    if (el.namespaceURI === XHTML && VERBATIM.has(el.localName)) throw new Error(`the dashboard rendered a <${el.localName}>, which a standalone report cannot serialise safely`);
    for (const attr of Array.from(el.attributes)) {
      if (/^on/iu.test(attr.name)) throw new Error(`the dashboard rendered an event handler attribute (${attr.name})`);
    }
  }
}

/** `&`, `<` and `>` as character references, for the one text linkedom writes verbatim: the page's `<title>`. */
const escapeText = (s: string): string => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');

/** Strips what cannot appear in a document title (controls, bidi overrides) and keeps it one line. */
const titleText = (s: string): string => s.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, ' ').trim();

/** The whole standalone page of `view`: `<!DOCTYPE html>` to `</html>`. */
export function renderHtmlReport(view: DashboardView): string {
  const { document } = parseHTML('<!DOCTYPE html><html lang="en"><head></head><body></body></html>');
  const meta = (attrs: Record<string, string>): void => {
    const m = document.createElement('meta');
    for (const [k, v] of Object.entries(attrs)) m.setAttribute(k, v);
    document.head.append(m);
  };
  meta({ charset: 'utf-8' });
  meta({ 'http-equiv': 'Content-Security-Policy', content: REPORT_CSP });
  meta({ name: 'viewport', content: 'width=device-width, initial-scale=1' });
  meta({ name: 'color-scheme', content: 'light dark' });
  meta({ name: 'generator', content: 'Reward Lens' });
  const title = document.createElement('title');
  // linkedom writes a <title>'s text as it is (see VERBATIM), so it gets its character references here.
  title.textContent = escapeText(`Reward Lens — ${titleText(view.file)}`);
  document.head.append(title);
  for (const css of [PAGE_CSS, dashboardCss]) {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
  }
  const dashboard = renderDashboard(document, view, { interactive: false });
  guard(dashboard);
  document.body.append(dashboard);
  return `${document.toString()}\n`;
}
