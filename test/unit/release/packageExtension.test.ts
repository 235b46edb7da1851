// `npm run package --target linux-x64`, as CI needs it: this suite packages the linux-x64 VSIX (reused while its
// inputs are unchanged, the same file the code-server suites install) and checks its files against the allow-list
// and the size budget. The rules around it (targets, unused binaries, arguments, the size table) are checked on
// small fakes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import {
  bindingDir,
  missingBinding,
  type PackagedExtension,
  packageExtensionCached,
  parsePackageArgs,
  releaseManifest,
  sizeTable,
  TEST_VSIX_DIR,
  unusedBinaries,
  VSIX_BUDGET_BYTES,
} from '../../../scripts/packageExtension.js';

/** Every entry a linux-x64 VSIX may hold. */
const ALLOWED: readonly RegExp[] = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/LICENSE(\.txt)?$/,
  /^extension\/changelog\.md$/i,
  /^extension\/media\/[^/]+$/,
  /^extension\/dist\/(extension|webview|explorer|dashboard|modelWorker|generatorWorker|indexWorker)\.js$/,
  // The runtime closure of the production dependencies; bin/ is checked below.
  /^extension\/node_modules\/onnxruntime-(node|common)\//,
];

const REQUIRED = [
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/media/icon.png',
  'extension/media/reward-lens.svg',
  'extension/media/first-error.svg',
  'extension/media/webview.css',
  'extension/dist/extension.js',
  'extension/dist/webview.js',
  'extension/dist/explorer.js',
  'extension/media/explorer.css',
  'extension/dist/dashboard.js',
  'extension/media/dashboard.css',
  'extension/dist/indexWorker.js',
  'extension/dist/modelWorker.js',
  'extension/dist/generatorWorker.js',
  'extension/node_modules/onnxruntime-node/package.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
  'extension/node_modules/onnxruntime-common/package.json',
];

describe('the linux-x64 VSIX (npm run package --target linux-x64)', { timeout: 120_000 }, () => {
  let vsix: PackagedExtension;
  let files: Record<string, string>;

  before(() => {
    vsix = packageExtensionCached({ target: 'linux-x64', outDir: TEST_VSIX_DIR });
    const wanted = new Set(['extension/package.json', 'extension.vsixmanifest', 'extension/dist/extension.js', 'extension/dist/webview.js']);
    const unzipped = unzipSync(readFileSync(vsix.vsixPath), { filter: (f) => wanted.has(f.name) });
    files = Object.fromEntries(Object.entries(unzipped).map(([name, bytes]) => [name, strFromU8(bytes)]));
  });

  test('holds only allow-listed files, and every file the extension needs', () => {
    const stray = vsix.entries.filter((e) => !ALLOWED.some((re) => re.test(e)));
    assert.deepEqual(stray, [], 'entries outside the allow-list');
    const missing = REQUIRED.filter((e) => !vsix.entries.includes(e));
    assert.deepEqual(missing, [], 'required entries');
  });

  test('holds no source maps, CLI, bench, sources or tests', () => {
    const unwanted = vsix.entries.filter((e) => /\.map$|\/dist\/(cli|bench)\.js$|^extension\/(src|test|webview|scripts|bench|python|examples)\//.test(e));
    assert.deepEqual(unwanted, []);
  });

  test('holds only linux/x64 native binaries', () => {
    const binaries = vsix.entries.filter((e) => /\/bin\/napi-v\d+\//.test(e));
    assert.ok(binaries.length >= 2);
    for (const b of binaries) assert.match(b, /\/bin\/napi-v6\/linux\/x64\/[^/]+$/, `foreign binary ${b}`);
  });

  test('ships a production build: minified, without source-map comments', () => {
    for (const name of ['extension/dist/extension.js', 'extension/dist/webview.js']) {
      const js = files[name] ?? assert.fail(`${name} was not read`);
      assert.doesNotMatch(js, /sourceMappingURL/, name);
      const lines = js.split('\n').length;
      assert.ok(js.length / lines > 200, `${name}: ${lines} lines for ${js.length} characters is not minified`);
    }
  });

  test('its package.json runs nothing on install and carries the Marketplace fields', () => {
    const manifest = JSON.parse(files['extension/package.json'] ?? '{}') as Record<string, unknown>;
    for (const field of ['scripts', 'devDependencies', 'bin']) assert.equal(manifest[field], undefined, field);
    assert.equal(manifest['main'], './dist/extension.js');
    assert.equal(manifest['icon'], 'media/icon.png');
    assert.ok(manifest['galleryBanner'], 'galleryBanner');
    const keywords = manifest['keywords'];
    assert.ok(Array.isArray(keywords) && keywords.length > 0 && keywords.length <= 30, 'keywords (vsce allows 30)');
    assert.match(files['extension.vsixmanifest'] ?? '', /TargetPlatform="linux-x64"/);
    assert.match(files['extension.vsixmanifest'] ?? '', /<Icon>extension\/media\/icon\.png<\/Icon>/);
  });

  test(`is within the ${VSIX_BUDGET_BYTES / 1_000_000} MB budget`, () => {
    assert.ok(vsix.sizeBytes <= VSIX_BUDGET_BYTES, `${vsix.sizeBytes} bytes`);
  });
});

describe('packaging rules', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'reward-lens-package-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const fakeBinding = (nodeModules: string, target: 'darwin-arm64' | 'win32-x64' | 'linux-x64', files: Record<string, string>): string => {
    const dir = bindingDir(target, nodeModules);
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    writeFileSync(join(nodeModules, 'onnxruntime-node', 'package.json'), '{"version": "1.30.0"}');
    return dir;
  };

  test('darwin: the versioned dylib is dropped only when it is a byte-identical copy of the linked one', () => {
    const same = fakeBinding(join(tmp, 'same'), 'darwin-arm64', { 'onnxruntime_binding.node': 'b', 'libonnxruntime.1.dylib': 'lib', 'libonnxruntime.1.30.0.dylib': 'lib' });
    assert.deepEqual(unusedBinaries('darwin-arm64', same).map((u) => u.file), ['libonnxruntime.1.30.0.dylib']);
    const differs = fakeBinding(join(tmp, 'differs'), 'darwin-arm64', { 'onnxruntime_binding.node': 'b', 'libonnxruntime.1.dylib': 'lib', 'libonnxruntime.1.30.0.dylib': 'other' });
    assert.deepEqual(unusedBinaries('darwin-arm64', differs), []);
  });

  test('win32: DirectML.dll is dropped, the DXC compiler Dawn needs for WebGPU stays', () => {
    const dir = fakeBinding(join(tmp, 'win'), 'win32-x64', { 'onnxruntime_binding.node': 'b', 'onnxruntime.dll': 'o', 'DirectML.dll': 'd', 'dxcompiler.dll': 'c', 'dxil.dll': 'i' });
    assert.deepEqual(unusedBinaries('win32-x64', dir).map((u) => u.file), ['DirectML.dll']);
    assert.deepEqual(unusedBinaries('linux-x64', dir), []);
  });

  test('a target without a binding is named with the onnxruntime-node version', () => {
    const nodeModules = join(tmp, 'nobinding');
    fakeBinding(nodeModules, 'linux-x64', { 'onnxruntime_binding.node': 'b' });
    assert.equal(missingBinding('linux-x64', nodeModules), undefined);
    assert.match(missingBinding('darwin-x64', nodeModules) ?? '', /onnxruntime-node 1\.30\.0 ships no darwin\/x64 binding/);
    assert.match(missingBinding('linux-x64', join(tmp, 'empty')) ?? '', /not installed/);
  });

  test('arguments: flags, npm run without --, and refusals', () => {
    assert.deepEqual(parsePackageArgs([]), {});
    assert.deepEqual(parsePackageArgs(['--target', 'win32-arm64']), { target: 'win32-arm64' });
    assert.deepEqual(parsePackageArgs(['--target=linux-arm64', '--base-url=https://x.test/r']), { target: 'linux-arm64', baseUrl: 'https://x.test/r' });
    // `npm run package --target linux-x64` reaches the script as npm_config_target=true plus a bare argument.
    assert.deepEqual(parsePackageArgs(['linux-x64'], { npm_config_target: 'true' }), { target: 'linux-x64' });
    assert.deepEqual(parsePackageArgs([], { npm_config_target: 'darwin-arm64' }), { target: 'darwin-arm64' });
    assert.deepEqual(parsePackageArgs(['https://x.test/r'], { npm_config_base_url: 'true' }), { baseUrl: 'https://x.test/r' });
    assert.throws(() => parsePackageArgs(['--target', 'linux-armhf']), /unknown target linux-armhf/);
    assert.throws(() => parsePackageArgs(['--target']), /--target needs a value/);
    assert.throws(() => parsePackageArgs(['--base-url', 'http://x.test']), /https/);
    assert.throws(() => parsePackageArgs(['--out', 'x']), /unknown argument --out/);
  });

  test('the shipped manifest keeps the contributions and drops scripts, devDependencies and bin', () => {
    const m = releaseManifest({ name: 'n', publisher: 'p', version: '1.0.0', scripts: { 'vscode:prepublish': 'x' }, devDependencies: {}, bin: {}, contributes: { commands: [] } });
    assert.deepEqual(m, { name: 'n', publisher: 'p', version: '1.0.0', contributes: { commands: [] } });
  });

  test('the size table marks skipped targets and those over budget', () => {
    const ext = (target: 'linux-x64' | 'win32-x64', sizeBytes: number): PackagedExtension => ({ vsixPath: join(tmp, `${target}.vsix`), target, id: 'p.n', version: '1', entries: [], sizeBytes });
    const table = sizeTable([
      { target: 'linux-x64', extension: ext('linux-x64', 17_800_000) },
      { target: 'darwin-x64', skipped: 'no binding' },
      { target: 'win32-x64', extension: ext('win32-x64', 31_000_000) },
    ]);
    const lines = table.split('\n');
    assert.match(lines[0] ?? '', /^target\s+size\s+budget 30\.0 MB\s+file$/);
    assert.match(lines[1] ?? '', /^linux-x64\s+17\.8 MB\s+ok\s/);
    assert.match(lines[2] ?? '', /^darwin-x64\s+-\s+skipped\s+no binding$/);
    assert.match(lines[3] ?? '', /^win32-x64\s+31\.0 MB\s+OVER BUDGET\s/);
  });
});
