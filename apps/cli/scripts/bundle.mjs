// Bundles the CLI into dist/: one entry (main.js) plus a chunk per lazily imported command, so that
// `volt X` loads only what X needs in a few files instead of hundreds of modules.
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * commander requires node:child_process when it loads, for executable sub-commands, which volt does not
 * have; loading that module costs every command about 4 ms. This loads it only if commander ever spawns.
 * The build fails if commander's source no longer has the line, so an upgrade cannot drop this silently.
 */
const commanderLoadsChildProcessLazily = {
  name: 'commander-lazy-child-process',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`${path} no longer has: ${eager}`);
      const lazy =
        "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

await rm('dist', { recursive: true, force: true });
const { version } = JSON.parse(await readFile('package.json', 'utf8'));

await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [commanderLoadsChildProcessLazily],
  define: { VOLT_VERSION: JSON.stringify(version) },
  // Loaded lazily and only for profile files; Node's own loader gives its CommonJS build named exports.
  external: ['yaml'],
  // CommonJS dependencies (proper-lockfile) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __voltCreateRequire } from 'node:module';\nconst require = __voltCreateRequire(import.meta.url);",
  },
});
