import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProfileDocument } from '@volt/core/profile';
import { describe, expect, it } from 'vitest';
import { loadChecks, parseCheck } from './checks.js';

const valid = {
  name: 'memory',
  machine: 'vtv-mem',
  route: 'run',
  plan: { args: ['--property=MemoryMax=64M'], command: ['/bin/true'] },
  expect: [{ source: 'cgroup', file: 'memory.max', equals: '67108864' }],
};

function codeOf(data: unknown): string | undefined {
  try {
    parseCheck(data, 'test.json');
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('checks', () => {
  it('loads every check of e2e/checks: names and machines unique, all valid', async () => {
    const checks = await loadChecks(join(import.meta.dirname, '..', 'checks'));
    expect(checks.length).toBeGreaterThanOrEqual(10);
    expect(checks.map((check) => check.route)).toContain('template');
  });

  it('check 70 runs examples/hello.yaml as it is, named for the VM and in the root volt rootfs makes', async () => {
    const checks = await loadChecks(join(import.meta.dirname, '..', 'checks'));
    const hello = checks.find((check) => check.machine === 'vtv-vc21-hello');
    const example = await loadProfileDocument(
      readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'hello.yaml'), 'utf8'),
    );
    expect(hello?.profile).toEqual({
      ...(example as object),
      name: 'vtv-vc21-hello',
      rootfs: '/var/lib/vc21/hello',
    });
    expect(hello?.setup?.at(-1)?.slice(2)).toEqual(['rootfs', 'busybox', '/var/lib/vc21/hello']);
  });

  it('accepts a well-formed check', () => {
    expect(parseCheck(valid, 'test.json').machine).toBe('vtv-mem');
  });

  it('refuses malformed checks with a stable code', () => {
    const booting = {
      name: 'boot',
      machine: 'vtv-boot',
      route: 'volt-apply',
      rootfs: 'vm-root',
      profile: { name: 'vtv-boot', boot: true, workloadUnit: 'w.service' },
      expect: [{ source: 'leader', file: 'comm', equals: 'systemd' }],
    };
    expect(codeOf(booting)).toBeUndefined();
    expect(codeOf({ ...booting, profile: { ...booting.profile, boot: false } })).toBe('INVALID_VALUE');
    expect(codeOf({ ...booting, profile: { name: 'vtv-boot', boot: true } })).toBe('INVALID_VALUE');
    expect(codeOf({ ...booting, route: 'volt-run' })).toBe('INVALID_VALUE');
    const outside = { ...booting.profile, workloadUnit: '../../../etc/x.service' };
    expect(codeOf({ ...booting, profile: outside })).toBe('INVALID_VALUE');
    const refused = {
      ...booting,
      expect: [
        { source: 'exit', equals: 2 },
        { source: 'output', matches: 'CONFLICT' },
      ],
    };
    expect(codeOf(refused)).toBeUndefined();
    const planted = (entry: unknown) => codeOf({ ...booting, rootfsEntries: [entry] });
    expect(
      planted({ path: 'etc/systemd/system/w.service.d', symlink: '/etc/systemd/system' }),
    ).toBeUndefined();
    expect(planted({ path: 'etc/x.conf', text: '[Service]\n' })).toBeUndefined();
    expect(planted({ path: '../etc/x', text: '' })).toBe('INVALID_VALUE');
    expect(planted({ path: 'etc/x', text: '', symlink: '/x' })).toBe('INVALID_VALUE');
    expect(planted({ path: 'etc/x' })).toBe('INVALID_VALUE');
    expect(codeOf({ ...valid, ociRuntime: 'runc' })).toBe('INVALID_VALUE');
    expect(codeOf({ ...valid, machine: 'other' })).toBe('INVALID_VALUE');
    expect(codeOf({ ...valid, machine: 'vtv/../x' })).toBe('INVALID_MACHINE_NAME');
    expect(codeOf({ ...valid, extra: 1 })).toBe('INVALID_VALUE');
    expect(codeOf({ ...valid, route: 'template' })).toBe('INVALID_VALUE');
    expect(codeOf({ ...valid, expect: [{ source: 'cgroup', file: '../memory.max', equals: '1' }] })).toBe(
      'INVALID_VALUE',
    );
    expect(codeOf({ ...valid, expect: [{ source: 'cgroup', file: 'memory.max' }] })).toBe('INVALID_VALUE');
    expect(codeOf({ ...valid, expect: [{ source: 'output', matches: '(' }] })).toBe('INVALID_VALUE');
    for (const file of ['../etc/passwd', 'var/../../x', '/var/x', 'var//x', 'var/./x']) {
      expect(codeOf({ ...valid, expect: [{ source: 'rootfsFile', file, matches: 'x' }] })).toBe(
        'INVALID_VALUE',
      );
      expect(codeOf({ ...valid, readyFile: file })).toBe('INVALID_VALUE');
    }
    expect(codeOf({ ...valid, readyFile: 'var/vtv-ready' })).toBeUndefined();
    expect(codeOf({ ...valid, expect: [{ source: 'host', command: [], matches: 'x' }] })).toBe(
      'INVALID_VALUE',
    );
    expect(
      codeOf({
        ...valid,
        route: 'template',
        plan: { nspawnFile: '[Exec]\n' },
        expect: [{ source: 'exit', equals: 0 }],
      }),
    ).toBe('INVALID_VALUE');
  });
});
