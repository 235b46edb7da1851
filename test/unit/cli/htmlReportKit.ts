// What the `--html` suites share: the built CLI and its page renderer (dist/cli.js + dist/htmlReport.js, rebuilt
// when older than a source), running that CLI, and reading a written page back with linkedom.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { ensureBundle } from '../webview/browserKit.js';
import { ROOT } from '../../../scripts/webviewPreviewPage.js';

/** Rebuilds dist/ when the CLI or the report renderer is missing or older than a source they are built from. */
export function ensureCliBundles(): void {
  ensureBundle('cli.js', ['src']);
  ensureBundle('htmlReport.js', ['webview', 'src/core', 'src/protocol', 'media']);
}

/** Runs `node dist/cli.js …args` in `cwd`; the page renderer is loaded from beside it, as in an installed CLI. */
export function runBuiltCli(args: readonly string[], cwd: string = ROOT): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The part of a linkedom element the suites read (the test tsconfig has no DOM types). */
export interface PageElement {
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly textContent: string | null;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
  readonly classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

/** A written page, parsed. */
export interface Page {
  readonly head: PageElement;
  readonly body: PageElement;
  readonly all: readonly PageElement[];
  /** `querySelectorAll` over the whole document, as an array. */
  select(selector: string): PageElement[];
}

export function parsePage(html: string): Page {
  const { document } = parseHTML(html) as unknown as { document: { head: PageElement; body: PageElement; documentElement: PageElement } };
  const select = (selector: string): PageElement[] => Array.from(document.documentElement.querySelectorAll(selector));
  return { head: document.head, body: document.body, all: select('*'), select };
}

/** Every `<title>` hover text inside `root`'s SVGs. */
export function hoverTitles(root: PageElement): string[] {
  return Array.from(root.querySelectorAll('svg title')).map((t) => t.textContent ?? '');
}

/** Formatting as the dashboard shows figures: a fraction as `81.3%`, a score as `0.812`. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
export const num = (x: number): string => x.toFixed(3);
