/**
 * Renders the Marketplace icon, media/icon.png (128×128), from the activity-bar glyph media/reward-lens.svg: the lens
 * in white and its check mark in the high-score green on a navy tile (the galleryBanner colour in package.json).
 * Run once when the glyph changes, and commit the PNG:
 *
 *   node --import tsx scripts/renderIcon.ts [--chromium /usr/bin/chromium]
 *
 * Debian's headless Chromium, driven by playwright-core with a fresh profile; nothing is downloaded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(__dirname, '..');
const SIZE = 128;
/** package.json's galleryBanner.color; the banner and the tile share it. */
const TILE = '#14304f';
/** rewardLens.scoreHighForeground (dark), the badge colour of a good step. */
const CHECK = '#3fb950';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The page that is screenshotted: the glyph inline, restyled by CSS (its strokes use currentColor). */
export function iconPage(svg: string): string {
  return `<!doctype html><html><head><style>
html, body { margin: 0; width: ${SIZE}px; height: ${SIZE}px; background: transparent; overflow: hidden; }
.tile { box-sizing: border-box; width: ${SIZE}px; height: ${SIZE}px; border-radius: 26px; display: flex;
  align-items: center; justify-content: center; color: #ffffff;
  background: linear-gradient(145deg, #1f4a75 0%, ${TILE} 70%); }
.tile svg { width: 100px; height: 100px; stroke-width: 1.9; }
.tile svg path:last-of-type { stroke: ${CHECK}; stroke-width: 2.2; }
</style></head><body><div class="tile">${svg}</div></body></html>`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--chromium');
  const executablePath = at === -1 ? '/usr/bin/chromium' : (args[at + 1] ?? '/usr/bin/chromium');
  const svg = readFileSync(join(ROOT, 'media', 'reward-lens.svg'), 'utf8');
  const profile = mkdtempSync(join(tmpdir(), 'reward-lens-icon-'));
  const context = await chromium.launchPersistentContext(join(profile, 'user-data'), {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: SIZE, height: SIZE },
    deviceScaleFactor: 1,
    env: { ...process.env, XDG_CONFIG_HOME: join(profile, 'xdg-config'), XDG_CACHE_HOME: join(profile, 'xdg-cache') },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(iconPage(svg));
    const out = join(ROOT, 'media', 'icon.png');
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
    console.log(`wrote ${out}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

if (require.main === module && /renderIcon\.[cm]?[jt]s$/u.test(process.argv[1] ?? '')) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  });
}
