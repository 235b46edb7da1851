// Runs the extension-host suites of test/integration/electron (written for @vscode/test-cli, which needs a desktop
// VS Code download) inside code-server's extension host, so the offline CI exercises the `vscode` API paths too:
// command registration, vscode.executeHoverProvider, the decoration dump setting.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type EditorSession, type HostTestOutcome, startEditorSession } from './harness/session.js';

const SUITES_DIR = resolve(__dirname, '../electron');
const suites = readdirSync(SUITES_DIR).filter((f) => f.endsWith('.itest.ts')).map((f) => join(SUITES_DIR, f));

describe('extension-host suites inside code-server', { timeout: 300_000 }, () => {
  let session: EditorSession;
  let outcome: HostTestOutcome;

  before(async () => {
    session = await startEditorSession({ name: 'extension-host', hostTests: suites, dumpDecorations: true });
    outcome = await session.waitForHostTests();
  });

  after(async () => {
    await session?.close();
  });

  test('every extension-host test ran and passed', async (t) => {
    assert.ok(suites.length > 0, `no suites in ${SUITES_DIR}`);
    const report = outcome.report;
    assert.ok(report, `the runner did not report: ${outcome.status}`);
    // One subtest per mocha test, so a failure names the test and carries its message.
    for (const mochaTest of report.tests) {
      await t.test(mochaTest.fullTitle, () => {
        assert.equal(mochaTest.err.message, undefined, mochaTest.err.stack ?? mochaTest.err.message);
      });
    }
    assert.ok(report.stats.tests > 0, 'mocha ran no tests');
    assert.equal(outcome.status, 'passed');
  });
});
