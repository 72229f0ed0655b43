/**
 * The compiled script of a worker thread that lives beside the calling module. From the built
 * server that is the `.js` file next to it; under the test runner, which runs the TypeScript
 * sources, it is the same file in `dist/` (Node runs a worker's file itself, untransformed, so
 * tests of a worker need `npm run build` first, as the tests that spawn the CLI do).
 */
export function workerFile(callerUrl: string, name: string): URL {
  const beside = new URL(`./${name}.js`, callerUrl);
  if (!callerUrl.endsWith('.ts')) return beside;
  const at = beside.pathname.lastIndexOf('/src/');
  return new URL(`${beside.pathname.slice(0, at)}/dist/${beside.pathname.slice(at + '/src/'.length)}`, 'file://');
}
