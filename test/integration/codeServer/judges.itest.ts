// A generative judge in a real VS Code (code-server): the judge runs on an OpenAI-compatible server (a loopback
// server in this test that streams chat completions as vLLM does), Score This Trace puts each step's verdict and a
// critique snippet after it, the hover has the whole critique and says where the score comes from (the server
// returns log-probabilities, with no alternative verdict among them: all the probability is on the verdict), and Show Judge
// Reasoning opens the judge's output. The server plays ThinkPRM: it reads the `Step i:` lines of the prompt Reward
// Lens sent and judges the step holding "96 - 15 = 71" (errors.jsonl, record 1) wrong, and the steps after it too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeChat, startServer, thinkPrmReply, userText, type FakeServer, type Msg } from '../../support/fakeServers.js';
import { type DecorationDump, type EditorSession, startEditorSession } from './harness/session.js';

interface Spec {
  readonly stepIndex: number;
  readonly recordIndex: number;
  readonly badge: string;
  readonly bucket: string;
  readonly firstError: boolean;
}

const isErrors = (d: DecorationDump): boolean => d.uri.endsWith('/errors.jsonl');

describe('Reward Lens in a real VS Code: a generative judge on a server', { timeout: 300_000 }, () => {
  let session: EditorSession;
  let judge: FakeServer;
  const prompts = (): string[] => judge.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => userText((r.body as { messages: Msg[] }).messages));

  before(async () => {
    // A follow-up that only asks for the final Yes/No (one token) gets " No".
    judge = await startServer(
      fakeChat({
        models: ['test/ThinkPRM-1.5B'],
        reply: (m, body) => ((body['max_tokens'] as number) <= 1 ? ' No' : thinkPrmReply(userText(m), (s) => s.includes('96 - 15 = 71'), () => 'The subtraction is wrong: 96 - 15 = 81, not 71.')),
      }),
    );
    session = await startEditorSession({
      name: 'judges',
      dumpDecorations: true,
      settings: { 'rewardLens.judge': 'thinkprm', 'rewardLens.endpoint': judge.url, 'rewardLens.sidecarLocation': 'workspaceStorage' },
    });
  });

  after(async () => {
    await session?.close();
    await judge?.close();
  });

  test('Score This Trace puts the judge verdict and a critique snippet after each step', async () => {
    await session.openFile('errors.jsonl');
    await session.waitForStatusItem(/thinkprm judge/, 'errors.jsonl');
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => isErrors(d) && d.specs.length === 3);
    const specs = dump.specs as Spec[];
    assert.deepEqual(
      specs.map((s) => [s.recordIndex, s.stepIndex, s.bucket, s.firstError]),
      [
        [0, 0, 'high', false],
        [0, 1, 'low', true],
        [0, 2, 'low', false],
      ],
    );
    assert.match(specs[0]?.badge ?? '', /^1\.00 · .*arithmetic checks out/u);
    assert.match(specs[1]?.badge ?? '', /^0\.00 ✗ · .*The subtraction is wrong: 96 - 15 = 81/u);
    // The prompt the server got is ThinkPRM's, with the record's steps.
    assert.match(prompts()[0] ?? '', /^You are given a math problem and a proposed step-by-step solution:/u);
    assert.match(prompts()[0] ?? '', /96 - 15 = 71/u);
    await session.screenshot('01-judge-badges');
  });

  test('the hover has the whole critique and says the score comes from the verdict token probabilities', async () => {
    const hover = await session.hoverAt({ text: '96 - 15 = 71' });
    assert.ok(hover, 'a hover appeared');
    assert.match(hover, /step 2 of 3: 0\.000/u);
    assert.match(hover, /Model: thinkprm judge · test\/ThinkPRM-1\.5B on 127\.0\.0\.1:\d+/u);
    assert.match(hover, /thinkprm judge judged this step incorrect/u);
    assert.match(hover, /probability of the positive verdict token against the negative one/u);
    assert.match(hover, /Critique: .*The subtraction is wrong: 96 - 15 = 81, not 71\./u);
    assert.match(hover, /Show Judge Reasoning/u);
    await session.screenshot('02-judge-hover');
  });

  test('Show Judge Reasoning opens the judge output beside the data', async () => {
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Show Judge Reasoning');
    const lines = await session.waitForLines((ls) => ls.some((l) => l.text.startsWith('Judge: thinkprm')));
    const text = lines.map((l) => l.text).join('\n');
    assert.match(text, /Record: /u);
    assert.match(text, /Is the solution correct\? No/u);
    await session.screenshot('03-judge-reasoning');
  });
});
