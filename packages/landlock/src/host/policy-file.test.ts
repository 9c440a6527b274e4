import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landlockPreset } from '../model/builder.js';
import { landlockPolicyToConfig } from '../render/landlockconfig.js';
import { readLandlockPolicyFile } from './policy-file.js';

describe('readLandlockPolicyFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-unit-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a landlockconfig document and a Volt profile', async () => {
    const config = join(dir, 'policy.json');
    await writeFile(config, JSON.stringify(landlockPolicyToConfig(landlockPreset('desktop'))));
    expect(await readLandlockPolicyFile(config)).toEqual(landlockPreset('desktop'));
    const profile = join(dir, 'profile.yaml');
    await writeFile(profile, 'landlock:\n  preset: server\n  scopes: [signal]\n');
    expect((await readLandlockPolicyFile(profile)).scopes).toEqual(['signal']);
  });

  it('refuses a missing file, a profile without Landlock, and a bad policy with its input path', async () => {
    await expect(readLandlockPolicyFile(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const none = join(dir, 'none.yaml');
    await writeFile(none, 'landlock: none\n');
    await expect(readLandlockPolicyFile(none)).rejects.toMatchObject({ code: 'INVALID_PROFILE' });
    const unhandled = join(dir, 'unhandled.yaml');
    await writeFile(unhandled, 'landlock:\n  ports: [{ port: 80, access: [bind-tcp] }]\n');
    await expect(readLandlockPolicyFile(unhandled)).rejects.toMatchObject({
      code: 'INVALID_ACCESS_RIGHT',
      path: ['landlock', 'ports', 0, 'access'],
    });
  });
});
