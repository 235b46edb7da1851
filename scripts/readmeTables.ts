/**
 * README's Commands and Settings tables, rendered from package.json's `contributes` so that they never drift:
 * test/unit/release/readmeTables.test.ts fails when README differs from what this renders.
 *
 *   npm run readme:tables      # rewrites the tables between README's marker comments
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

interface CommandContribution {
  readonly command: string;
  readonly title: string;
  readonly category?: string;
}

interface MenuItem {
  readonly command: string;
  readonly when?: string;
}

interface Keybinding {
  readonly command: string;
  readonly key: string;
  readonly mac?: string;
}

interface SettingContribution {
  readonly type?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly enumDescriptions?: readonly string[];
  readonly markdownEnumDescriptions?: readonly string[];
  readonly description?: string;
  readonly markdownDescription?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The parts of package.json the tables are made from. */
export interface ContributingManifest {
  readonly contributes?: {
    readonly commands?: readonly CommandContribution[];
    readonly menus?: Readonly<Record<string, readonly MenuItem[]>>;
    readonly keybindings?: readonly Keybinding[];
    readonly views?: Readonly<Record<string, readonly { readonly id: string; readonly name: string }[]>>;
    readonly configuration?: { readonly properties?: Readonly<Record<string, SettingContribution>> };
  };
}

/** The two generated blocks; each sits between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README. */
export type TableName = 'commands' | 'settings';

/** Text that can sit in a table cell: one line, pipes escaped (also inside code spans, as GFM requires). */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
}

/** Plain text (a `description`, an `enumDescriptions` entry) as Markdown that shows it as written. */
function plain(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}

function code(text: string): string {
  return text === '' ? '*(empty)*' : `\`${text}\``;
}

/** `shift+alt+f9` → `Shift+Alt+F9`. */
function keyLabel(key: string): string {
  return key
    .split('+')
    .map((k) => (k.length <= 1 ? k.toUpperCase() : k[0]?.toUpperCase() + k.slice(1)))
    .join('+');
}

/** Where a command can be found, from its menus; the Command Palette unless a `when: "false"` hides it there. */
function places(command: string, manifest: ContributingManifest): string[] {
  const menus = manifest.contributes?.menus ?? {};
  const viewName = (id: string): string =>
    Object.values(manifest.contributes?.views ?? {})
      .flat()
      .find((v) => v.id === id)?.name ?? id;
  const out: string[] = [];
  const hidden = (menus['commandPalette'] ?? []).some((m) => m.command === command && m.when === 'false');
  if (!hidden) out.push('Command Palette');
  for (const [menu, items] of Object.entries(menus)) {
    if (menu === 'commandPalette' || !items.some((m) => m.command === command)) continue;
    const view = /\bview == ([\w.]+)/.exec(items.find((m) => m.command === command)?.when ?? '')?.[1];
    if (menu === 'view/title') out.push(view === undefined ? 'view title bar' : `${viewName(view)} view title bar`);
    else if (menu === 'editor/title') out.push('editor title bar');
    else if (menu === 'editor/context') out.push('editor context menu');
    else if (menu === 'view/item/context') out.push(view === undefined ? 'view items' : `${viewName(view)} view items`);
    else out.push(menu);
  }
  return out;
}

/**
 * The Commands table: every command a user can find (the palette or a menu), with its keybinding. Commands hidden
 * from the palette and in no menu are reached from hovers and list items, and are left out.
 */
export function commandsTable(manifest: ContributingManifest): string {
  const c = manifest.contributes ?? {};
  const rows = (c.commands ?? []).flatMap((cmd) => {
    const where = places(cmd.command, manifest);
    if (where.length === 0) return [];
    const keys = (c.keybindings ?? [])
      .filter((k) => k.command === cmd.command)
      .map((k) => `\`${keyLabel(k.key)}\`${k.mac === undefined ? '' : ` (macOS \`${keyLabel(k.mac)}\`)`}`);
    const title = cmd.category === undefined ? cmd.title : `${cmd.category}: ${cmd.title}`;
    return [`| ${cell(title)} | ${cell(keys.join(', '))} | ${cell(where.join(', '))} |`];
  });
  return ['| Command | Keybinding | Where |', '| --- | --- | --- |', ...rows].join('\n');
}

function defaultLabel(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return code(value);
  return code(JSON.stringify(value));
}

function settingDescription(s: SettingContribution): string {
  // `#rewardLens.x#` is VS Code's link to another setting; on a web page it is just its name.
  const text = s.markdownDescription?.replace(/`?#([\w.]+)#`?/g, '`$1`') ?? plain(s.description ?? '');
  const parts = [text];
  if (s.enum !== undefined) {
    const described = s.markdownEnumDescriptions ?? s.enumDescriptions?.map(plain);
    const values = s.enum.map((v, i) => {
      const d = described?.[i];
      return d === undefined ? code(String(v)) : `${code(String(v))}: ${d}`;
    });
    parts.push(described === undefined ? `One of ${values.join(', ')}.` : `${values.join('; ')}.`);
  }
  if (s.minimum !== undefined && s.maximum !== undefined) parts.push(`From ${s.minimum} to ${s.maximum}.`);
  else if (s.minimum !== undefined) parts.push(`At least ${s.minimum}.`);
  else if (s.maximum !== undefined) parts.push(`At most ${s.maximum}.`);
  return parts.filter((p) => p !== '').join(' ');
}

/** The Settings table: every `contributes.configuration` property in package.json's order. */
export function settingsTable(manifest: ContributingManifest): string {
  const properties = manifest.contributes?.configuration?.properties ?? {};
  const rows = Object.entries(properties).map(
    ([name, s]) => `| \`${name}\` | ${cell(defaultLabel(s.default))} | ${cell(settingDescription(s))} |`,
  );
  return ['| Setting | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

export function renderTable(name: TableName, manifest: ContributingManifest): string {
  return name === 'commands' ? commandsTable(manifest) : settingsTable(manifest);
}

/** The text between a table's markers, as README holds it (undefined when the markers are missing). */
export function readmeBlock(readme: string, name: TableName): string | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end, from);
  return from === -1 || to === -1 ? undefined : readme.slice(from + start.length, to);
}

/** What goes between a table's markers. */
export function generatedBlock(name: TableName, manifest: ContributingManifest): string {
  return `\n<!-- Generated from package.json by \`npm run readme:tables\`: edit package.json, not this table. -->\n${renderTable(name, manifest)}\n`;
}

/** README with both tables rendered afresh; throws when a pair of markers is missing. */
export function withTables(readme: string, manifest: ContributingManifest): string {
  let out = readme;
  for (const name of ['commands', 'settings'] as const) {
    const block = readmeBlock(out, name);
    if (block === undefined) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
    const start = out.indexOf(`<!-- ${name}:start -->`) + `<!-- ${name}:start -->`.length;
    out = out.slice(0, start) + generatedBlock(name, manifest) + out.slice(start + block.length);
  }
  return out;
}

function main(): void {
  const readmePath = join(ROOT, 'README.md');
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as ContributingManifest;
  const readme = readFileSync(readmePath, 'utf8');
  const next = withTables(readme, manifest);
  if (next === readme) {
    console.log('README.md tables are up to date');
  } else {
    writeFileSync(readmePath, next);
    console.log('README.md: rewrote the Commands and Settings tables from package.json');
  }
}

if (require.main === module && /readmeTables\.[cm]?[jt]s$/u.test(process.argv[1] ?? '')) {
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
