// Answering VS Code's quick inputs from a test: a quick pick's entry, and code-server's Open dialog (a quick input
// holding a path).
import { type EditorSession, waitUntil } from './session.js';

/** Picks the entry of the open quick pick whose label is exactly `label`, after typing `filter` into it. */
export async function pickEntry(session: EditorSession, filter: string, label: string | RegExp): Promise<void> {
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(filter);
  const row = session.page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: session.page.locator('.label-name', { hasText: label }) })
    .first();
  await row.waitFor();
  await row.click();
}

/** Answers code-server's Open dialog (a quick input holding a path) with `path`. */
export async function openDialogAnswer(session: EditorSession, path: string): Promise<void> {
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  // The dialog starts at a folder (its input then holds that folder's path, ending in a slash).
  await waitUntil(async () => (await input.isVisible()) && (await input.inputValue()).endsWith('/'), 20_000, 'the Open dialog');
  // The dialog completes what is typed as it goes: on a busy machine an Enter can land before it has caught up with
  // the filled path and only re-list a folder. Then the path is filled and accepted again, up to three times.
  // It can also rewrite the input while it completes: the path is filled again until the input holds it.
  for (let attempt = 1; ; attempt++) {
    await input.fill(path);
    const holds = await waitUntil(async () => (await input.inputValue()) === path, 3_000, 'the Open dialog to hold the path').then(
      () => true,
      () => false,
    );
    if (!holds && attempt < 3) continue;
    await session.page.waitForTimeout(300 * attempt);
    await session.page.keyboard.press('Enter');
    try {
      await input.waitFor({ state: 'hidden', timeout: 8_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

