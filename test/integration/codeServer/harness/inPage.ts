// Scripts evaluated inside the workbench page. They are plain JavaScript strings on purpose: the test tsconfig has
// no DOM types, and tsx (esbuild with keepNames) would wrap a real function in `__name(…)` calls that do not exist
// in the browser. Each script is one expression; `args` is bound by page.evaluate's argument.

/** Reads the active editor's rendered lines; see {@link RenderedLine}. Argument: none. */
export const READ_EDITOR_LINES = String.raw`(() => {
  const editor =
    document.querySelector('.editor-group-container.active .monaco-editor') ??
    document.querySelector('.editor-instance .monaco-editor');
  if (!editor) return null;
  // CSS 'content' values come back as a list of quoted strings ("a" "b"), or none/normal.
  const decodeContent = (value) => {
    if (!value || value === 'none' || value === 'normal') return '';
    let out = '';
    for (const m of value.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)) {
      const raw = m[1] ?? m[2] ?? '';
      out += raw.replace(/\\([0-9a-fA-F]{1,6})\s?|\\(.)/g, (_, hex, ch) => (hex ? String.fromCodePoint(parseInt(hex, 16)) : ch));
    }
    return out;
  };
  const decorations = [];
  const walk = (node) => {
    if (node.nodeType === 3) return node.data;
    if (node.nodeType !== 1) return '';
    const before = decodeContent(getComputedStyle(node, '::before').content);
    const after = decodeContent(getComputedStyle(node, '::after').content);
    if (before) decorations.push({ kind: 'before', text: before, className: node.className });
    let inner = '';
    for (const child of node.childNodes) inner += walk(child);
    if (after) decorations.push({ kind: 'after', text: after, className: node.className });
    return before + inner + after;
  };
  const numbers = new Map();
  for (const el of editor.querySelectorAll('.margin-view-overlays > div')) {
    const n = el.querySelector('.line-numbers');
    if (n && n.textContent.trim() !== '') numbers.set(Math.round(parseFloat(el.style.top)), Number(n.textContent.trim()));
  }
  const lines = [...editor.querySelectorAll('.view-lines .view-line')]
    .map((el) => ({ el, top: Math.round(parseFloat(el.style.top)) }))
    .sort((a, b) => a.top - b.top);
  return lines.map(({ el, top }) => {
    decorations.length = 0;
    const text = walk(el).replace(/\u00a0/g, ' ');
    return { lineNumber: numbers.get(top) ?? null, text, decorations: decorations.map((d) => ({ ...d, text: d.text.replace(/\u00a0/g, ' ') })) };
  });
})()`;

/**
 * Finds the first occurrence of args.text in the active editor's rendered lines and returns the viewport point at
 * the middle of its first character, or null. Argument: { text: string, occurrence: number }.
 */
export const LOCATE_TEXT = String.raw`((args) => {
  const editor =
    document.querySelector('.editor-group-container.active .monaco-editor') ??
    document.querySelector('.editor-instance .monaco-editor');
  if (!editor) return null;
  const lines = [...editor.querySelectorAll('.view-lines .view-line')].sort(
    (a, b) => parseFloat(a.style.top) - parseFloat(b.style.top),
  );
  let seen = 0;
  for (const line of lines) {
    const nodes = [];
    const it = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let n = it.nextNode(); n; n = it.nextNode()) nodes.push(n);
    const full = nodes.map((n) => n.data).join('').replace(/\u00a0/g, ' ');
    let from = 0;
    for (;;) {
      const at = full.indexOf(args.text, from);
      if (at < 0) break;
      if (seen++ === args.occurrence) {
        let offset = at;
        for (const n of nodes) {
          if (offset < n.data.length) {
            const range = document.createRange();
            range.setStart(n, offset);
            range.setEnd(n, offset + 1);
            const r = range.getBoundingClientRect();
            return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
          }
          offset -= n.data.length;
        }
      }
      from = at + 1;
    }
  }
  return null;
})`;
