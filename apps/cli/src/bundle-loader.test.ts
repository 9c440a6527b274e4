import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BundleLoader, CODE_CACHE_SUFFIX, loadBundle, writeCodeCaches } from './bundle-loader.js';

const root = mkdtempSync(join(tmpdir(), 'volt-bundle-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A main bundle that requires a command bundle and a builtin, as dist/main.cjs does, in a new directory. */
function writeBundles(): { readonly main: string; readonly deps: string } {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(join(dir, 'deps'), { recursive: true });
  const main = join(dir, 'main.cjs');
  const deps = join(dir, 'deps', 'render.cjs');
  writeFileSync(
    main,
    [
      '"use strict";',
      'const { join } = require("node:path");',
      'globalThis.voltLoaderRuns = (globalThis.voltLoaderRuns ?? 0) + 1;',
      'module.exports = { twice: (n) => require("./deps/render.cjs").double(n) * 2, where: join(__dirname, "x"),',
      '  fail: () => { throw new Error("from main"); } };',
    ].join('\n'),
  );
  writeFileSync(deps, 'exports.double = (n) => n + n;\n');
  return { main, deps };
}

const newLoader = (useCodeCache = true): BundleLoader => ({ loaded: new Map(), useCodeCache });
const uses = (loader: BundleLoader) => [...loader.loaded.values()].map((bundle) => bundle.codeCache);

describe('loadBundle', () => {
  it('loads a bundle and the command bundle it requires, with Node builtins and CommonJS globals', () => {
    const { main } = writeBundles();
    const loader = newLoader();
    const api = loadBundle(main, loader) as { twice(n: number): number; where: string };
    expect(api.twice(3)).toBe(12);
    expect(api.where).toBe(join(main, '..', 'x'));
    expect(uses(loader)).toEqual(['absent', 'absent']);
  });

  it('evaluates a bundle once however often it is loaded', () => {
    const { main } = writeBundles();
    const loader = newLoader();
    const before = (globalThis as { voltLoaderRuns?: number }).voltLoaderRuns ?? 0;
    expect(loadBundle(main, loader)).toBe(loadBundle(main, loader));
    expect((globalThis as { voltLoaderRuns?: number }).voltLoaderRuns).toBe(before + 1);
  });

  it('writes the code caches of what ran, and a later load compiles from them', () => {
    const { main, deps } = writeBundles();
    const first = newLoader();
    (loadBundle(main, first) as { twice(n: number): number }).twice(1);
    expect(writeCodeCaches(first)).toEqual([main + CODE_CACHE_SUFFIX, deps + CODE_CACHE_SUFFIX]);
    const second = newLoader();
    expect((loadBundle(main, second) as { twice(n: number): number }).twice(5)).toBe(20);
    expect(uses(second)).toEqual(['accepted', 'accepted']);
    expect(writeCodeCaches(second)).toEqual([]);
  });

  it('compiles from source when V8 refuses a cache, and the next write replaces it', () => {
    const { main, deps } = writeBundles();
    writeFileSync(main + CODE_CACHE_SUFFIX, Buffer.from('not a V8 code cache'));
    const loader = newLoader();
    expect((loadBundle(main, loader) as { twice(n: number): number }).twice(2)).toBe(8);
    expect(uses(loader)).toEqual(['rejected', 'absent']);
    expect(writeCodeCaches(loader)).toEqual([main + CODE_CACHE_SUFFIX, deps + CODE_CACHE_SUFFIX]);
    expect(readFileSync(main + CODE_CACHE_SUFFIX).toString()).not.toBe('not a V8 code cache');
    const again = newLoader();
    loadBundle(main, again);
    expect(uses(again)).toEqual(['accepted']);
  });

  it('refuses a cache made for other source (the bundle changed since the build)', () => {
    const { main } = writeBundles();
    const loader = newLoader();
    loadBundle(main, loader);
    writeCodeCaches(loader);
    writeFileSync(main, `${readFileSync(main, 'utf8')}\nmodule.exports.changed = true;\n`);
    const after = newLoader();
    expect((loadBundle(main, after) as { changed?: boolean }).changed).toBe(true);
    expect(uses(after)).toEqual(['rejected']);
  });

  it('ignores the caches when told to (VOLT_CODE_CACHE=off)', () => {
    const { main } = writeBundles();
    const loader = newLoader();
    loadBundle(main, loader);
    writeCodeCaches(loader);
    const off = newLoader(false);
    loadBundle(main, off);
    expect(uses(off)).toEqual(['absent']);
  });

  it('keeps file names and line numbers in stack traces', () => {
    const { main } = writeBundles();
    const api = loadBundle(main, newLoader()) as { fail(): never };
    expect(() => api.fail()).toThrow(
      expect.objectContaining({ stack: expect.stringContaining(`${main}:5:`) }) as Error,
    );
  });
});
