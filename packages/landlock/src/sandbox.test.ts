import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landlockPreset } from './builder.js';
import { landlockPolicyToConfig } from './json.js';
import {
  landlockPolicyFromProfile,
  readLandlockPolicyFile,
  sandboxPolicy,
  withSandboxFlags,
} from './sandbox.js';

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
      expect.objectContaining({ code: 'INVALID_VALUE' }),
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

describe('policies from profiles and files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-unit-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('turns the Landlock part of a Volt profile into a policy on top of its preset', () => {
    const policy = landlockPolicyFromProfile({
      preset: 'server',
      handledNet: ['bind-tcp'],
      ports: [{ port: 8080, access: ['bind-tcp'] }],
      paths: [{ path: '/srv', access: ['read-file'], optional: false }],
    });
    expect(policy.paths.map((rule) => rule.path)).toContain('/srv');
    expect(policy.paths).toHaveLength(landlockPreset('server').paths.length + 1);
    expect(policy.ports).toEqual([{ port: 8080, access: ['bind-tcp'] }]);
  });

  it('reads a landlockconfig document and a Volt profile', async () => {
    const config = join(dir, 'policy.json');
    await writeFile(config, JSON.stringify(landlockPolicyToConfig(landlockPreset('desktop'))));
    expect(await readLandlockPolicyFile(config)).toEqual(landlockPreset('desktop'));
    const profile = join(dir, 'profile.yaml');
    await writeFile(profile, 'landlock:\n  preset: server\n  scopes: [signal]\n');
    expect((await readLandlockPolicyFile(profile)).scopes).toEqual(['signal']);
    await expect(readLandlockPolicyFile(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const none = join(dir, 'none.yaml');
    await writeFile(none, 'landlock: none\n');
    await expect(readLandlockPolicyFile(none)).rejects.toMatchObject({ code: 'INVALID_PROFILE' });
  });
});
