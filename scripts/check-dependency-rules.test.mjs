// @ts-check
/**
 * Tests for scripts/check-dependency-rules.mjs: pure import finding and cycle detection, and the whole
 * command run against fixture workspaces written to a temporary directory.
 * Run: node --test scripts/check-dependency-rules.test.mjs scripts/check-packages.test.mjs
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findCycles, findImports, packageNameOf } from './check-dependency-rules.mjs';

const SCRIPT = fileURLToPath(new URL('./check-dependency-rules.mjs', import.meta.url));

/**
 * @typedef {{ deps?: Record<string, string>, devDeps?: Record<string, string>, private?: boolean,
 *   files?: Record<string, string> }} FixturePackage
 */

/**
 * The healthy shape of the real workspace: every allowed edge, declared and imported.
 * @returns {Record<string, FixturePackage>} keyed by folder relative to the fixture root
 */
function healthyWorkspace() {
  const core = { '@volt/core': 'workspace:^' };
  const domain = (/** @type {string} */ name) => ({
    deps: core,
    files: {
      'src/index.ts': `import { parseByteSize } from '@volt/core';\nexport const ${name} = parseByteSize;\n`,
      'src/index.test.ts': `import { ${name} } from './index.js';\nvoid ${name};\n`,
    },
  });
  const allLibraries = {
    '@volt/core': 'workspace:^',
    '@volt/landlock': 'workspace:^',
    '@volt/seccomp': 'workspace:^',
    '@volt/cgroups': 'workspace:^',
    '@volt/netns': 'workspace:^',
  };
  return {
    'packages/core': {
      files: {
        'src/index.ts': "export * from './bytes.js';\n",
        'src/bytes.ts': 'export const parseByteSize = (text: string): string => text;\n',
      },
    },
    'packages/landlock': domain('landlock'),
    'packages/seccomp': domain('seccomp'),
    'packages/cgroups': domain('cgroups'),
    'packages/netns': domain('netns'),
    'packages/nspawn': {
      deps: allLibraries,
      files: {
        'src/index.ts': [
          "import type { IsolationConfig } from '@volt/core';",
          "export { landlock } from '@volt/landlock';",
          "import { seccomp } from '@volt/seccomp';",
          "export const load = async (): Promise<unknown> => [seccomp, await import('@volt/cgroups')];",
          "export type Net = typeof import('@volt/netns');",
          'export type Config = IsolationConfig;',
          '',
        ].join('\n'),
      },
    },
    'apps/cli': {
      private: true,
      deps: { ...allLibraries, '@volt/nspawn': 'workspace:^' },
      files: {
        'src/main.ts': "import { load } from '@volt/nspawn';\nimport '@volt/core/profile';\nvoid load;\n",
      },
    },
  };
}

/** @type {string[]} */
const tempDirs = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes a fixture workspace to a new temporary directory.
 * @param {Record<string, FixturePackage>} packages
 * @returns {string} the fixture root
 */
function writeWorkspace(packages) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'volt-check-deps-test-'));
  tempDirs.push(root);
  writeFileSync(path.join(root, 'package.json'), '{ "name": "fixture", "private": true }\n');
  writeFileSync(
    path.join(root, 'pnpm-workspace.yaml'),
    "packages:\n  - packages/*\n  - 'apps/*'\nallowBuilds: {}\n",
  );
  for (const [dir, pkg] of Object.entries(packages)) {
    const name = dir === 'apps/cli' ? '@volt/cli' : `@volt/${path.basename(dir)}`;
    const manifest = {
      name,
      version: '0.1.0',
      ...(pkg.private ? { private: true } : {}),
      type: 'module',
      ...(pkg.deps ? { dependencies: pkg.deps } : {}),
      ...(pkg.devDeps ? { devDependencies: pkg.devDeps } : {}),
    };
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const [file, text] of Object.entries(pkg.files ?? {})) {
      mkdirSync(path.dirname(path.join(root, dir, file)), { recursive: true });
      writeFileSync(path.join(root, dir, file), text);
    }
  }
  return root;
}

/**
 * Runs the real command on a fixture.
 * @param {string} root
 * @returns {{ status: number | null, stdout: string, stderr: string }}
 */
function runCheck(root) {
  const result = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('findImports', () => {
  it('finds every import form with its line, ignoring look-alikes in strings and comments', () => {
    const source = [
      "import { a } from '@volt/a';",
      "import type { B } from '@volt/b';",
      "export * from '@volt/c/sub';",
      "export { d } from '@volt/d';",
      "const e = await import('@volt/e');",
      "const f = require('@volt/f');",
      "import g = require('@volt/g');",
      "type H = import('@volt/h').H;",
      "const i = import.meta.resolve('@volt/i');",
      "const j = require.resolve('@volt/j');",
      'const k = await import(`@volt/k`);',
      "import '@volt/l';",
      "const notAnImport = \"import x from '@volt/zzz'\"; // import '@volt/zzz'",
      'const computed = await import(name); declare const name: string;',
      '',
    ].join('\n');
    const sites = findImports('file.ts', source);
    assert.deepEqual(
      sites.map((site) => [site.specifier, site.line, site.kind]),
      [
        ['@volt/a', 1, 'import'],
        ['@volt/b', 2, 'import type'],
        ['@volt/c/sub', 3, 'export'],
        ['@volt/d', 4, 'export'],
        ['@volt/e', 5, 'dynamic import'],
        ['@volt/f', 6, 'require'],
        ['@volt/g', 7, 'import-equals'],
        ['@volt/h', 8, 'import type'],
        ['@volt/i', 9, 'import.meta.resolve'],
        ['@volt/j', 10, 'require.resolve'],
        ['@volt/k', 11, 'dynamic import'],
        ['@volt/l', 12, 'import'],
      ],
    );
  });

  it('maps specifiers to package names', () => {
    assert.equal(packageNameOf('@volt/core/profile'), '@volt/core');
    assert.equal(packageNameOf('zod'), 'zod');
    assert.equal(packageNameOf('zod/v4'), 'zod');
    assert.equal(packageNameOf('./x.js'), undefined);
    assert.equal(packageNameOf('node:fs'), undefined);
  });
});

describe('findCycles', () => {
  it('finds a three-package cycle once, starting at its first package', () => {
    const cycles = findCycles([
      { from: 'c', to: 'a', location: 'c:1' },
      { from: 'a', to: 'b', location: 'a:1' },
      { from: 'b', to: 'c', location: 'b:1' },
      { from: 'b', to: 'd', location: 'b:2' },
    ]);
    assert.deepEqual(
      cycles.map((cycle) => cycle.map((edge) => edge.from)),
      [['a', 'b', 'c']],
    );
  });

  it('finds none in a diamond', () => {
    const edges = [
      { from: 'top', to: 'left', location: '' },
      { from: 'top', to: 'right', location: '' },
      { from: 'left', to: 'bottom', location: '' },
      { from: 'right', to: 'bottom', location: '' },
    ];
    assert.deepEqual(findCycles(edges), []);
  });
});

describe('check-dependency-rules on fixture workspaces', () => {
  it('passes the healthy workspace with a one-line summary', () => {
    const result = runCheck(writeWorkspace(healthyWorkspace()));
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    assert.match(
      result.stdout,
      /^check-dependency-rules: ok, 7 packages, 12 source files, \d+ internal dependency edges/,
    );
  });

  it('fails when @volt/cgroups imports @volt/landlock', () => {
    const workspace = healthyWorkspace();
    workspace['packages/cgroups'] = {
      deps: { '@volt/core': 'workspace:^' },
      files: {
        'src/index.ts':
          "import { parseByteSize } from '@volt/core';\nimport { landlock } from '@volt/landlock';\n",
      },
    };
    const result = runCheck(writeWorkspace(workspace));
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^packages\/cgroups\/src\/index\.ts:2: @volt\/cgroups -> @volt\/landlock \(import\): domain packages \(landlock, seccomp, cgroups, netns\) may depend on @volt\/core only$/m,
    );
    assert.match(result.stderr, /check-dependency-rules: FAILED, 1 violation\(s\)/);
  });

  it('fails when @volt/cgroups declares @volt/landlock, pointing at the package.json line', () => {
    const workspace = healthyWorkspace();
    workspace['packages/cgroups'] = {
      ...workspace['packages/cgroups'],
      devDeps: { '@volt/landlock': 'workspace:^' },
    };
    const result = runCheck(writeWorkspace(workspace));
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^packages\/cgroups\/package\.json:9: @volt\/cgroups -> @volt\/landlock \(declared in devDependencies\): domain packages/m,
    );
  });

  it('fails on a cycle and names every package in it', () => {
    const workspace = healthyWorkspace();
    workspace['packages/core'] = {
      deps: { '@volt/cgroups': 'workspace:^' },
      files: { 'src/index.ts': "export { cgroups } from '@volt/cgroups';\n" },
    };
    const result = runCheck(writeWorkspace(workspace));
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /@volt\/core -> @volt\/cgroups \(export\): @volt\/core depends on no @volt package/,
    );
    assert.match(
      result.stderr,
      /\(cycle\): dependency cycle @volt\/cgroups -> @volt\/core -> @volt\/cgroups \(edges at packages\/cgroups\/package\.json:\d+, packages\/core\/package\.json:\d+\)/,
    );
  });

  it('fails when anything depends on the CLI', () => {
    const workspace = healthyWorkspace();
    const nspawn = workspace['packages/nspawn'];
    workspace['packages/nspawn'] = {
      ...nspawn,
      files: { ...nspawn?.files, 'src/cli.ts': "export const cli = await import('@volt/cli');\n" },
    };
    const result = runCheck(writeWorkspace(workspace));
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^packages\/nspawn\/src\/cli\.ts:1: @volt\/nspawn -> @volt\/cli \(dynamic import\): nothing may depend on the CLI/m,
    );
  });

  it('fails on an allowed but undeclared import, and on a shipped import declared only as a devDependency', () => {
    const workspace = healthyWorkspace();
    workspace['packages/seccomp'] = { ...workspace['packages/seccomp'], deps: {} };
    workspace['packages/netns'] = {
      ...workspace['packages/netns'],
      deps: {},
      devDeps: { '@volt/core': 'workspace:^' },
    };
    const result = runCheck(writeWorkspace(workspace));
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^packages\/seccomp\/src\/index\.ts:1: @volt\/seccomp -> @volt\/core \(import\): undeclared: add "@volt\/core": "workspace:\^" to dependencies$/m,
    );
    assert.match(
      result.stderr,
      /^packages\/netns\/src\/index\.ts:1: @volt\/netns -> @volt\/core \(import\): shipped source imports a package declared only in devDependencies/m,
    );
  });

  it('fails on a relative import into a sibling package, a non-workspace:^ range and an unknown package', () => {
    const workspace = healthyWorkspace();
    workspace['packages/netns'] = {
      deps: { '@volt/core': '^0.1.0' },
      files: { 'src/index.ts': "import { landlock } from '../../landlock/src/index.js';\nvoid landlock;\n" },
    };
    workspace['packages/extras'] = { files: { 'src/index.ts': 'export const extras = 1;\n' } };
    const result = runCheck(writeWorkspace(workspace));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^packages\/netns\/src\/index\.ts:1: .*relative import leaves the package/m);
    assert.match(result.stderr, /internal dependencies use "workspace:\^", found "\^0\.1\.0"/);
    assert.match(
      result.stderr,
      /^packages\/extras\/package\.json:1: @volt\/extras -> - .*no dependency rule for @volt\/extras/m,
    );
  });
});
