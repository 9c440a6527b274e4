#!/usr/bin/env node
// @ts-check
/**
 * Checks every public workspace package the way npm users will get it: packs it with `pnpm pack`
 * (which rewrites `workspace:^` to real ranges), then on the packed tarball checks the manifest
 * (no `workspace:` left, exact ESM `exports` map, `files`, `sideEffects: false`, `engines`,
 * `publishConfig`, `repository.directory`), runs publint (strict) and `attw --profile esm-only`.
 * Finally the isolation check of issue 2: an empty project installs only the packed target tarball
 * (default `@volt/cgroups`) plus the packed `@volt/core` tarball, imports the target from an ESM script
 * and must contain no other `@volt` package.
 *
 * Usage: node scripts/check-packages.mjs [--root DIR] [--packages a,b] [--isolation NAME|none] [--keep-temp]
 * Packages must be built first (`pnpm build`). Exit 0 when everything passes, 1 on any failure, 2 on bad usage.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import {
  DEPENDENCY_FIELDS,
  INTERNAL_SCOPE,
  listWorkspacePackages,
  SHIPPED_DEPENDENCY_FIELDS,
} from './check-dependency-rules.mjs';

/**
 * @typedef {import('./check-dependency-rules.mjs').WorkspacePackage} WorkspacePackage
 * @typedef {{ readonly pkg: WorkspacePackage, readonly tarball: string, readonly unpackedDir: string,
 *   readonly manifest: Readonly<Record<string, unknown>>, readonly files: readonly string[] }} PackedPackage
 * @typedef {{ readonly name: string, readonly dir: string }} InstalledPackage
 */

const CORE_PACKAGE = '@volt/core';
const DEFAULT_ISOLATION_TARGET = '@volt/cgroups';
const UNPUBLISHABLE_RANGE = /^(?:workspace|catalog|link|file|portal):/;
const CODE_FILE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/;
const LEAKED_FILE =
  /(?:^|\/)(?:src\/|test\/|tsconfig[^/]*\.json$|vitest[^/]*$)|\.(?:test|spec|bench)\.[^/]+$|(?<!\.d)\.[cm]?ts$/;

const requireFromHere = createRequire(import.meta.url);

/**
 * Checks a packed package.json against the publishing conventions of issue 2. Pure: the caller passes
 * the packed manifest, the list of files in the tarball and the expectations.
 * @param {Readonly<Record<string, unknown>>} manifest the package.json inside the tarball
 * @param {{ readonly files: readonly string[], readonly repositoryDirectory: string,
 *   readonly engines: string | undefined }} expected files in the tarball (relative to `package/`), the
 *   package's folder relative to the repository root, and the root's `engines.node`
 * @returns {string[]} one line per problem, empty when the manifest is right
 * @example
 * checkPackedManifest({ name: '@volt/x' }, { files: [], repositoryDirectory: 'packages/x', engines: '>=20.19.0' });
 * // ['type must be "module" (ESM only), found undefined', ...]
 */
export function checkPackedManifest(manifest, expected) {
  /** @type {string[]} */
  const problems = [];
  const fileSet = new Set(expected.files);

  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(asRecord(manifest[field]) ?? {})) {
      if (typeof range === 'string' && UNPUBLISHABLE_RANGE.test(range)) {
        problems.push(`${field}.${dep} is "${range}" in the packed manifest; it must be a semver range`);
      }
    }
  }

  if (manifest.type !== 'module')
    problems.push(`type must be "module" (ESM only), found ${show(manifest.type)}`);
  problems.push(...checkExportsMap(manifest.exports, fileSet));

  const files = manifest.files;
  if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === 'string')) {
    problems.push(`files must be a non-empty list of paths, found ${show(files)}`);
  }
  const leaked = expected.files.filter((file) => LEAKED_FILE.test(file));
  if (leaked.length > 0) problems.push(`tarball contains sources, tests or configs: ${leaked.join(', ')}`);

  if (manifest.sideEffects !== false)
    problems.push(`sideEffects must be false, found ${show(manifest.sideEffects)}`);

  const engines = asRecord(manifest.engines);
  if (typeof engines?.node !== 'string') {
    problems.push(`engines.node must be set, found ${show(manifest.engines)}`);
  } else if (expected.engines !== undefined && engines.node !== expected.engines) {
    problems.push(`engines.node is "${engines.node}" but the workspace root requires "${expected.engines}"`);
  }

  if (asRecord(manifest.publishConfig)?.access !== 'public') {
    problems.push(`publishConfig.access must be "public", found ${show(manifest.publishConfig)}`);
  }

  const repository = asRecord(manifest.repository);
  if (repository?.type !== 'git' || typeof repository.url !== 'string') {
    problems.push(`repository must be { type: "git", url, directory }, found ${show(manifest.repository)}`);
  }
  if (repository?.directory !== expected.repositoryDirectory) {
    problems.push(
      `repository.directory must be "${expected.repositoryDirectory}" (the package's folder), found ${show(repository?.directory)}`,
    );
  }
  if (typeof manifest.license !== 'string')
    problems.push(`license must be set, found ${show(manifest.license)}`);
  return problems;
}

/**
 * The exports map must be exact: `"."` and every other code entry point is `{ types, import }` in that
 * order (a `.d.ts` and a `.js` file), `"./package.json"` maps to itself, non-code assets (JSON) may map to
 * a plain path, there are no wildcards and no other conditions (no `require`, `default`, `node`), and
 * every target is in the tarball.
 * @param {unknown} exportsField
 * @param {ReadonlySet<string>} files
 * @returns {string[]}
 */
function checkExportsMap(exportsField, files) {
  const exportsMap = asRecord(exportsField);
  if (!exportsMap) return [`exports must be an object of subpaths, found ${show(exportsField)}`];
  /** @type {string[]} */
  const problems = [];
  if (!('.' in exportsMap)) problems.push('exports has no "." entry');
  if (exportsMap['./package.json'] !== './package.json') {
    problems.push(
      `exports["./package.json"] must be "./package.json", found ${show(exportsMap['./package.json'])}`,
    );
  }
  /** @param {string} label e.g. `exports["."].types` @param {string} target */
  const checkTarget = (label, target) => {
    if (!target.startsWith('./')) problems.push(`${label} target "${target}" must start with "./"`);
    else if (!files.has(target.slice(2))) problems.push(`${label} target "${target}" is not in the tarball`);
  };
  for (const [subpath, value] of Object.entries(exportsMap)) {
    if (subpath !== '.' && !subpath.startsWith('./')) {
      problems.push(`exports key "${subpath}" is not a subpath (conditions belong inside "." )`);
      continue;
    }
    if (subpath.includes('*')) {
      problems.push(`exports["${subpath}"] is a wildcard; list entry points explicitly`);
      continue;
    }
    if (typeof value === 'string') {
      if (CODE_FILE.test(value)) {
        problems.push(
          `exports["${subpath}"] is a bare path to code; use { "types": "….d.ts", "import": "….js" }`,
        );
      }
      checkTarget(`exports["${subpath}"]`, value);
      continue;
    }
    const conditions = asRecord(value);
    const keys = conditions ? Object.keys(conditions) : [];
    if (!conditions || keys.join(',') !== 'types,import') {
      problems.push(
        `exports["${subpath}"] must be exactly { "types", "import" } in that order, found ${show(value)}`,
      );
      continue;
    }
    const { types, import: importTarget } = conditions;
    if (typeof types !== 'string' || !types.endsWith('.d.ts')) {
      problems.push(`exports["${subpath}"].types must be a .d.ts file, found ${show(types)}`);
    } else {
      checkTarget(`exports["${subpath}"].types`, types);
    }
    if (typeof importTarget !== 'string' || !importTarget.endsWith('.js')) {
      problems.push(`exports["${subpath}"].import must be a .js file, found ${show(importTarget)}`);
    } else {
      checkTarget(`exports["${subpath}"].import`, importTarget);
    }
  }
  return problems;
}

/**
 * Judges an isolation install: exactly the expected `@volt` packages, one copy each, all installed from
 * local tarballs.
 * @param {readonly InstalledPackage[]} installed every `@volt` package found in node_modules (any depth)
 * @param {readonly string[]} expected the packages that must be there (target and @volt/core)
 * @param {Readonly<Record<string, unknown>>} lockPackages `packages` of the probe's package-lock.json
 * @returns {string[]} problems, empty when the install is isolated
 * @example
 * assessIsolation([{ name: '@volt/landlock', dir: 'node_modules/@volt/landlock' }], ['@volt/core'], {});
 * // ['unexpected @volt package installed: @volt/landlock (node_modules/@volt/landlock)', 'missing: @volt/core']
 */
export function assessIsolation(installed, expected, lockPackages) {
  /** @type {string[]} */
  const problems = [];
  for (const found of installed) {
    if (!expected.includes(found.name)) {
      problems.push(`unexpected @volt package installed: ${found.name} (${found.dir})`);
    }
  }
  for (const name of expected) {
    const copies = installed.filter((found) => found.name === name);
    if (copies.length === 0) problems.push(`missing: ${name}`);
    if (copies.length > 1)
      problems.push(`${name} installed ${copies.length} times: ${copies.map((c) => c.dir).join(', ')}`);
    for (const copy of copies) {
      const resolved = asRecord(lockPackages[copy.dir])?.resolved;
      if (typeof resolved !== 'string' || !resolved.startsWith('file:')) {
        problems.push(`${copy.dir} was not installed from the packed tarball (resolved: ${show(resolved)})`);
      }
    }
  }
  return problems;
}

/**
 * Every `@volt` package under `projectDir/node_modules`, at any nesting depth.
 * @param {string} projectDir
 * @returns {InstalledPackage[]} with `dir` relative to projectDir, as npm's lockfile names them
 * @example
 * findInstalledInternalPackages('/tmp/probe'); // [{ name: '@volt/core', dir: 'node_modules/@volt/core' }]
 */
export function findInstalledInternalPackages(projectDir) {
  /** @type {InstalledPackage[]} */
  const found = [];
  /** @param {string} nodeModules relative to projectDir */
  const walk = (nodeModules) => {
    const absolute = path.join(projectDir, nodeModules);
    if (!existsSync(absolute)) return;
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      /** @type {string[]} */
      const packageDirs = entry.name.startsWith('@')
        ? readdirSync(path.join(absolute, entry.name)).map((inner) => `${nodeModules}/${entry.name}/${inner}`)
        : [`${nodeModules}/${entry.name}`];
      for (const dir of packageDirs) {
        const manifestPath = path.join(projectDir, dir, 'package.json');
        if (!existsSync(manifestPath)) continue;
        const name = String(JSON.parse(readFileSync(manifestPath, 'utf8')).name);
        if (name.startsWith(INTERNAL_SCOPE) || dir.includes(`/${INTERNAL_SCOPE}`)) found.push({ name, dir });
        walk(`${dir}/node_modules`);
      }
    }
  };
  walk('node_modules');
  return found;
}

/**
 * The `@volt` packages a manifest makes npm install for its users.
 * @param {Readonly<Record<string, unknown>>} manifest
 * @returns {string[]}
 */
function internalRuntimeDependencies(manifest) {
  return SHIPPED_DEPENDENCY_FIELDS.flatMap((field) =>
    Object.keys(asRecord(manifest[field]) ?? {}).filter((name) => name.startsWith(INTERNAL_SCOPE)),
  );
}

/** @param {unknown} value @returns {Record<string, unknown> | undefined} */
function asRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? /** @type {Record<string, unknown>} */ (value)
    : undefined;
}

/** @param {unknown} value @returns {string} */
function show(value) {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/**
 * Runs a command, capturing its output.
 * @param {string} command @param {readonly string[]} args @param {string} cwd
 * @returns {{ ok: boolean, output: string, stdout: string }}
 */
function run(command, args, cwd) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  const output = `${stdout}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim();
  return { ok: result.status === 0, output, stdout };
}

/** @param {string} text @param {string} [prefix] @returns {string} */
function indent(text, prefix = '       ') {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/** A progress and result printer that remembers whether anything failed. */
class Reporter {
  failures = 0;
  /** @param {string} text */
  heading(text) {
    console.log(`\n${text}`);
  }
  /** @param {string} text */
  ok(text) {
    console.log(`  ok   ${text}`);
  }
  /** @param {string} text */
  note(text) {
    console.log(`  note ${text}`);
  }
  /** @param {string} text @param {string} [details] */
  fail(text, details) {
    this.failures += 1;
    console.log(`  FAIL ${text}`);
    if (details) console.log(indent(details));
  }
}

/**
 * Packs one package into `tempDir` and unpacks it; reports and returns undefined on failure.
 * @param {WorkspacePackage} pkg @param {string} tempDir @param {Reporter} reporter
 * @returns {PackedPackage | undefined}
 */
function packPackage(pkg, tempDir, reporter) {
  const exportsMap = asRecord(pkg.manifest.exports) ?? {};
  const missing = Object.values(exportsMap)
    .flatMap((value) => (typeof value === 'string' ? [value] : Object.values(asRecord(value) ?? {})))
    .filter((target) => typeof target === 'string' && !existsSync(path.join(pkg.dir, target)));
  if (missing.length > 0) {
    reporter.fail(`not built: ${missing.join(', ')} missing in ${pkg.relativeDir}; run \`pnpm build\` first`);
    return undefined;
  }
  const tarballDir = path.join(tempDir, 'tarballs');
  mkdirSync(tarballDir, { recursive: true });
  const packed = run('pnpm', ['pack', '--json', '--pack-destination', tarballDir], pkg.dir);
  const json = packed.ok ? packed.stdout.slice(packed.stdout.indexOf('{')) : '';
  /** @type {{ filename?: unknown }} */
  let packResult = {};
  try {
    packResult = JSON.parse(json);
  } catch {
    // reported below
  }
  const tarball = typeof packResult.filename === 'string' ? packResult.filename : undefined;
  if (!tarball || !existsSync(tarball)) {
    reporter.fail('pnpm pack failed', packed.output);
    return undefined;
  }
  const unpackedRoot = path.join(tempDir, 'unpacked', path.basename(tarball, '.tgz'));
  mkdirSync(unpackedRoot, { recursive: true });
  const untar = run('tar', ['-xzf', tarball, '-C', unpackedRoot], tempDir);
  const unpackedDir = path.join(unpackedRoot, 'package');
  if (!untar.ok || !existsSync(path.join(unpackedDir, 'package.json'))) {
    reporter.fail(`cannot unpack ${tarball}`, untar.output);
    return undefined;
  }
  const files = listFiles(unpackedDir);
  const manifest = JSON.parse(readFileSync(path.join(unpackedDir, 'package.json'), 'utf8'));
  reporter.ok(`pnpm pack: ${path.basename(tarball)} (${files.length} files)`);
  return { pkg, tarball, unpackedDir, manifest, files };
}

/** @param {string} dir @param {string} [prefix] @returns {string[]} */
function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/**
 * Lints one packed package: manifest rules, publint (strict) and attw (esm-only profile).
 * @param {PackedPackage} packed @param {string | undefined} rootEngines @param {Reporter} reporter
 * @returns {Promise<void>}
 */
async function lintPacked(packed, rootEngines, reporter) {
  const problems = checkPackedManifest(packed.manifest, {
    files: packed.files,
    repositoryDirectory: packed.pkg.relativeDir.split(path.sep).join('/'),
    engines: rootEngines,
  });
  if (problems.length === 0) {
    reporter.ok(
      'manifest: no workspace: ranges, exact exports, files, sideEffects, engines, publishConfig, repository',
    );
  } else {
    reporter.fail(`manifest: ${problems.length} problem(s)`, problems.join('\n'));
  }

  // `pack: false`: the directory is the unpacked tarball, so every file in it is published.
  const { messages, pkg } = await publint({ pkgDir: packed.unpackedDir, pack: false, strict: true });
  const lines = messages.map(
    (message) => `${message.type}: ${formatMessage(message, pkg, { color: false }) ?? message.code}`,
  );
  const failing = messages.filter((message) => message.type !== 'suggestion');
  if (failing.length === 0) {
    reporter.ok(`publint --strict${lines.length > 0 ? ` (${lines.length} suggestion(s) below)` : ''}`);
    for (const line of lines) reporter.note(line);
  } else {
    reporter.fail(`publint --strict: ${failing.length} error(s)/warning(s)`, lines.join('\n'));
  }

  // ESM-only by design (issue 2), so the esm-only profile: it skips the node10 and node16-from-CJS
  // resolutions, whose only possible finding for an ESM-only package is "require() of ESM", and keeps
  // every rule for node16-from-ESM and bundler resolution.
  const attwBin = path.join(
    path.dirname(requireFromHere.resolve('@arethetypeswrong/cli/package.json')),
    'dist/index.js',
  );
  const attwArgs = [
    attwBin,
    packed.tarball,
    '--profile',
    'esm-only',
    '--no-definitely-typed',
    '--no-color',
    '--no-emoji',
  ];
  const attw = run(process.execPath, attwArgs, path.dirname(packed.tarball));
  if (attw.ok) reporter.ok('attw --profile esm-only');
  else reporter.fail('attw --profile esm-only', attw.output);
}

/**
 * The isolation check: an empty npm project installs only `target` (+ @volt/core) from the packed
 * tarballs, imports `target` from an ESM script, and holds no other @volt package.
 * @param {string} target @param {ReadonlyMap<string, PackedPackage>} packedByName
 * @param {string} tempDir @param {Reporter} reporter
 */
function checkIsolation(target, packedByName, tempDir, reporter) {
  const expected = target === CORE_PACKAGE ? [target] : [target, CORE_PACKAGE];
  reporter.heading(
    `isolation: an empty project installs only ${expected.join(' + ')} from the packed tarballs`,
  );
  const tarballs = expected.map((name) => packedByName.get(name)?.tarball);
  if (tarballs.some((tarball) => tarball === undefined)) {
    reporter.fail(
      `cannot run: ${expected.filter((name) => !packedByName.has(name)).join(', ')} did not pack`,
    );
    return;
  }
  const pulledIn = expected.flatMap((name) =>
    internalRuntimeDependencies(packedByName.get(name)?.manifest ?? {}),
  );
  const strangers = [...new Set(pulledIn)].filter((name) => !expected.includes(name));
  if (strangers.length > 0) {
    // Not installing: npm would look these names up in the public registry.
    reporter.fail(`cannot be isolated: ${expected.join(' + ')} declare ${strangers.join(', ')}`);
    return;
  }
  const projectDir = path.join(tempDir, 'isolation-project');
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(
    path.join(projectDir, 'package.json'),
    `${JSON.stringify({ name: 'volt-isolation-probe', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const install = run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefer-offline',
      '--loglevel=error',
      .../** @type {string[]} */ (tarballs),
    ],
    projectDir,
  );
  if (!install.ok) {
    reporter.fail(`npm install of ${tarballs.length} tarball(s) failed`, install.output);
    return;
  }
  reporter.ok(`npm install ${tarballs.map((t) => path.basename(/** @type {string} */ (t))).join(' ')}`);

  const lockPath = path.join(projectDir, 'package-lock.json');
  const lockPackages = existsSync(lockPath)
    ? (asRecord(JSON.parse(readFileSync(lockPath, 'utf8')).packages) ?? {})
    : {};
  const installed = findInstalledInternalPackages(projectDir);
  const problems = assessIsolation(installed, expected, lockPackages);
  if (problems.length === 0) {
    reporter.ok(
      `node_modules holds exactly ${expected.join(', ')} (from the tarballs) and no other @volt package`,
    );
  } else {
    reporter.fail('node_modules is not isolated', problems.join('\n'));
  }

  const probe = [
    `const module = await import(${JSON.stringify(target)});`,
    'const names = Object.keys(module);',
    `if (names.length === 0) throw new Error(${JSON.stringify(`${target} has no exports`)});`,
    "console.log(names.length, 'exports:', names.slice(0, 6).join(', '), names.length > 6 ? '…' : '');",
    '',
  ].join('\n');
  writeFileSync(path.join(projectDir, 'probe.mjs'), probe);
  const imported = run(process.execPath, ['probe.mjs'], projectDir);
  if (imported.ok) reporter.ok(`import('${target}') from an ESM script: ${imported.output}`);
  else reporter.fail(`import('${target}') from an ESM script failed`, imported.output);
}

/**
 * Command-line entry.
 * @param {readonly string[]} argv arguments after the script name
 * @returns {Promise<number>} the exit code
 */
export async function main(argv) {
  /** @type {{ root?: string, packages?: string, isolation?: string, 'keep-temp'?: boolean, help?: boolean }} */
  let flags;
  try {
    flags = parseArgs({
      args: [...argv],
      options: {
        root: { type: 'string' },
        packages: { type: 'string' },
        isolation: { type: 'string' },
        'keep-temp': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`check-packages: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (flags.help) {
    console.log(
      'usage: node scripts/check-packages.mjs [--root DIR] [--packages @volt/a,@volt/b|a,b] [--isolation NAME|none] [--keep-temp]\n' +
        `  --packages   public packages to check (default: every public workspace package)\n` +
        `  --isolation  package for the isolated-install check (default ${DEFAULT_ISOLATION_TARGET}; none to skip)`,
    );
    return 0;
  }
  const root = path.resolve(flags.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const rootEngines = typeof rootManifest.engines?.node === 'string' ? rootManifest.engines.node : undefined;
  const publicPackages = listWorkspacePackages(root).filter((pkg) => pkg.manifest.private !== true);
  /** @param {string} wanted */
  const findPackage = (wanted) =>
    publicPackages.find(
      (pkg) => pkg.name === wanted || pkg.name === `${INTERNAL_SCOPE}${wanted}` || pkg.relativeDir === wanted,
    );

  const requested = flags.packages
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const selected = requested ? requested.map((name) => findPackage(name)) : publicPackages;
  const unknown = requested?.filter((_, index) => selected[index] === undefined) ?? [];
  const isolationTarget =
    flags.isolation === 'none' ? undefined : (flags.isolation ?? DEFAULT_ISOLATION_TARGET);
  const isolationPackages =
    isolationTarget === undefined ? [] : [findPackage(isolationTarget), findPackage(CORE_PACKAGE)];
  if (isolationTarget !== undefined && isolationPackages[0] === undefined) unknown.push(isolationTarget);
  if (unknown.length > 0 || selected.length === 0) {
    const names = publicPackages.map((pkg) => pkg.name).join(', ');
    console.error(
      `check-packages: unknown or private package(s): ${unknown.join(', ') || '(none selected)'}; public: ${names}`,
    );
    return 2;
  }

  const reporter = new Reporter();
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'volt-check-packages-'));
  const cleanUp = () => rmSync(tempDir, { recursive: true, force: true });
  const onSignal = () => {
    cleanUp();
    process.exit(130);
  };
  if (!flags['keep-temp']) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    /** @type {Map<string, PackedPackage>} */
    const packedByName = new Map();
    const lintNames = new Set(/** @type {WorkspacePackage[]} */ (selected).map((pkg) => pkg.name));
    const toPack = [...new Set([...selected, ...isolationPackages])].filter((pkg) => pkg !== undefined);
    for (const pkg of toPack) {
      reporter.heading(`${pkg.name}@${String(pkg.manifest.version)} (${pkg.relativeDir})`);
      const packed = packPackage(pkg, tempDir, reporter);
      if (!packed) continue;
      packedByName.set(pkg.name, packed);
      if (lintNames.has(pkg.name)) await lintPacked(packed, rootEngines, reporter);
      else reporter.note('packed for the isolation check only (not in --packages)');
    }
    if (isolationTarget !== undefined) {
      const target = /** @type {WorkspacePackage} */ (isolationPackages[0]).name;
      checkIsolation(target, packedByName, tempDir, reporter);
    }
  } finally {
    if (flags['keep-temp']) console.log(`\nkept temporary files in ${tempDir}`);
    else cleanUp();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  const isolationName = isolationPackages[0]?.name;
  const scope = `${selected.length} package(s)${isolationName ? `, isolation of ${isolationName}` : ', no isolation check'}`;
  if (reporter.failures > 0) {
    console.error(`\ncheck-packages: FAILED, ${reporter.failures} failure(s) (${scope})`);
    return 1;
  }
  console.log(`\ncheck-packages: ok (${scope})`);
  return 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
