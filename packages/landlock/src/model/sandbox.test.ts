import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landlockPreset } from './builder.js';
import { parsePortFlag, sandboxPolicy, withSandboxFlags } from './sandbox.js';

describe('sandboxPolicy', () => {
  it('maps landrun-style flags to rules', () => {
    const policy = sandboxPolicy({ ro: ['/etc'], rox: ['/usr'], rw: ['/tmp'], rwx: ['/home'], abi: 7 });
    expect(policy.handledFs).toHaveLength(16);
    expect(policy.handledNet).toEqual([]);
    expect(policy.scopes).toEqual([]);
    expect(policy.compatibility).toBe('soft-requirement');
    expect(Object.fromEntries(policy.paths.map((rule) => [rule.path, rule.access.length]))).toEqual({
      '/etc': 2,
      '/usr': 3,
      '/tmp': 15,
      '/home': 16,
    });
  });

  it('handles only the kinds of TCP access and the scopes that were asked for', () => {
    expect(sandboxPolicy({ bindTcp: ['8080'] }).handledNet).toEqual(['bind-tcp']);
    expect(sandboxPolicy({ connectTcp: [443] }).handledNet).toEqual(['connect-tcp']);
    expect(sandboxPolicy({ scopes: ['signal'], compatibility: 'best-effort' })).toMatchObject({
      scopes: ['signal'],
      compatibility: 'best-effort',
    });
    expect(sandboxPolicy({ abi: 0 }).handledFs).toHaveLength(13);
  });

  it('marks paths optional with ignoreMissing and refuses bad values with stable codes', () => {
    expect(sandboxPolicy({ ro: ['/x'], ignoreMissing: true }).paths[0]?.optional).toBe(true);
    expect(() => sandboxPolicy({ bindTcp: ['http'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_PORT' }),
    );
    expect(() => sandboxPolicy({ scopes: ['ptrace'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['scopes', 0] }),
    );
    expect(() => sandboxPolicy({ rw: ['tmp'] })).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
  });

  it('adds flags on top of a policy from a file', () => {
    const policy = withSandboxFlags(landlockPreset('server', { abi: 3 }), { rw: ['/srv'], bindTcp: ['80'] });
    expect(policy.paths.at(-1)).toMatchObject({ path: '/srv', optional: false });
    expect(policy.paths.at(-1)?.access).not.toContain('ioctl-dev');
    expect(policy.ports).toEqual([{ port: 80, access: ['bind-tcp'] }]);
  });
});

describe('parsePortFlag', () => {
  it('accepts exactly 0..65535, as numbers or decimal text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100000, max: 200000 }), fc.boolean(), (port, asText) => {
        const result = parsePortFlag(asText ? String(port) : port);
        expect(result.ok).toBe(port >= 0 && port <= 65535);
        if (!result.ok) expect(result.error.code).toBe('INVALID_PORT');
      }),
    );
    expect(parsePortFlag('8080')).toEqual({ ok: true, value: 8080 });
    expect(parsePortFlag('1e3').ok).toBe(false);
  });
});
