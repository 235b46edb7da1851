// media/*.css imported as a string: esbuild.mjs bundles webview/dashboard/standalonePage.ts with `loader: { '.css': 'text' }`.
declare module '*.css' {
  const text: string;
  // eslint-disable-next-line no-restricted-syntax -- esbuild's text loader gives the file as the default export.
  export default text;
}
