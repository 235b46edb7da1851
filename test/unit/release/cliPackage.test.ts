// The CLI's own npm package: scripts/packageCli.ts stages it, `npm pack --dry-run --json` lists exactly the
// allow-list (bundles, the exporter without its test tooling, README, LICENSE), the manifest's fields follow the
// root package.json, and the staged cli.js runs on its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkPackFiles, CLI_BUNDLES, packDryRun, pythonFiles, REPO_ROOT, stageCliPackage, type CliManifest, type PackReport } from '../../../scripts/packageCli.js';

describe('the reward-lens CLI package', () => {
  // A private staging folder, so this suite never races `npm run package:cli` or another test over dist/.
  const dir = join(mkdtempSync(join(tmpdir(), 'rl-cli-package-')), 'cli-package');
  let manifest: CliManifest;
  let report: PackReport;

  before(async () => {
    manifest = await stageCliPackage(dir);
    report = packDryRun(dir);
  });

  it('packs exactly the allow-list: three minified bundles, the exporter, README, LICENSE, package.json', () => {
    assert.deepEqual(checkPackFiles(report.files, pythonFiles()), []);
    for (const f of report.files) assert.doesNotMatch(f, /(^|\/)(tests?|fixtures|testing|__pycache__|src|bench)\/|\.map$|\.ts$|\.pyc$/u);
    assert.ok(report.files.includes('python/reward_lens_export/__main__.py'), '`reward-lens export` runs the package');
    assert.ok(report.files.includes('python/requirements.txt'), 'the install hint names it');
    assert.ok(!report.files.some((f) => f.startsWith('python/reward_lens_export/testing/')), 'test tooling stays out');
    for (const b of CLI_BUNDLES) {
      const text = readFileSync(join(dir, b), 'utf8');
      assert.doesNotMatch(text, /sourceMappingURL/u, `${b} has no source map`);
      assert.ok(text.length / text.split('\n').length > 300, `${b} is minified (long lines; template literals keep their newlines)`);
    }
    assert.ok(report.size > 0 && report.size < 2 * 1024 * 1024, `tarball ${report.size} bytes`);
  });

  it('has its own manifest: name, bin, engines, and the root version and onnxruntime-node range', () => {
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; license: string; dependencies: Record<string, string> };
    const staged = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(staged, JSON.parse(JSON.stringify(manifest)));
    assert.equal(staged['name'], 'reward-lens');
    assert.equal(staged['version'], root.version);
    assert.equal(staged['license'], root.license);
    assert.equal(typeof staged['description'], 'string');
    assert.deepEqual(staged['bin'], { 'reward-lens': 'cli.js' });
    assert.deepEqual(staged['engines'], { node: '>=20' });
    assert.deepEqual(staged['dependencies'], { 'onnxruntime-node': root.dependencies['onnxruntime-node'] });
    assert.deepEqual(Object.keys(staged).sort(), ['bin', 'dependencies', 'description', 'engines', 'files', 'license', 'name', 'version']);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /--onnxruntime-node-install=skip/u);
    assert.equal(readFileSync(join(dir, 'cli.js'), 'utf8').split('\n')[0], '#!/usr/bin/env node');
    if (process.platform !== 'win32') assert.ok((statSync(join(dir, 'cli.js')).mode & 0o111) !== 0, 'cli.js is executable');
  });

  it('runs from the staged folder: --version, and inspect --json', () => {
    const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [join(dir, 'cli.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
    const version = run(['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), `reward-lens ${manifest.version}`);
    const inspect = run(['inspect', join('examples', 'trl-stepwise.jsonl'), '--json']);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal((JSON.parse(inspect.stdout) as { format: string }).format, 'trl-stepwise');
    assert.equal(inspect.stderr, '');
  });

  it('rejects a list with a test file, a source map or a missing bundle', () => {
    const good = [...CLI_BUNDLES, 'package.json', 'README.md', 'LICENSE', ...pythonFiles()];
    assert.deepEqual(checkPackFiles(good, pythonFiles()), []);
    assert.deepEqual(checkPackFiles([...good, 'cli.js.map', 'python/tests/test_export_cli.py'], pythonFiles()), ['cli.js.map must not be published', 'python/tests/test_export_cli.py must not be published']);
    assert.deepEqual(checkPackFiles(good.filter((f) => f !== 'modelWorker.js'), pythonFiles()), ['modelWorker.js is missing']);
    assert.deepEqual(checkPackFiles([...good, 'notes.txt'], pythonFiles()), ['notes.txt is not on the allow-list']);
  });
});
