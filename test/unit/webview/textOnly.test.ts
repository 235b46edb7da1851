// Guards on the webview sources and the page shell: dataset text may reach the DOM only through text APIs, and the
// page is a static shell with a strict CSP. A grep is crude, so it errs on the side of failing.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
// eslint-disable-next-line no-restricted-imports -- webviewHtml.ts is pure string building with no `vscode` import.
import { buildWebviewHtml, contentSecurityPolicy, makeNonce } from '../../../src/vscode/webviewHtml.js';

const ROOT = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => join(d.parentPath, d.name));
}

/** Code with comments stripped, so a comment naming a sink does not count. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const SINKS: readonly [string, RegExp][] = [
  ['innerHTML', /\binnerHTML\b/],
  ['outerHTML', /\bouterHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['d3 .html()', /\.html\s*\(/],
  ['document.write', /\bdocument\.write(ln)?\s*\(/],
  ['DOMParser', /\bDOMParser\b/],
  ['createContextualFragment', /\bcreateContextualFragment\b/],
  ['srcdoc', /\bsrcdoc\b/],
  ['eval', /\beval\s*\(|new Function\s*\(/],
  ['lit unsafeHTML', /\bunsafeHTML\b|\bunsafeSVG\b/],
  ['inline style attribute (blocked by the CSP)', /setAttribute\(\s*['"]style['"]|\.attr\(\s*['"]style['"]/],
  ['inline event handler attribute', /setAttribute\(\s*['"]on[a-z]+['"]|\.attr\(\s*['"]on[a-z]+['"]/],
  ['acquireVsCodeApi outside host.ts', /acquireVsCodeApi\s*</],
];

describe('webview sources use text APIs only', () => {
  const files = sources('webview');

  it('finds the webview sources', () => {
    assert.ok(files.some((f) => f.endsWith('renderTree.ts')));
    assert.ok(files.some((f) => f.endsWith('renderDiff.ts')));
  });

  for (const [name, pattern] of SINKS) {
    it(`no ${name}`, () => {
      const hits = files.filter((f) => !(name.startsWith('acquireVsCodeApi') && f.endsWith('host.ts'))).filter((f) => pattern.test(code(f)));
      assert.deepEqual(hits, []);
    });
  }

  it('acquireVsCodeApi is called in host.ts only', () => {
    const callers = files.filter((f) => /acquireVsCodeApi\s*[<(]/.test(code(f)));
    assert.deepEqual(
      callers.map((f) => f.slice(ROOT.length + 1)),
      ['webview/host.ts'],
    );
  });
});

describe('webview page shell', () => {
  const nonce = makeNonce();
  const html = buildWebviewHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css'],
    nonce,
    title: 'Trace Tree',
  });

  it('has a strict CSP: nonce scripts, no inline or eval, resources from the extension only', () => {
    const csp = contentSecurityPolicy('vscode-src', 'N0nce');
    assert.equal(csp, "default-src 'none'; script-src 'nonce-N0nce'; style-src vscode-src; img-src vscode-src data:; font-src vscode-src");
    assert.ok(html.includes(`content="default-src 'none'; script-src 'nonce-${nonce}'; style-src https://file+.vscode-resource.vscode-cdn.net;`));
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  });

  it('loads exactly one script, with the nonce, and no inline script or style', () => {
    assert.equal((html.match(/<script\b/g) ?? []).length, 1);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js"></script>`));
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('escapes attribute values it is given', () => {
    const evil = buildWebviewHtml({ cspSource: 'x', scriptUri: '"><img src=x onerror=alert(1)>', styleUris: [], nonce: 'n', title: '</title><script>' });
    assert.doesNotMatch(evil, /<img|<\/title><script>/);
    assert.ok(evil.includes('src="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"'));
  });

  it('makes fresh 32-character base64url nonces', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, b);
  });
});
