// Bundles the CLI into dist/ as CommonJS, for Node's own loader: volt.cjs, the executable (commander and
// the command definitions), and per command one self-contained file of what it uses of the packages,
// dist/deps/NAME.cjs, which the command's action requires, so that `volt X` loads only what X needs.
import { readdir, readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });
const { version } = JSON.parse(await readFile('package.json', 'utf8'));
const deps = (await readdir('src/deps')).filter((file) => file.endsWith('.ts')).sort();

/** The commands import their packages through src/deps/NAME.js; volt.cjs requires dist/deps/NAME.cjs then. */
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
  // CommonJS: Node runs a CommonJS entry without starting its ES module loader.
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  // import() becomes require(): a command's bundle is loaded by the CommonJS loader too.
  supported: { 'dynamic-import': false },
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
  // Loaded lazily and only for profile files, through Node's require.
  external: ['yaml'],
  outExtension: { '.js': '.cjs' },
};

/** Builds, and fails on any warning (import.meta left in CommonJS would be one). */
async function bundle(options) {
  const result = await build({ ...common, ...options });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warned:\n${result.warnings.map((warning) => warning.text).join('\n')}`);
  }
}

// volt.cjs: commander and the command definitions, nothing of the packages but @volt/core's errors.
await bundle({
  entryPoints: { volt: 'src/main.ts' },
  outdir: 'dist',
  define: { VOLT_VERSION: JSON.stringify(version) },
  plugins: [depsStayOutOfMain],
});

// dist/deps/NAME.cjs: what one command uses, each file whole (no chunks shared with another command), so
// that esbuild keeps only the modules that command reaches by name (chunks shared between commands would
// carry every module any of them reaches through a package's index).
await bundle({
  entryPoints: deps.map((file) => `src/deps/${file}`),
  outdir: 'dist/deps',
  // @volt/landlock finds its helper with import.meta.resolve, which CommonJS lacks: src/import-meta.ts.
  define: { 'import.meta.resolve': 'importMetaResolve' },
  inject: ['src/import-meta.ts'],
});
