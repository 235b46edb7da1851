// README's Commands and Settings tables are generated from package.json (npm run readme:tables); this fails when
// they drift apart, and checks the rendering rules on small manifests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { commandsTable, type ContributingManifest, generatedBlock, readmeBlock, settingsTable, withTables } from '../../../scripts/readmeTables.js';

const ROOT = resolve(__dirname, '../../..');

describe('README tables', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as ContributingManifest;
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  for (const name of ['commands', 'settings'] as const) {
    test(`README's ${name} table matches package.json (run npm run readme:tables)`, () => {
      const block = readmeBlock(readme, name);
      assert.ok(block !== undefined, `README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
      assert.equal(block, generatedBlock(name, manifest));
    });
  }

  test('every setting and every command a user can find has a row', () => {
    const settings = Object.keys(manifest.contributes?.configuration?.properties ?? {});
    assert.ok(settings.length > 0);
    for (const s of settings) assert.ok(readme.includes(`| \`${s}\` |`), s);
    assert.ok(readme.includes('| Reward Lens: Score This Trace | `Ctrl+Alt+Enter` (macOS `Cmd+Alt+Enter`) |'));
  });
});

describe('table rendering', () => {
  const manifest: ContributingManifest = {
    contributes: {
      commands: [
        { command: 'x.run', title: 'Run', category: 'X' },
        { command: 'x.sort', title: 'Sort' },
        { command: 'x.internal', title: 'Internal', category: 'X' },
      ],
      menus: {
        commandPalette: [
          { command: 'x.sort', when: 'false' },
          { command: 'x.internal', when: 'false' },
          { command: 'x.run', when: 'editorIsOpen' },
        ],
        'view/title': [{ command: 'x.sort', when: 'view == x.records' }],
        'editor/context': [{ command: 'x.run' }],
      },
      keybindings: [{ command: 'x.run', key: 'shift+alt+f9', mac: 'cmd+f9' }],
      views: { x: [{ id: 'x.records', name: 'Records' }] },
      configuration: {
        properties: {
          'x.mode': { type: 'string', default: '', enum: ['', 'a|b'], enumDescriptions: ['Off', 'Uses <file> and \\boxed{x}'], description: 'Plain *text*.' },
          'x.limit': { type: 'number', default: 8, minimum: 1, maximum: 256, markdownDescription: 'See `#x.mode#`\nand **more**.' },
          'x.map': { type: 'object', default: {}, markdownDescription: 'Keys.' },
        },
      },
    },
  };

  test('commands: palette and menus as places, keybindings per platform, internal commands left out', () => {
    assert.equal(
      commandsTable(manifest),
      [
        '| Command | Keybinding | Where |',
        '| --- | --- | --- |',
        '| X: Run | `Shift+Alt+F9` (macOS `Cmd+F9`) | Command Palette, editor context menu |',
        '| Sort |  | Records view title bar |',
      ].join('\n'),
    );
  });

  test('settings: defaults, enum values with descriptions, ranges, Markdown kept and plain text escaped', () => {
    assert.equal(
      settingsTable(manifest),
      [
        '| Setting | Default | Description |',
        '| --- | --- | --- |',
        '| `x.mode` | *(empty)* | Plain \\*text\\*. *(empty)*: Off; `a\\|b`: Uses \\<file\\> and \\\\boxed{x}. |',
        '| `x.limit` | `8` | See `x.mode` and **more**. From 1 to 256. |',
        '| `x.map` | `{}` | Keys. |',
      ].join('\n'),
    );
  });

  test('withTables rewrites only what is between the markers, and needs both pairs', () => {
    const doc = 'intro\n<!-- commands:start -->\nold\n<!-- commands:end -->\nmiddle\n<!-- settings:start --><!-- settings:end -->\nend\n';
    const out = withTables(doc, manifest);
    assert.ok(out.startsWith('intro\n<!-- commands:start -->\n<!-- Generated from package.json'));
    assert.ok(out.includes(`${commandsTable(manifest)}\n<!-- commands:end -->\nmiddle\n<!-- settings:start -->`));
    assert.ok(out.endsWith(`${settingsTable(manifest)}\n<!-- settings:end -->\nend\n`));
    assert.equal(withTables(out, manifest), out);
    assert.throws(() => withTables('no markers', manifest), /commands:start/);
  });
});
