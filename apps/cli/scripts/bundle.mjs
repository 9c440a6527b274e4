// Bundles the CLI into dist/: one entry (main.js) plus a chunk per lazily imported command, so that
// `volt X` loads only what X needs in a few files instead of hundreds of modules.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });

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
  // Loaded lazily and only for profile files; Node's own loader gives its CommonJS build named exports.
  external: ['yaml'],
  // CommonJS dependencies (proper-lockfile) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __voltCreateRequire } from 'node:module';\nconst require = __voltCreateRequire(import.meta.url);",
  },
});
