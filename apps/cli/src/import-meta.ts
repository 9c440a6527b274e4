import { pathToFileURL } from 'node:url';

/**
 * `import.meta.resolve` for the CommonJS bundles (scripts/bundle.mjs replaces it with this): the file URL
 * of what a specifier resolves to from the bundle, as in an ES module. @volt/landlock finds its helper
 * through `import.meta.resolve('@volt/landlock/package.json')`.
 *
 * @example
 * ```ts
 * importMetaResolve('@volt/landlock/package.json'); // 'file:///…/node_modules/@volt/landlock/package.json'
 * ```
 */
export function importMetaResolve(specifier: string): string {
  return pathToFileURL(require.resolve(specifier)).href;
}
