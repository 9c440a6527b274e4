import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moduleClosure, moduleName, parseModulesDep, parseModulesSoftdep, selectModules } from './modules.js';

const dep = parseModulesDep(
  [
    'kernel/net/netfilter/nf_tables.ko: kernel/net/netfilter/nfnetlink.ko kernel/lib/libcrc32c.ko',
    'kernel/net/netfilter/nfnetlink.ko:',
    'kernel/lib/libcrc32c.ko:',
    'kernel/crypto/crc32c_generic.ko:',
    'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko',
    'kernel/net/802/stp.ko: kernel/net/llc/llc.ko',
    'kernel/net/llc/llc.ko:',
    'kernel/fs/ext4/ext4.ko:',
    '',
  ].join('\n'),
);

describe('modules', () => {
  it('parses modules.dep lines, with and without dependencies', () => {
    expect(dep.get('kernel/net/bridge/bridge.ko')).toEqual([
      'kernel/net/802/stp.ko',
      'kernel/net/llc/llc.ko',
    ]);
    expect(dep.get('kernel/lib/libcrc32c.ko')).toEqual([]);
    expect(dep.size).toBe(8);
  });

  it('names modules the way modprobe does', () => {
    expect(moduleName('kernel/arch/x86/crypto/crc32c-intel.ko')).toBe('crc32c_intel');
    expect(moduleName('kernel/net/netfilter/nf_tables.ko.xz')).toBe('nf_tables');
  });

  it('follows hard dependencies transitively and softdeps that name a module', () => {
    const soft = parseModulesSoftdep('softdep libcrc32c pre: crc32c crc32c_generic\n# comment\n');
    expect(soft.get('libcrc32c')).toEqual(['crc32c', 'crc32c_generic']);
    expect(moduleClosure(dep, soft, ['kernel/net/netfilter/nf_tables.ko'])).toEqual([
      'kernel/crypto/crc32c_generic.ko',
      'kernel/lib/libcrc32c.ko',
      'kernel/net/netfilter/nf_tables.ko',
      'kernel/net/netfilter/nfnetlink.ko',
    ]);
    expect(moduleClosure(dep, new Map(), ['kernel/net/bridge/bridge.ko', 'kernel/missing.ko'])).toEqual([
      'kernel/net/802/stp.ko',
      'kernel/net/bridge/bridge.ko',
      'kernel/net/llc/llc.ko',
    ]);
  });

  it('selects by path patterns', () => {
    expect(selectModules(dep.keys(), ['^kernel/net/(bridge|802)/'])).toEqual([
      'kernel/net/bridge/bridge.ko',
      'kernel/net/802/stp.ko',
    ]);
  });

  it('a closure contains its roots, is closed under dependencies and only names known modules', () => {
    const paths = [...dep.keys()];
    fc.assert(
      fc.property(fc.subarray(paths), (roots) => {
        const closure = new Set(moduleClosure(dep, new Map(), roots));
        for (const root of roots) expect(closure.has(root)).toBe(true);
        for (const path of closure) {
          expect(dep.has(path)).toBe(true);
          for (const needed of dep.get(path) ?? []) expect(closure.has(needed)).toBe(true);
        }
      }),
    );
  });
});
