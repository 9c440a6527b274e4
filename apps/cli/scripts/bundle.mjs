// Bundles the CLI into dist/: main.js (commander and the command definitions) and, per command, one
// self-contained file of what it uses of the packages (dist/deps/NAME.js, loaded by the command's action),
// so that `volt X` loads only what X needs, in two files instead of hundreds of modules.
import { readdir, readFile, rm } from 'node:fs/promises';
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
const deps = (await readdir('src/deps')).filter((file) => file.endsWith('.ts')).sort();

/** The commands import their packages through src/deps/NAME.js; main.js loads dist/deps/NAME.js then. */
const depsStayOutOfMain = {
  name: 'deps-stay-out-of-main',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/deps\/[a-z-]+\.js$/ }, ({ path }) => ({
      path: `./deps/${path.slice('../deps/'.length)}`,
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { VOLT_VERSION: JSON.stringify(version) },
  // Loaded lazily and only for profile files; Node's own loader gives its CommonJS build named exports.
  external: ['yaml'],
  // CommonJS dependencies (proper-lockfile) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __voltCreateRequire } from 'node:module';\nconst require = __voltCreateRequire(import.meta.url);",
  },
};

// main.js: commander and the command definitions, nothing of the packages but @volt/core's errors.
await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  plugins: [commanderLoadsChildProcessLazily, depsStayOutOfMain],
});

// dist/deps/NAME.js: what one command uses, each file whole (no chunks shared with another command), so
// that esbuild keeps only the modules that command reaches by name (chunks shared between commands would
// carry every module any of them reaches through a package's index).
await build({
  ...common,
  entryPoints: deps.map((file) => `src/deps/${file}`),
  outdir: 'dist/deps',
});
