// Import boundaries from STYLE.md §3.2, enforced per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noVscode = { paths: [{ name: 'vscode', message: 'Only src/vscode may import vscode.' }], patterns: [{ group: ['**/vscode/**'], message: 'Only src/vscode may import the VS Code adapters.' }] };
const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'url', 'util', 'stream', 'zlib', 'http', 'https', 'net'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.test-output/**', '.cache/**', 'test/fixtures/**', 'examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only (STYLE.md §3.7).' }],
    },
  },
  {
    files: ['*.mjs', 'scripts/**/*.mjs', 'test/**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: noVscode.paths, patterns: [...noVscode.patterns, { group: nodeBuiltins, message: 'The pure core imports no Node built-ins (STYLE.md §3.2).' }, { group: ['onnxruntime-node', '**/model/**', '**/cli/**', '**/webview/**'], message: 'The pure core imports only the core.' }] }],
      'no-restricted-globals': ['error', { name: 'document', message: 'No DOM in the core.' }, { name: 'window', message: 'No DOM in the core.' }, { name: 'process', message: 'No Node globals in the core.' }, { name: 'require', message: 'No Node globals in the core.' }, { name: 'Buffer', message: 'No Node globals in the core.' }],
    },
  },
  {
    files: ['src/model/**/*.ts', 'src/cli/**/*.ts', 'test/unit/**/*.ts', 'test/parity/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: noVscode.paths, patterns: [...noVscode.patterns, { group: nodeBuiltins, message: 'Webviews run in a browser.' }, { group: ['onnxruntime-node', '**/src/model/**'], message: 'Webviews run in a browser.' }] }] },
  },
);
