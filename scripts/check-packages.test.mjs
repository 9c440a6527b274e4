// @ts-check
/**
 * Tests for scripts/check-packages.mjs: the pure manifest and isolation judgements, and the whole command
 * (pnpm pack, publint, attw, npm install of the tarballs) on fixture workspaces in a temporary directory.
 * The fixtures have no third-party dependencies, so nothing is fetched from a registry.
 * Run: node --test scripts/check-dependency-rules.test.mjs scripts/check-packages.test.mjs
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assessIsolation, checkPackedManifest, findInstalledInternalPackages } from './check-packages.mjs';

const SCRIPT = fileURLToPath(new URL('./check-packages.mjs', import.meta.url));

/**
 * A publishable manifest as the packed tarball should carry it.
 * @param {string} folder e.g. `cgroups`
 * @param {Record<string, unknown>} [overrides]
 * @returns {Record<string, unknown>}
 */
function goodManifest(folder, overrides = {}) {
  return {
    name: `@volt/${folder}`,
    version: '0.1.0',
    license: 'Apache-2.0',
    repository: { type: 'git', url: 'git+https://example.invalid/volt.git', directory: `packages/${folder}` },
    type: 'module',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './package.json': './package.json',
    },
    files: ['dist', '!dist/**/*.test.*', '!dist/**/*.map'],
    sideEffects: false,
    engines: { node: '>=20.19.0' },
    publishConfig: { access: 'public' },
    ...overrides,
  };
}

const PACKED_FILES = Object.freeze(['package.json', 'dist/index.js', 'dist/index.d.ts']);
const EXPECTED = Object.freeze({
  files: PACKED_FILES,
  repositoryDirectory: 'packages/cgroups',
  engines: '>=20.19.0',
});

describe('checkPackedManifest', () => {
  it('accepts a correct manifest, including a JSON asset and a second code entry point', () => {
    const manifest = goodManifest('cgroups', {
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './profile': { types: './dist/profile.d.ts', import: './dist/profile.js' },
        './schema.json': './dist/schema.json',
        './package.json': './package.json',
      },
    });
    const files = [...PACKED_FILES, 'dist/profile.js', 'dist/profile.d.ts', 'dist/schema.json'];
    assert.deepEqual(checkPackedManifest(manifest, { ...EXPECTED, files }), []);
  });

  it('rejects a workspace: range left in the packed manifest', () => {
    const manifest = goodManifest('cgroups', { dependencies: { '@volt/core': 'workspace:^' } });
    assert.deepEqual(checkPackedManifest(manifest, EXPECTED), [
      'dependencies.@volt/core is "workspace:^" in the packed manifest; it must be a semver range',
    ]);
  });

  it('rejects inexact exports maps', () => {
    /** @param {unknown} exportsMap */
    const problemsOf = (exportsMap) =>
      checkPackedManifest(goodManifest('cgroups', { exports: exportsMap }), EXPECTED);
    const packageJson = { './package.json': './package.json' };
    assert.match(
      problemsOf({ '.': { import: './dist/index.js', types: './dist/index.d.ts' }, ...packageJson }).join(
        '\n',
      ),
      /exports\["\."\] must be exactly \{ "types", "import" \} in that order/,
    );
    assert.match(
      problemsOf({
        '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './x.cjs' },
        ...packageJson,
      }).join(),
      /exports\["\."\] must be exactly/,
    );
    assert.match(
      problemsOf({ '.': { types: './dist/index.d.ts', import: './dist/index.js' } }).join(),
      /package\.json/,
    );
    assert.match(problemsOf({ '.': './dist/index.js', ...packageJson }).join(), /bare path to code/);
    assert.match(
      problemsOf({
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './*': './dist/*',
        ...packageJson,
      }).join(),
      /wildcard/,
    );
    assert.match(
      problemsOf({ '.': { types: './dist/main.d.ts', import: './dist/index.js' }, ...packageJson }).join(),
      /exports\["\."\]\.types target "\.\/dist\/main\.d\.ts" is not in the tarball/,
    );
    assert.match(problemsOf('./dist/index.js').join(), /exports must be an object of subpaths/);
  });

  it('names each missing or wrong publishing field', () => {
    const manifest = goodManifest('cgroups', {
      type: 'commonjs',
      files: undefined,
      sideEffects: undefined,
      engines: { node: '>=18' },
      publishConfig: undefined,
      repository: {
        type: 'git',
        url: 'git+https://example.invalid/volt.git',
        directory: 'packages/landlock',
      },
    });
    assert.deepEqual(checkPackedManifest(manifest, EXPECTED), [
      'type must be "module" (ESM only), found "commonjs"',
      'files must be a non-empty list of paths, found nothing',
      'sideEffects must be false, found nothing',
      'engines.node is ">=18" but the workspace root requires ">=20.19.0"',
      'publishConfig.access must be "public", found nothing',
      'repository.directory must be "packages/cgroups" (the package\'s folder), found "packages/landlock"',
    ]);
  });

  it('rejects tests, sources and configs in the tarball', () => {
    const files = [...PACKED_FILES, 'dist/index.test.js', 'src/index.ts', 'tsconfig.json'];
    assert.deepEqual(checkPackedManifest(goodManifest('cgroups'), { ...EXPECTED, files }), [
      'tarball contains sources, tests or configs: dist/index.test.js, src/index.ts, tsconfig.json',
    ]);
  });
});

describe('assessIsolation and findInstalledInternalPackages', () => {
  /** @type {string} */
  let project;
  before(() => {
    project = mkdtempSync(path.join(os.tmpdir(), 'volt-check-packages-test-'));
    for (const [dir, name] of Object.entries({
      'node_modules/@volt/cgroups': '@volt/cgroups',
      'node_modules/@volt/core': '@volt/core',
      'node_modules/@volt/cgroups/node_modules/@volt/landlock': '@volt/landlock',
      'node_modules/zod': 'zod',
    })) {
      mkdirSync(path.join(project, dir), { recursive: true });
      writeFileSync(path.join(project, dir, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
    }
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('finds @volt packages at every depth and nothing else', () => {
    assert.deepEqual(findInstalledInternalPackages(project), [
      { name: '@volt/cgroups', dir: 'node_modules/@volt/cgroups' },
      { name: '@volt/landlock', dir: 'node_modules/@volt/cgroups/node_modules/@volt/landlock' },
      { name: '@volt/core', dir: 'node_modules/@volt/core' },
    ]);
  });

  it('flags an extra @volt package, a duplicate, a missing one and a registry install', () => {
    const installed = [
      ...findInstalledInternalPackages(project),
      { name: '@volt/cgroups', dir: 'node_modules/x/node_modules/@volt/cgroups' },
    ];
    const lock = {
      'node_modules/@volt/cgroups': { resolved: 'file:../tarballs/volt-cgroups-0.1.0.tgz' },
      'node_modules/x/node_modules/@volt/cgroups': { resolved: 'file:../tarballs/volt-cgroups-0.1.0.tgz' },
      'node_modules/@volt/core': { version: '0.1.0' },
    };
    assert.deepEqual(assessIsolation(installed, ['@volt/cgroups', '@volt/core', '@volt/netns'], lock), [
      'unexpected @volt package installed: @volt/landlock (node_modules/@volt/cgroups/node_modules/@volt/landlock)',
      '@volt/cgroups installed 2 times: node_modules/@volt/cgroups, node_modules/x/node_modules/@volt/cgroups',
      'node_modules/@volt/core was not installed from the packed tarball (resolved: nothing)',
      'missing: @volt/netns',
    ]);
  });
});

/**
 * @typedef {{ manifest: Record<string, unknown>, files: Record<string, string> }} FixturePackage
 */

/** Core and cgroups as they should be, plus a private CLI that must be skipped. */
function healthyPackages() {
  return /** @type {Record<string, FixturePackage>} */ ({
    'packages/core': {
      manifest: goodManifest('core'),
      files: {
        'dist/index.js': 'export const parseByteSize = (text) => Number.parseInt(text, 10);\n',
        'dist/index.d.ts': 'export declare const parseByteSize: (text: string) => number;\n',
        'src/index.ts': 'export const parseByteSize = (text: string): number => Number.parseInt(text, 10);\n',
      },
    },
    'packages/cgroups': {
      manifest: goodManifest('cgroups', { dependencies: { '@volt/core': 'workspace:^' } }),
      files: {
        'dist/index.js':
          "import { parseByteSize } from '@volt/core';\nexport const memoryMax = parseByteSize('512');\n",
        'dist/index.d.ts': 'export declare const memoryMax: number;\n',
        'dist/index.test.js': 'throw new Error("tests are not published");\n',
      },
    },
    'apps/cli': {
      manifest: { name: '@volt/cli', version: '0.1.0', private: true, type: 'module' },
      files: {},
    },
  });
}

/** @type {string[]} */
const tempDirs = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes a fixture workspace and links it with an offline `pnpm install` (pnpm pack needs that to
 * rewrite `workspace:^`).
 * @param {Record<string, FixturePackage>} packages
 * @returns {string} the fixture root
 */
function writeWorkspace(packages) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'volt-check-packages-test-'));
  tempDirs.push(root);
  const rootManifest = {
    name: 'fixture',
    private: true,
    type: 'module',
    engines: { node: '>=20.19.0' },
  };
  writeFileSync(path.join(root, 'package.json'), JSON.stringify(rootManifest));
  writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n  - apps/*\n');
  for (const [dir, pkg] of Object.entries(packages)) {
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify(pkg.manifest, null, 2));
    for (const [file, text] of Object.entries(pkg.files)) {
      mkdirSync(path.dirname(path.join(root, dir, file)), { recursive: true });
      writeFileSync(path.join(root, dir, file), text);
    }
  }
  const install = spawnSync('pnpm', ['install', '--offline', '--silent'], { cwd: root, encoding: 'utf8' });
  assert.equal(install.status, 0, `pnpm install in the fixture failed: ${install.stdout}${install.stderr}`);
  return root;
}

/**
 * Runs the real command with its own TMPDIR, so the test can see that it cleans up after itself.
 * @param {string} root @param {readonly string[]} args
 * @returns {{ status: number | null, output: string, leftovers: string[] }}
 */
function runCheck(root, args) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'volt-check-packages-tmp-'));
  tempDirs.push(tmp);
  const result = spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp },
  });
  const leftovers = readdirSync(tmp).filter((name) => name.startsWith('volt-check-packages-'));
  return { status: result.status, output: `${result.stdout}${result.stderr}`, leftovers };
}

describe('check-packages on fixture workspaces', { timeout: 180_000 }, () => {
  it('passes healthy packages: packs, lints and installs @volt/cgroups in isolation', () => {
    const result = runCheck(writeWorkspace(healthyPackages()), []);
    assert.equal(result.status, 0, result.output);
    for (const line of [
      /@volt\/cgroups@0\.1\.0 \(packages\/cgroups\)\n {2}ok {3}pnpm pack: volt-cgroups-0\.1\.0\.tgz \(3 files\)/,
      /ok {3}manifest: no workspace: ranges/,
      /ok {3}publint --strict/,
      /ok {3}attw --profile esm-only/,
      /ok {3}npm install volt-cgroups-0\.1\.0\.tgz volt-core-0\.1\.0\.tgz/,
      /ok {3}node_modules holds exactly @volt\/cgroups, @volt\/core \(from the tarballs\) and no other @volt package/,
      /ok {3}import\('@volt\/cgroups'\) from an ESM script: 1 exports: memoryMax/,
      /check-packages: ok \(2 package\(s\), isolation of @volt\/cgroups\)/,
    ]) {
      assert.match(result.output, line);
    }
    assert.doesNotMatch(result.output, /@volt\/cli/);
    assert.deepEqual(result.leftovers, []);
  });

  it('fails on a wrong manifest, a publint finding, an attw finding and an import that needs a sibling', () => {
    const packages = healthyPackages();
    packages['packages/cgroups'] = {
      manifest: goodManifest('cgroups', {
        dependencies: { '@volt/core': 'workspace:^' },
        exports: {
          '.': { import: './dist/index.js', types: './dist/index.d.ts' },
          './package.json': './package.json',
        },
        sideEffects: undefined,
      }),
      files: {
        'dist/index.js': "export { landlock } from '@volt/landlock';\n",
        'dist/index.d.ts': 'export declare const landlock: number;\n',
      },
    };
    packages['packages/landlock'] = {
      manifest: goodManifest('landlock'),
      files: {
        'dist/index.js': 'export const landlock = 1;\n',
        'dist/index.d.ts': "export * from './missing.js';\n",
      },
    };
    const result = runCheck(writeWorkspace(packages), []);
    assert.equal(result.status, 1, result.output);
    assert.match(
      result.output,
      /FAIL manifest: 2 problem\(s\)\n.*exports\["\."\] must be exactly.*\n.*sideEffects must be false/,
    );
    assert.match(result.output, /FAIL publint --strict: 1 error\(s\)\/warning\(s\)\n.*types/);
    assert.match(
      result.output,
      /@volt\/landlock@0\.1\.0 \(packages\/landlock\)\n(?: {2}.*\n)*? {2}FAIL attw --profile esm-only\n.*@volt\/landlock v0\.1\.0/,
    );
    assert.match(
      result.output,
      /FAIL import\('@volt\/cgroups'\) from an ESM script failed\n[\s\S]*ERR_MODULE_NOT_FOUND\]: Cannot find package '@volt\/landlock'/,
    );
    assert.match(
      result.output,
      /check-packages: FAILED, 4 failure\(s\) \(3 package\(s\), isolation of @volt\/cgroups\)/,
    );
    assert.deepEqual(result.leftovers, []);
  });

  it('checks only the packages and isolation target given by flags', () => {
    const packages = healthyPackages();
    const cgroups = packages['packages/cgroups'];
    if (cgroups) cgroups.manifest = { ...cgroups.manifest, sideEffects: true };
    const root = writeWorkspace(packages);
    const coreOnly = runCheck(root, ['--packages', 'core', '--isolation', '@volt/core']);
    assert.equal(coreOnly.status, 0, coreOnly.output);
    assert.match(coreOnly.output, /check-packages: ok \(1 package\(s\), isolation of @volt\/core\)/);
    assert.doesNotMatch(coreOnly.output, /cgroups/);

    const noIsolation = runCheck(root, ['--packages', '@volt/cgroups', '--isolation', 'none']);
    assert.equal(noIsolation.status, 1, noIsolation.output);
    assert.match(noIsolation.output, /sideEffects must be false, found true/);
    assert.doesNotMatch(noIsolation.output, /isolation:/);

    const unknown = runCheck(root, ['--packages', 'cli']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.output, /unknown or private package\(s\): cli; public: @volt\/cgroups, @volt\/core/);
  });

  it('refuses the isolated install when the target declares another @volt package', () => {
    const packages = healthyPackages();
    const cgroups = packages['packages/cgroups'];
    if (cgroups) {
      cgroups.manifest = {
        ...cgroups.manifest,
        dependencies: { '@volt/core': 'workspace:^', '@volt/landlock': 'workspace:^' },
      };
    }
    packages['packages/landlock'] = {
      manifest: goodManifest('landlock'),
      files: {
        'dist/index.js': 'export const landlock = 1;\n',
        'dist/index.d.ts': 'export declare const landlock: 1;\n',
      },
    };
    const result = runCheck(writeWorkspace(packages), ['--packages', 'cgroups']);
    assert.equal(result.status, 1, result.output);
    assert.match(
      result.output,
      /FAIL cannot be isolated: @volt\/cgroups \+ @volt\/core declare @volt\/landlock/,
    );
    assert.doesNotMatch(result.output, /npm install/);
  });

  it('reports a package that is not built instead of packing it', () => {
    const packages = healthyPackages();
    const cgroups = packages['packages/cgroups'];
    if (cgroups) cgroups.files = {};
    const result = runCheck(writeWorkspace(packages), ['--isolation', 'none']);
    assert.equal(result.status, 1, result.output);
    assert.match(
      result.output,
      /FAIL not built: \.\/dist\/index\.d\.ts, \.\/dist\/index\.js missing in packages\/cgroups; run `pnpm build` first/,
    );
  });
});
