import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * How a bundle used its V8 code cache: `accepted` (compiled from it), `rejected` (this Node's V8 refused it,
 * e.g. another Node version: compiled from source) or `absent` (no cache file, or caches switched off).
 */
export type CodeCacheUse = 'accepted' | 'rejected' | 'absent';

/** One bundle loaded by {@link loadBundle}, with how it used its code cache. */
export interface LoadedBundle {
  readonly file: string;
  readonly codeCache: CodeCacheUse;
  readonly script: Script;
  readonly exports: unknown;
}

/** What {@link loadBundle} reads and records: every bundle loaded, by file, in load order. */
export interface BundleLoader {
  readonly loaded: Map<string, LoadedBundle>;
  /** false: compile from source, ignoring cache files (`VOLT_CODE_CACHE=off`). */
  readonly useCodeCache: boolean;
}

/** The suffix of a bundle's code cache file: `dist/main.cjs` → `dist/main.cjs.v8-cache`. */
export const CODE_CACHE_SUFFIX = '.v8-cache';

// Node's own CommonJS wrapper, on the source's first line so that line numbers stay right.
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_TAIL = '\n})';

type BundleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

function readCodeCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file + CODE_CACHE_SUFFIX);
  } catch {
    return undefined;
  }
}

/**
 * Loads one CommonJS bundle of the CLI (scripts/bundle.mjs) as Node's loader would, but compiled with the
 * V8 code cache the build made for it, which spares compiling it and the functions the build's run used.
 * A cache this V8 refuses only costs the compile it would have saved. A relative `require` of a `.cjs`
 * file (a command's `dist/deps/NAME.cjs`) is loaded the same way; anything else goes to Node's `require`.
 *
 * @example
 * ```ts
 * const loader = { loaded: new Map(), useCodeCache: true };
 * loadBundle(join(__dirname, 'main.cjs'), loader);
 * [...loader.loaded.values()].map((bundle) => bundle.codeCache); // ['accepted', 'accepted']
 * ```
 */
export function loadBundle(file: string, loader: BundleLoader): unknown {
  const known = loader.loaded.get(file);
  if (known !== undefined) return known.exports;
  const cachedData = loader.useCodeCache ? readCodeCache(file) : undefined;
  const script = new Script(WRAPPER_HEAD + readFileSync(file, 'utf8') + WRAPPER_TAIL, {
    filename: file,
    columnOffset: -WRAPPER_HEAD.length,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const nodeRequire = createRequire(file);
  const bundleRequire = Object.assign(
    (id: string): unknown =>
      (id.startsWith('./') || id.startsWith('../')) && id.endsWith('.cjs')
        ? loadBundle(join(dirname(file), id), loader)
        : nodeRequire(id),
    { resolve: nodeRequire.resolve, cache: nodeRequire.cache, extensions: nodeRequire.extensions },
  ) as NodeJS.Require;
  const module = { exports: {} as unknown };
  const codeCache: CodeCacheUse =
    cachedData === undefined ? 'absent' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  // Recorded before it runs, so that a bundle requiring itself back gets its partial exports, as in Node.
  const entry = { file, codeCache, script, exports: module.exports };
  loader.loaded.set(file, entry);
  (script.runInThisContext() as BundleFunction)(module.exports, bundleRequire, module, file, dirname(file));
  loader.loaded.set(file, { ...entry, exports: module.exports });
  return module.exports;
}

/**
 * Writes the code cache of every loaded bundle that has none this V8 accepts, from what the process
 * compiled so far: the build runs a command with `VOLT_CODE_CACHE=write` and calls this at exit.
 * Returns the files written.
 *
 * @example
 * ```ts
 * process.on('exit', () => writeCodeCaches(loader));
 * ```
 */
export function writeCodeCaches(loader: BundleLoader): readonly string[] {
  const written: string[] = [];
  for (const bundle of loader.loaded.values()) {
    if (bundle.codeCache === 'accepted') continue;
    writeFileSync(bundle.file + CODE_CACHE_SUFFIX, bundle.script.createCachedData());
    written.push(bundle.file + CODE_CACHE_SUFFIX);
  }
  return written;
}
