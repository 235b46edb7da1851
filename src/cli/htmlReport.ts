// `eval --html` and `compare --html`: the standalone dashboard page is drawn by dist/htmlReport.js
// (webview/dashboard/standalonePage.ts: linkedom, Observable Plot and the dashboard's CSS, bundled apart so that
// every other command starts without loading them). It is required from beside the running bundle when needed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardView } from '../protocol/dashboardMessages.js';

/** What dist/htmlReport.js exports. */
export interface HtmlReportModule {
  /** One self-contained HTML document: inline SVG plots and CSS, no script, nothing fetched. */
  renderHtmlReport(view: DashboardView): string;
}

/** The bundle's file name, beside cli.js (esbuild.mjs, scripts/packageCli.ts `CLI_BUNDLES`). */
export const HTML_REPORT_BUNDLE = 'htmlReport.js';

/**
 * Loads the page renderer from `here` (the running bundle's folder), or says why it cannot: the file is missing,
 * as when the CLI runs from source (the page needs the bundle `npm run build` writes).
 */
export function loadHtmlReport(here: string = __dirname): HtmlReportModule | { readonly missing: string } {
  const path = join(here, HTML_REPORT_BUNDLE);
  if (!existsSync(path)) return { missing: `--html needs the report renderer ${path}, which is missing (run "npm run build" and use dist/cli.js, or reinstall reward-lens).` };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle beside this one, loaded only for --html.
  const loaded = require(path) as Partial<HtmlReportModule>;
  if (typeof loaded.renderHtmlReport !== 'function') throw new Error(`${path} does not export renderHtmlReport; the installation is broken (rebuild or reinstall).`);
  return { renderHtmlReport: loaded.renderHtmlReport };
}
