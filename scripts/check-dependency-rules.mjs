#!/usr/bin/env node
// @ts-check
/**
 * Enforces the workspace dependency rule (issue 2) on both the declared dependencies of every workspace
 * package and the module specifiers its TypeScript/JavaScript sources really import:
 *
 * - `@volt/core` depends on no `@volt` package;
 * - the domain packages (`@volt/landlock`, `@volt/seccomp`, `@volt/cgroups`, `@volt/netns`) on `@volt/core` only;
 * - `@volt/nspawn` on `@volt/core` and the four domain packages;
 * - `@volt/cli` on any of them, and nothing depends on `@volt/cli`;
 * - internal dependencies are declared as `workspace:^`, every imported `@volt` package is declared
 *   (shipped sources need `dependencies`/`peerDependencies`, tests may use `devDependencies`),
 *   packages reach each other by name only (no relative path into a sibling), and there are no cycles.
 *
 * Usage: `node scripts/check-dependency-rules.mjs [--root DIR]`. Prints one line per violation and exits 1,
 * or prints a one-line summary and exits 0. Exit 2 on bad usage.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

/**
 * @typedef {{ readonly allowed: readonly string[], readonly rule: string }} DependencyRule
 * @typedef {{ readonly name: string, readonly dir: string, readonly relativeDir: string,
 *   readonly manifestPath: string, readonly manifestText: string,
 *   readonly manifest: Readonly<Record<string, unknown>> }} WorkspacePackage
 * @typedef {'import' | 'export' | 'dynamic import' | 'require' | 'import type' | 'import-equals'
 *   | 'require.resolve' | 'import.meta.resolve'} ImportKind
 * @typedef {{ readonly specifier: string, readonly line: number, readonly kind: ImportKind }} ImportSite
 * @typedef {{ readonly location: string, readonly importer: string, readonly imported: string,
 *   readonly how: string, readonly rule: string }} Violation
 * @typedef {{ readonly from: string, readonly to: string, readonly location: string }} Edge
 * @typedef {{ readonly violations: readonly Violation[], readonly packageCount: number,
 *   readonly fileCount: number, readonly edgeCount: number }} DependencyReport
 */

const DOMAIN_PACKAGES = Object.freeze(['@volt/landlock', '@volt/seccomp', '@volt/cgroups', '@volt/netns']);

/**
 * The dependency rule of issue 2: which `@volt` packages each workspace package may depend on.
 * A workspace package missing from this table is itself a violation, so a new package gets a rule.
 * @example
 * DEPENDENCY_RULES['@volt/cgroups'].allowed; // ['@volt/core']
 */
export const DEPENDENCY_RULES = Object.freeze(
  /** @type {Readonly<Record<string, DependencyRule>>} */ ({
    '@volt/core': { allowed: [], rule: '@volt/core depends on no @volt package' },
    ...Object.fromEntries(
      DOMAIN_PACKAGES.map((name) => [
        name,
        {
          allowed: ['@volt/core'],
          rule: 'domain packages (landlock, seccomp, cgroups, netns) may depend on @volt/core only',
        },
      ]),
    ),
    '@volt/nspawn': {
      allowed: ['@volt/core', ...DOMAIN_PACKAGES],
      rule: '@volt/nspawn may depend on @volt/core and the four domain packages only',
    },
    '@volt/cli': {
      allowed: ['@volt/core', ...DOMAIN_PACKAGES, '@volt/nspawn'],
      rule: 'the CLI may depend on every @volt library package',
    },
    '@volt/e2e': {
      allowed: ['@volt/core', ...DOMAIN_PACKAGES, '@volt/nspawn'],
      rule: 'the end-to-end suite may use every @volt library package (it runs the CLI as a program, never imports it)',
    },
  }),
);

const CLI_PACKAGE = '@volt/cli';
const REQUIRED_INTERNAL_RANGE = 'workspace:^';

/**
 * The scope every workspace package is published under.
 * @example
 * '@volt/core'.startsWith(INTERNAL_SCOPE); // true
 */
export const INTERNAL_SCOPE = '@volt/';

/**
 * package.json fields whose packages npm installs for the package's users.
 * @example
 * SHIPPED_DEPENDENCY_FIELDS.includes('devDependencies'); // false
 */
export const SHIPPED_DEPENDENCY_FIELDS = Object.freeze([
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
]);

/**
 * Every package.json field that declares a dependency.
 * @example
 * DEPENDENCY_FIELDS.includes('devDependencies'); // true
 */
export const DEPENDENCY_FIELDS = Object.freeze([...SHIPPED_DEPENDENCY_FIELDS, 'devDependencies']);
const SOURCE_DIRS = Object.freeze(['src', 'test', 'bench']);
const SOURCE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const NOT_SHIPPED_FILE = /\.(?:test|spec|bench)\.[cm]?[jt]sx?$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.turbo', 'coverage']);

/**
 * Finds every module specifier a source file imports: static imports and re-exports, `import type`,
 * type-level `import('x')`, dynamic `import('x')`, `require('x')`, `import x = require('x')`,
 * `require.resolve('x')` and `import.meta.resolve('x')`. Only string-literal specifiers are returned;
 * a computed specifier cannot be checked statically.
 * @param {string} fileName used to pick the TypeScript script kind from its extension
 * @param {string} text the source text
 * @returns {ImportSite[]} in source order, with 1-based line numbers
 * @example
 * findImports('a.ts', "import { x } from '@volt/core';"); // [{ specifier: '@volt/core', line: 1, kind: 'import' }]
 */
export function findImports(fileName, text) {
  const sourceFile = ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    true,
    scriptKindOf(fileName),
  );
  /** @type {ImportSite[]} */
  const sites = [];
  /** @param {ts.Node | undefined} literal @param {ImportKind} kind */
  const add = (literal, kind) => {
    if (literal && (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal))) {
      const line = sourceFile.getLineAndCharacterOfPosition(literal.getStart(sourceFile)).line + 1;
      sites.push({ specifier: literal.text, line, kind });
    }
  };
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ? 'import type' : 'import');
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, 'export');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, 'import-equals');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, 'import type');
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const firstArgument = node.arguments[0];
      if (callee.kind === ts.SyntaxKind.ImportKeyword) {
        add(firstArgument, 'dynamic import');
      } else if (ts.isIdentifier(callee) && callee.text === 'require') {
        add(firstArgument, 'require');
      } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve') {
        if (ts.isIdentifier(callee.expression) && callee.expression.text === 'require') {
          add(firstArgument, 'require.resolve');
        } else if (ts.isMetaProperty(callee.expression) && callee.expression.name.text === 'meta') {
          add(firstArgument, 'import.meta.resolve');
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return sites;
}

/** @param {string} fileName @returns {ts.ScriptKind} */
function scriptKindOf(fileName) {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/**
 * The package name a bare specifier refers to (`@volt/core/profile` → `@volt/core`), or undefined for
 * relative, absolute, `node:` and URL specifiers.
 * @param {string} specifier
 * @returns {string | undefined}
 * @example
 * packageNameOf('@volt/core/profile'); // '@volt/core'
 */
export function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || /^[a-z]+:/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Reads the workspace member globs from `pnpm-workspace.yaml` (the `packages:` list; plain `dir/*` and
 * `dir` entries), falling back to `packages/*` and `apps/*` when the file is absent.
 * @param {string} root
 * @returns {string[]}
 */
function workspaceGlobs(root) {
  const file = path.join(root, 'pnpm-workspace.yaml');
  if (!existsSync(file)) return ['packages/*', 'apps/*'];
  /** @type {string[]} */
  const globs = [];
  let inPackages = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
    } else if (inPackages && /^\S/.test(line)) {
      inPackages = false;
    } else if (inPackages) {
      const entry = /^\s+-\s+['"]?([^'"#\s]+)['"]?/.exec(line)?.[1];
      if (entry) globs.push(entry);
    }
  }
  for (const glob of globs) {
    if (glob.startsWith('!') || /\*\*|\*./.test(glob)) {
      throw new Error(
        `pnpm-workspace.yaml: unsupported workspace pattern '${glob}' (only 'dir/*' and 'dir')`,
      );
    }
  }
  return globs;
}

/**
 * Lists the workspace packages under `root`, sorted by directory.
 * @param {string} root the workspace root (holds pnpm-workspace.yaml)
 * @returns {WorkspacePackage[]}
 * @example
 * listWorkspacePackages('.').map((p) => p.name); // ['@volt/cli', '@volt/cgroups', ...]
 */
export function listWorkspacePackages(root) {
  /** @type {string[]} */
  const dirs = [];
  for (const glob of workspaceGlobs(root)) {
    if (glob.endsWith('/*')) {
      const parent = path.join(root, glob.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(path.join(parent, entry.name));
      }
    } else {
      dirs.push(path.join(root, glob));
    }
  }
  return dirs
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .sort()
    .map((dir) => {
      const manifestPath = path.join(dir, 'package.json');
      const manifestText = readFileSync(manifestPath, 'utf8');
      const manifest = JSON.parse(manifestText);
      return {
        name: String(manifest.name),
        dir,
        relativeDir: path.relative(root, dir),
        manifestPath,
        manifestText,
        manifest,
      };
    });
}

/** @param {string} dir @returns {string[]} */
function listSourceFiles(dir) {
  if (!existsSync(dir)) return [];
  /** @type {string[]} */
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...listSourceFiles(full));
    } else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(full);
    }
  }
  return files.sort();
}

/**
 * 1-based line of `"key"` inside the `field` object of a package.json text (1 when not found).
 * @param {string} text @param {string} field @param {string} key
 * @returns {number}
 */
function manifestLine(text, field, key) {
  const fieldIndex = text.indexOf(`"${field}"`);
  const keyIndex = fieldIndex < 0 ? -1 : text.indexOf(JSON.stringify(key), fieldIndex);
  const index = keyIndex >= 0 ? keyIndex : Math.max(fieldIndex, 0);
  return text.slice(0, index).split('\n').length;
}

/**
 * Why `importer` may not depend on `imported`, or undefined when it may.
 * @param {string} importer @param {string} imported
 * @returns {string | undefined}
 */
function forbiddenBecause(importer, imported) {
  if (importer === imported) return 'a package does not import itself by name; use a relative import';
  if (imported === CLI_PACKAGE) return 'nothing may depend on the CLI (@volt/cli)';
  const rule = DEPENDENCY_RULES[importer];
  if (!rule) return `no dependency rule for ${importer}; add it to DEPENDENCY_RULES in this script`;
  return rule.allowed.includes(imported) ? undefined : rule.rule;
}

/**
 * Finds dependency cycles between packages. Each cycle is returned once, rotated to start at its
 * alphabetically first package, as the list of edges that close it.
 * @param {readonly Edge[]} edges
 * @returns {Edge[][]}
 * @example
 * findCycles([{ from: 'a', to: 'b', location: 'x' }, { from: 'b', to: 'a', location: 'y' }]).length; // 1
 */
export function findCycles(edges) {
  /** @type {Map<string, Edge[]>} */
  const outgoing = new Map();
  for (const edge of edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
  /** @type {Map<string, Edge[]>} */
  const cycles = new Map();
  /** @type {Set<string>} */
  const done = new Set();
  /** @type {Edge[]} */
  const trail = [];
  /** @type {string[]} */
  const onTrail = [];
  /** @param {string} node */
  const visit = (node) => {
    onTrail.push(node);
    for (const edge of outgoing.get(node) ?? []) {
      const start = onTrail.indexOf(edge.to);
      if (start >= 0) {
        const cycle = [...trail.slice(start), edge];
        const first = cycle.reduce((best, e, i) => (e.from < (cycle[best]?.from ?? '') ? i : best), 0);
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        cycles.set(rotated.map((e) => e.from).join(' -> '), rotated);
      } else if (!done.has(edge.to)) {
        trail.push(edge);
        visit(edge.to);
        trail.pop();
      }
    }
    onTrail.pop();
    done.add(node);
  };
  for (const node of [...outgoing.keys()].sort()) if (!done.has(node)) visit(node);
  return [...cycles.values()];
}

/**
 * Checks the dependency rule on the workspace at `root`: declared dependencies, real imports, undeclared
 * imports, relative imports into other packages, and cycles.
 * @param {string} root the workspace root
 * @returns {DependencyReport}
 * @example
 * checkDependencyRules('.').violations.length; // 0 on a healthy tree
 */
export function checkDependencyRules(root) {
  const packages = listWorkspacePackages(root);
  const names = new Set(packages.map((p) => p.name));
  /** @type {Violation[]} */
  const violations = [];
  /** @type {Edge[]} */
  const edges = [];
  /** @type {Set<string>} */
  const edgeKeys = new Set();
  /** @param {Edge} edge */
  const addEdge = (edge) => {
    const key = `${edge.from}\0${edge.to}`;
    if (edgeKeys.has(key)) return;
    edgeKeys.add(key);
    edges.push(edge);
  };
  /** @param {string} name */
  const isInternal = (name) => name.startsWith(INTERNAL_SCOPE) || names.has(name);
  let fileCount = 0;

  for (const pkg of packages) {
    const manifestFile = path.relative(root, pkg.manifestPath);
    if (!DEPENDENCY_RULES[pkg.name]) {
      violations.push({
        location: `${manifestFile}:1`,
        importer: pkg.name,
        imported: '-',
        how: 'workspace member',
        rule: `no dependency rule for ${pkg.name}; add it to DEPENDENCY_RULES in scripts/check-dependency-rules.mjs`,
      });
    }

    /** @type {Map<string, string>} dependency name -> field it is declared in (shipped fields win) */
    const declared = new Map();
    for (const field of DEPENDENCY_FIELDS) {
      const deps = /** @type {Record<string, unknown> | undefined} */ (pkg.manifest[field]);
      for (const [dep, range] of Object.entries(deps ?? {})) {
        if (!isInternal(dep)) continue;
        if (!declared.has(dep)) declared.set(dep, field);
        const location = `${manifestFile}:${manifestLine(pkg.manifestText, field, dep)}`;
        const how = `declared in ${field}`;
        if (!names.has(dep)) {
          violations.push({
            location,
            importer: pkg.name,
            imported: dep,
            how,
            rule: 'not a workspace package',
          });
          continue;
        }
        const reason = forbiddenBecause(pkg.name, dep);
        if (reason) violations.push({ location, importer: pkg.name, imported: dep, how, rule: reason });
        if (range !== REQUIRED_INTERNAL_RANGE) {
          violations.push({
            location,
            importer: pkg.name,
            imported: dep,
            how,
            rule: `internal dependencies use "${REQUIRED_INTERNAL_RANGE}", found ${JSON.stringify(range)}`,
          });
        }
        addEdge({ from: pkg.name, to: dep, location });
      }
    }

    for (const sourceDir of SOURCE_DIRS) {
      for (const file of listSourceFiles(path.join(pkg.dir, sourceDir))) {
        fileCount += 1;
        const shipped = sourceDir === 'src' && !NOT_SHIPPED_FILE.test(file);
        const relativeFile = path.relative(root, file);
        for (const site of findImports(file, readFileSync(file, 'utf8'))) {
          const location = `${relativeFile}:${site.line}`;
          if (site.specifier.startsWith('.')) {
            const target = path.resolve(path.dirname(file), site.specifier);
            if (path.relative(pkg.dir, target).startsWith('..')) {
              violations.push({
                location,
                importer: pkg.name,
                imported: site.specifier,
                how: site.kind,
                rule: 'relative import leaves the package; import other packages by name',
              });
            }
            continue;
          }
          const imported = packageNameOf(site.specifier);
          if (imported === undefined || !isInternal(imported)) continue;
          const how = site.kind;
          // A package may locate its own shipped files through its exported package.json (this survives
          // bundling, where import.meta.url no longer points into the package).
          if (
            imported === pkg.name &&
            how === 'import.meta.resolve' &&
            site.specifier === `${pkg.name}/package.json`
          ) {
            continue;
          }
          if (!names.has(imported)) {
            violations.push({ location, importer: pkg.name, imported, how, rule: 'not a workspace package' });
            continue;
          }
          const reason = forbiddenBecause(pkg.name, imported);
          if (reason) {
            violations.push({ location, importer: pkg.name, imported, how, rule: reason });
          } else {
            const field = declared.get(imported);
            if (field === undefined) {
              violations.push({
                location,
                importer: pkg.name,
                imported,
                how,
                rule: `undeclared: add "${imported}": "${REQUIRED_INTERNAL_RANGE}" to ${shipped ? 'dependencies' : 'devDependencies'}`,
              });
            } else if (shipped && !SHIPPED_DEPENDENCY_FIELDS.includes(field)) {
              violations.push({
                location,
                importer: pkg.name,
                imported,
                how,
                rule: `shipped source imports a package declared only in ${field}; move it to dependencies`,
              });
            }
          }
          if (imported !== pkg.name) addEdge({ from: pkg.name, to: imported, location });
        }
      }
    }
  }

  for (const cycle of findCycles(edges)) {
    const first = /** @type {Edge} */ (cycle[0]);
    violations.push({
      location: first.location,
      importer: first.from,
      imported: first.to,
      how: 'cycle',
      rule: `dependency cycle ${[...cycle.map((e) => e.from), first.from].join(' -> ')} (edges at ${cycle
        .map((e) => e.location)
        .join(', ')})`,
    });
  }
  return { violations, packageCount: packages.length, fileCount, edgeCount: edges.length };
}

/**
 * One output line for a violation: `file:line: importer -> imported (how): rule`.
 * @param {Violation} violation
 * @returns {string}
 * @example
 * formatViolation({ location: 'a.ts:1', importer: 'x', imported: 'y', how: 'import', rule: 'r' }); // 'a.ts:1: x -> y (import): r'
 */
export function formatViolation(violation) {
  const { location, importer, imported, how, rule } = violation;
  return `${location}: ${importer} -> ${imported} (${how}): ${rule}`;
}

/**
 * Command-line entry: parses flags, runs the check, prints the result.
 * @param {readonly string[]} argv arguments after the script name
 * @returns {number} the exit code
 */
export function main(argv) {
  const defaultRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  /** @type {{ values: { root?: string, help?: boolean } }} */
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
  } catch (error) {
    console.error(`check-dependency-rules: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log('usage: node scripts/check-dependency-rules.mjs [--root WORKSPACE_DIR]');
    return 0;
  }
  const root = path.resolve(parsed.values.root ?? defaultRoot);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    console.error(`check-dependency-rules: --root ${root} is not a directory`);
    return 2;
  }
  /** @type {DependencyReport} */
  let report;
  try {
    report = checkDependencyRules(root);
  } catch (error) {
    console.error(
      `check-dependency-rules: cannot check ${root}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  for (const violation of report.violations) console.error(formatViolation(violation));
  const counts = `${report.packageCount} packages, ${report.fileCount} source files, ${report.edgeCount} internal dependency edges`;
  if (report.violations.length > 0) {
    console.error(`check-dependency-rules: FAILED, ${report.violations.length} violation(s) (${counts})`);
    return 1;
  }
  console.log(`check-dependency-rules: ok, ${counts}, no forbidden or undeclared dependencies, no cycles`);
  return 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
