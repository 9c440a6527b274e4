// A service that bundles a @volt package into one file with esbuild must get a file that loads: a dynamic
// import between the packages once made esbuild wrap @volt/core's modules for lazy initialisation and,
// with sideEffects:false, skip an initialisation (the bundle crashed at load).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// Inside this package, so that the bundle resolves yaml and @volt/landlock's package.json as a service would.
const scratch = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), '.bundle-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PACKAGES = [
  '@volt/core',
  '@volt/core/profile',
  '@volt/landlock',
  '@volt/seccomp',
  '@volt/cgroups',
  '@volt/netns',
  '@volt/nspawn',
] as const;

describe('each package bundled into one file with esbuild', () => {
  it.each(PACKAGES)('%s loads and exports its API', async (name) => {
    const outfile = join(scratch, `${name.replaceAll('/', '_')}.mjs`);
    await build({
      stdin: {
        contents: `import * as api from '${name}';\nprocess.stdout.write(String(Object.keys(api).length));\n`,
        resolveDir: scratch,
        loader: 'js',
      },
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);",
      },
    });
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(Number(run.stdout)).toBeGreaterThan(3);
  });
});
