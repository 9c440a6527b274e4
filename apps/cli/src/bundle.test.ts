// What scripts/bundle.mjs builds: dist/volt.cjs and one dist/deps/NAME.cjs per src/deps/NAME.ts, plain
// CommonJS that Node's own loader loads, `volt X` loading only X's bundle.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from './testing/volt-bin.js';

const dist = dirname(VOLT_BIN);
const example = fileURLToPath(new URL('../../../examples/web.yaml', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  readonly version: string;
};

// Preloaded into the runs below: at exit, prints every module Node's CommonJS loader loaded (require.cache).
const scratch = mkdtempSync(join(tmpdir(), 'volt-bundle-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const reportLoaded = join(scratch, 'report-loaded.cjs');
writeFileSync(
  reportLoaded,
  'process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(Object.keys(require.cache)) + "\\n"));\n',
);

/** Runs the built `volt` and returns its output and the files the CommonJS loader loaded, outside this test. */
function voltLoading(...args: string[]): { readonly stdout: string; readonly loaded: readonly string[] } {
  const run = spawnSync(process.execPath, ['--require', reportLoaded, VOLT_BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  const line = run.stderr.split('\n').find((text) => text.startsWith('LOADED '));
  const loaded = JSON.parse(line?.slice('LOADED '.length) ?? '[]') as string[];
  return { stdout: run.stdout, loaded: loaded.filter((file) => file !== realpathSync(reportLoaded)) };
}

const inDist = (files: readonly string[]) =>
  files.filter((file) => file.startsWith(`${dist}/`)).map((file) => relative(dist, file));

describe('the built CLI', () => {
  it('is volt.cjs and one bundle per command, nothing else', () => {
    const sources = readdirSync(fileURLToPath(new URL('./deps', import.meta.url)))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `deps/${file.replace(/\.ts$/, '.cjs')}`);
    const built = readdirSync(dist, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dist, join(entry.parentPath, entry.name)));
    expect(built.sort()).toEqual(['volt.cjs', ...sources].sort());
  });

  it('starts with volt.cjs alone, which carries the version of package.json', () => {
    const run = voltLoading('--version');
    expect(run.stdout.trim()).toBe(version);
    expect(run.loaded).toEqual([VOLT_BIN]);
  });

  it.each([
    [['render', '--name', 'demo'], 'deps/render.cjs'],
    [['seccomp', 'export', '--format', 'nspawn', '--profile', 'default'], 'deps/seccomp.cjs'],
    [['probe'], 'deps/probe.cjs'],
  ])('volt %j loads volt.cjs and %s, through Node’s loader', (args, bundle) => {
    const run = voltLoading(...args);
    expect(run.stdout).not.toBe('');
    expect(run.loaded).toEqual([VOLT_BIN, join(dist, bundle)]);
  });

  it('loads yaml, left out of the bundles, from node_modules only for a profile file', () => {
    const run = voltLoading('render', '--profile', example);
    expect(inDist(run.loaded)).toEqual(['volt.cjs', 'deps/render.cjs']);
    const outside = run.loaded.filter((file) => !file.startsWith(`${dist}/`));
    expect(outside.length).toBeGreaterThan(0);
    for (const file of outside) expect(file).toMatch(/[\\/]node_modules[\\/](\.pnpm[\\/].*[\\/])?yaml[\\/]/);
  });

  it.each([
    [['validate'], 'deps/validate.cjs'],
    [['explain'], 'deps/explain.cjs'],
  ])('volt %j FILE loads volt.cjs and %s, and yaml', (args, bundle) => {
    const run = voltLoading(...args, example);
    expect(inDist(run.loaded)).toEqual(['volt.cjs', bundle]);
  });

  it('volt completion loads its generator only, no package', () => {
    const run = voltLoading('completion', 'bash');
    expect(run.loaded).toEqual([VOLT_BIN, join(dist, 'deps/completion.cjs')]);
  });

  it('finds @volt/landlock’s helper next to its package.json (import.meta.resolve in CommonJS)', () => {
    const helper = spawnSync(
      process.execPath,
      ['-p', `require(${JSON.stringify(join(dist, 'deps/sandbox.cjs'))}).landlock.landlockHelperPath()`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(helper.stderr).toBe('');
    const landlockPackage = realpathSync(
      fileURLToPath(new URL('../node_modules/@volt/landlock/package.json', import.meta.url)),
    );
    expect(helper.stdout.trim()).toBe(join(dirname(landlockPackage), 'dist/volt-landlock'));
  });
});
