/** Module path (relative to /lib/modules/VERSION) to the module paths it needs loaded first. */
export type ModuleDependencies = ReadonlyMap<string, readonly string[]>;

/** Module name (`nf_tables`, with `-` read as `_`) to the module names its softdep lines name. */
export type ModuleSoftDependencies = ReadonlyMap<string, readonly string[]>;

/**
 * Parses depmod's `modules.dep`: `kernel/a.ko: kernel/b.ko kernel/c.ko` per line.
 *
 * @example
 * ```ts
 * parseModulesDep('kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko\n').get('kernel/net/bridge/bridge.ko');
 * // ['kernel/net/802/stp.ko']
 * ```
 */
export function parseModulesDep(text: string): ModuleDependencies {
  const dependencies = new Map<string, readonly string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rest = line.slice(colon + 1).trim();
    dependencies.set(line.slice(0, colon).trim(), rest === '' ? [] : rest.split(/\s+/));
  }
  return dependencies;
}

/**
 * The module name of a module path: the file name without `.ko` (and compression suffix), `-` as `_`.
 *
 * @example
 * ```ts
 * moduleName('kernel/arch/x86/crypto/crc32c-intel.ko'); // 'crc32c_intel'
 * ```
 */
export function moduleName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/\.ko(\.(xz|zst|gz))?$/, '').replaceAll('-', '_');
}

/**
 * Parses `modules.softdep` lines (`softdep libcrc32c pre: crc32c`) into module name → soft dependencies.
 *
 * @example
 * ```ts
 * parseModulesSoftdep('softdep libcrc32c pre: crc32c\n').get('libcrc32c'); // ['crc32c']
 * ```
 */
export function parseModulesSoftdep(text: string): ModuleSoftDependencies {
  const softDependencies = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'softdep' || words[1] === undefined) continue;
    const name = words[1].replaceAll('-', '_');
    const names = words.slice(2).filter((word) => !word.endsWith(':'));
    softDependencies.set(name, [
      ...(softDependencies.get(name) ?? []),
      ...names.map((n) => n.replaceAll('-', '_')),
    ]);
  }
  return softDependencies;
}

/**
 * Every module path needed to load `roots`: their hard dependencies and the soft dependencies that name
 * a module present in `dependencies`, transitively. Soft dependencies that are aliases (not module names)
 * are skipped; list such modules as roots.
 *
 * @example
 * ```ts
 * const dep = parseModulesDep('a.ko: b.ko\nb.ko:\nc.ko:\n');
 * moduleClosure(dep, new Map(), ['a.ko']); // ['a.ko', 'b.ko']
 * ```
 */
export function moduleClosure(
  dependencies: ModuleDependencies,
  softDependencies: ModuleSoftDependencies,
  roots: readonly string[],
): readonly string[] {
  const pathByName = new Map<string, string>();
  for (const path of dependencies.keys()) pathByName.set(moduleName(path), path);
  const keep = new Set<string>();
  const pending = [...roots];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (keep.has(path) || !dependencies.has(path)) continue;
    keep.add(path);
    pending.push(...(dependencies.get(path) ?? []));
    for (const soft of softDependencies.get(moduleName(path)) ?? []) {
      const softPath = pathByName.get(soft);
      if (softPath !== undefined) pending.push(softPath);
    }
  }
  return [...keep].sort();
}

/**
 * The module paths whose path matches one of `patterns` (regular expressions over the path relative to
 * /lib/modules/VERSION).
 *
 * @example
 * ```ts
 * selectModules(['kernel/drivers/net/veth.ko', 'kernel/fs/ext4/ext4.ko'], ['^kernel/drivers/net/veth\\.ko$']);
 * // ['kernel/drivers/net/veth.ko']
 * ```
 */
export function selectModules(paths: Iterable<string>, patterns: readonly string[]): readonly string[] {
  const expressions = patterns.map((pattern) => new RegExp(pattern));
  return [...paths].filter((path) => expressions.some((expression) => expression.test(path)));
}
