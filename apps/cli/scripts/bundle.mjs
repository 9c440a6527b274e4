// Bundles the CLI into dist/ as CommonJS (Node starts a CommonJS entry without its ES module loader):
// volt.cjs (the executable: loads the others with their V8 code cache, src/bundle-loader.ts), main.cjs
// (commander and the command definitions) and, per command, one self-contained file of what it uses of
// the packages (dist/deps/NAME.cjs, loaded by the command's action), so that `volt X` loads only what X
// needs, in three files instead of hundreds of modules. Then it runs the commands that change nothing
// (render, seccomp export) once so that V8 writes the code cache of what they compiled.
import { spawnSync } from 'node:child_process';
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

/** The commands import their packages through src/deps/NAME.js; main.cjs loads dist/deps/NAME.cjs then. */
const depsStayOutOfMain = {
  name: 'deps-stay-out-of-main',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/deps\/[a-z-]+\.js$/ }, ({ path }) => ({
      path: `./deps/${path.slice('../deps/'.length, -'.js'.length)}.cjs`,
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  // import() becomes require(), which the bundle loader serves from the code cache too.
  supported: { 'dynamic-import': false },
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
  // @volt/landlock finds its helper with import.meta.resolve, which CommonJS lacks: src/import-meta.ts.
  define: { VOLT_VERSION: JSON.stringify(version), 'import.meta.resolve': 'importMetaResolve' },
  inject: ['src/import-meta.ts'],
  // Loaded lazily and only for profile files, through Node's require.
  external: ['yaml'],
};

/** Builds, and fails on any warning (import.meta left in CommonJS would be one). */
async function bundle(options) {
  const result = await build({ ...common, ...options });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warned:\n${result.warnings.map((warning) => warning.text).join('\n')}`);
  }
}

// volt.cjs: the executable, the bundle loader and nothing else.
await bundle({
  entryPoints: { volt: 'src/bin.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
});

// main.cjs: commander and the command definitions, nothing of the packages but @volt/core's errors.
await bundle({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [commanderLoadsChildProcessLazily, depsStayOutOfMain],
});

// dist/deps/NAME.cjs: what one command uses, each file whole (no chunks shared with another command), so
// that esbuild keeps only the modules that command reaches by name (chunks shared between commands would
// carry every module any of them reaches through a package's index).
await bundle({
  entryPoints: deps.map((file) => `src/deps/${file}`),
  outdir: 'dist/deps',
  outExtension: { '.js': '.cjs' },
});

// The code caches: V8 serialises what a run compiled, so each comes from a run of its command. Only the
// commands without effects run here; the other bundles have no cache and compile as before.
for (const args of [
  ['render', '--name', 'code-cache'],
  ['seccomp', 'export', '--format', 'nspawn', '--profile', 'default'],
]) {
  const run = spawnSync(process.execPath, ['dist/volt.cjs', ...args], {
    env: { ...process.env, VOLT_CODE_CACHE: 'write' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0)
    throw new Error(`volt ${args.join(' ')} exited ${run.status} while writing code caches`);
}
