import { LANDLOCK_FS_RIGHTS, type LandlockPolicy, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlockPolicy } from './builder.js';
import { parseLandlockPath, parseLandlockPort, validateLandlockPolicy } from './policy.js';

const base: LandlockPolicy = landlockPolicy({ abi: 7 });

describe('parseLandlockPath', () => {
  it('normalises and accepts any byte but NUL', () => {
    expect(parseLandlockPath('/srv//my data/./')).toEqual({ ok: true, value: '/srv/my data' });
    expect(parseLandlockPath('/a\nb=c[d]')).toEqual({ ok: true, value: '/a\nb=c[d]' });
    expect(parseLandlockPath('/')).toEqual({ ok: true, value: '/' });
  });

  it('refuses relative paths, NUL, .. and overlong paths with INVALID_PATH', () => {
    for (const bad of ['tmp', '', '/a\0b', '/a/../b', `/${'x'.repeat(4095)}`, 42]) {
      const result = parseLandlockPath(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_PATH');
    }
  });

  it('is idempotent on every absolute path it accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (tail) => {
        const first = parseLandlockPath(`/${tail}`);
        if (first.ok) expect(parseLandlockPath(first.value)).toEqual(first);
        else expect(first.error.code).toBe('INVALID_PATH');
      }),
    );
  });
});

describe('parseLandlockPort', () => {
  it('accepts exactly 0..65535', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100000, max: 200000 }), (port) => {
        const result = parseLandlockPort(port);
        expect(result.ok).toBe(port >= 0 && port <= 65535);
        if (!result.ok) expect(result.error.code).toBe('INVALID_PORT');
      }),
    );
    expect(parseLandlockPort('8080')).toEqual({ ok: true, value: 8080 });
    expect(parseLandlockPort('1e3').ok).toBe(false);
  });
});

describe('validateLandlockPolicy', () => {
  it('refuses rule lists that are not lists, and rules that are not objects, instead of reading them as none', () => {
    const paths = validateLandlockPolicy({ ...base, paths: '/usr' } as unknown as LandlockPolicy);
    expect(paths.ok === false && [paths.error.code, paths.error.path]).toEqual(['INVALID_VALUE', ['paths']]);
    const rules = validateLandlockPolicy({ ...base, paths: [null], ports: [7] } as unknown as LandlockPolicy);
    expect(rules.ok === false && rules.issues.map((issue) => issue.path)).toEqual([
      ['paths', 0],
      ['ports', 0],
    ]);
  });

  it('merges duplicate paths and ports, rights in kernel order', () => {
    const result = validateLandlockPolicy({
      ...base,
      paths: [
        { path: '/srv/', access: ['read-dir'], optional: true },
        { path: '//srv', access: ['execute', 'read-file'], optional: false },
        { path: '/tmp', access: ['read-file'], optional: true },
        { path: '/tmp/.', access: ['write-file'], optional: true },
      ],
      ports: [
        { port: 80, access: ['connect-tcp'] },
        { port: 80, access: ['bind-tcp'] },
      ],
    });
    expect(result.ok && result.value.paths).toEqual([
      { path: '/srv', access: ['execute', 'read-file', 'read-dir'], optional: false },
      { path: '/tmp', access: ['write-file', 'read-file'], optional: true },
    ]);
    expect(result.ok && result.value.ports).toEqual([{ port: 80, access: ['bind-tcp', 'connect-tcp'] }]);
    expect(result.ok && Object.isFrozen(result.value.paths[0]?.access)).toBe(true);
  });

  it('reports every problem at once, each with its input path', () => {
    const result = validateLandlockPolicy({
      ...base,
      handledFs: ['read-file'],
      handledNet: [],
      paths: [
        { path: 'relative', access: ['read-file'], optional: false },
        { path: '/etc', access: ['write-file'], optional: false },
        { path: '/x', access: [], optional: false },
        { path: '/y', access: ['fly' as never], optional: false },
      ],
      ports: [{ port: 70000, access: ['bind-tcp'] }],
      compatibility: 'maybe' as never,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const seen = result.issues.map((issue) => [issue.code, issue.path.join('.')]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['INVALID_VALUE', 'compatibility'],
        ['INVALID_PATH', 'paths.0.path'],
        ['INVALID_ACCESS_RIGHT', 'paths.1.access'],
        ['INVALID_ACCESS_RIGHT', 'paths.2.access'],
        ['INVALID_ACCESS_RIGHT', 'paths.3.access.0'],
        ['INVALID_PORT', 'ports.0.port'],
        ['INVALID_ACCESS_RIGHT', 'ports.0.access'],
      ]),
    );
    expect(result.issues.every((issue) => VoltError.isInstance(issue))).toBe(true);
    expect(result.issues.find((issue) => issue.path.join('.') === 'paths.1.access')?.message).toMatch(
      /grants write-file, which the policy does not handle; accepted/,
    );
  });

  it('never throws on generated policies, and its output validates to itself', () => {
    const right = fc.constantFrom(...LANDLOCK_FS_RIGHTS);
    const rule = fc.record({
      path: fc.oneof(fc.constantFrom('/a', '/a/', '/b', 'c', '/d/../e'), fc.string()),
      access: fc.array(right, { maxLength: 4 }),
      optional: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 6 }),
        fc.array(fc.integer({ min: -5, max: 70000 }), { maxLength: 3 }),
        (paths, ports) => {
          const result = validateLandlockPolicy({
            ...base,
            paths,
            ports: ports.map((port) => ({ port, access: ['bind-tcp'] })),
          });
          if (result.ok) expect(validateLandlockPolicy(result.value)).toEqual(result);
          else expect(result.issues.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
