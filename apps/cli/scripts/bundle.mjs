// Bundles the CLI into dist/: one entry (main.js) plus a chunk per lazily imported command, so that
// `volt X` loads only what X needs in a few files instead of hundreds of modules.
import { build } from 'esbuild';

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
  // CommonJS dependencies (proper-lockfile) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __voltCreateRequire } from 'node:module';\nconst require = __voltCreateRequire(import.meta.url);",
  },
});
