// What the headless-Chromium webview suites share: Debian's chromium (required under CI=true), and a fresh bundle.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT } from '../../../scripts/webviewPreviewPage.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the suite `what` can run: `false`, or the reason it is skipped. Under CI=true a missing chromium is an
 * error, never a skip.
 */
export function chromiumSkip(what: string): string | false {
  const missing = !existsSync(CHROMIUM);
  if (missing && process.env['CI'] === 'true') throw new Error(`${CHROMIUM} is missing; CI needs Debian's chromium for the ${what}.`);
  return missing ? `${CHROMIUM} is not installed (apt-get install chromium); skipping the ${what}` : false;
}

/** Launches Debian's chromium headless with the project's flags, file access allowed for preview pages. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--allow-file-access-from-files'] });
}

/** Rebuilds `dist/<bundle>` with esbuild.mjs when any file under `sources` is newer. */
export function ensureBundle(bundle: string, sources: readonly string[]): void {
  const path = join(ROOT, 'dist', bundle);
  const newest = sources
    .flatMap((d) => readdirSync(join(ROOT, d), { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => statSync(join(f.parentPath, f.name)).mtimeMs))
    .reduce((a, b) => Math.max(a, b), 0);
  if (!existsSync(path) || statSync(path).mtimeMs < newest) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
