import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { bridgeDown } from './bridge.js';
import { runCommand, runIpBatch } from './exec.js';
import { sandboxDown, sandboxStatus } from './sandbox.js';

// No command runs for real here: the point is which ones would.
vi.mock('./exec.js', async (original) => ({
  ...(await original<typeof import('./exec.js')>()),
  runCommand: vi.fn(async () => ({ stdout: '', stderr: '' })),
  runIpBatch: vi.fn(async () => []),
}));

/** Runs `test` with a temporary directory of its own, removed after. */
async function inTempDir(test: (dir: string) => Promise<void>): Promise<void> {
  vi.mocked(runCommand).mockClear();
  vi.mocked(runIpBatch).mockClear();
  const dir = await mkdtemp(join(tmpdir(), 'vh3-sandbox-'));
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a lease record that is not one', () => {
  it('stops teardown and status before any command, with an error naming the file', () =>
    inTempDir(async (stateDir) => {
      const file = join(stateDir, 'sandboxes', 'vh3-a.json');
      await mkdir(join(stateDir, 'sandboxes'));
      await writeFile(
        file,
        JSON.stringify({
          name: 'vh3-a',
          mode: 'private',
          bridge: 'vh3br0',
          table: 'volt_test',
          address: '10.87.0.2',
          prefixLength: 24,
          address6: null,
          prefixLength6: null,
          hostInterface: 'vh3br0 type bridge',
          ports: [],
        }),
      );
      const options = { stateDir, etcNetnsDir: join(stateDir, 'etc') };
      for (const attempt of [
        sandboxDown('vh3-a', options),
        sandboxStatus('vh3-a', options),
        bridgeDown({ bridge: 'vh3br0' }, options),
      ]) {
        await expect(attempt).rejects.toMatchObject({
          code: 'PARSE_ERROR',
          message: expect.stringContaining(file),
        });
      }
      expect(vi.mocked(runCommand)).not.toHaveBeenCalled();
      expect(vi.mocked(runIpBatch)).not.toHaveBeenCalled();
    }));

  it('refuses bad names and options at the boundary', () =>
    inTempDir(async (stateDir) => {
      await expect(sandboxDown('a/b', { stateDir })).rejects.toMatchObject({ code: 'INVALID_MACHINE_NAME' });
      await expect(sandboxDown('vh3-a', { stateDir: 'relative' })).rejects.toMatchObject({
        code: 'INVALID_PATH',
      });
      await expect(bridgeDown({ bridge: '-all' }, { stateDir })).rejects.toMatchObject({
        code: 'INVALID_INTERFACE_NAME',
        path: ['network', 'bridge'],
      });
      expect(vi.mocked(runCommand)).not.toHaveBeenCalled();
      expect(vi.mocked(runIpBatch)).not.toHaveBeenCalled();
    }));
});
