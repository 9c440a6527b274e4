import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { describe, expect, it, vi } from 'vitest';
import { parseNetworkConfig } from '../model/config.js';
import { bridgeDown } from './bridge.js';
import { type IpBatchFailure, runCommand, runIpBatch } from './exec.js';
import { sandboxDown, sandboxStatus, sandboxUp } from './sandbox.js';

// No command runs for real here: the point is which ones would.
vi.mock('./exec.js', async (original) => ({
  ...(await original<typeof import('./exec.js')>()),
  runCommand: vi.fn(async () => ({ stdout: '', stderr: '' })),
  runIpBatch: vi.fn(async () => []),
}));

/** Runs `test` with a temporary directory of its own, removed after. */
async function inTempDir(test: (dir: string) => Promise<void>): Promise<void> {
  vi.mocked(runCommand)
    .mockReset()
    .mockImplementation(async () => ({ stdout: '[]', stderr: '' }));
  vi.mocked(runIpBatch)
    .mockReset()
    .mockImplementation(async () => []);
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

/** Makes the ip batch with trace span `span` fail the way `failures` says (each call takes the next). */
function failBatch(span: string, ...failures: (readonly IpBatchFailure[])[]): void {
  vi.mocked(runIpBatch).mockImplementation(async (_namespace, _commands, options) =>
    options.span === span ? (failures.shift() ?? []) : [],
  );
}

const batchesRun = () => vi.mocked(runIpBatch).mock.calls.map(([, , options]) => options.span);

describe('the failure modes of the batches (no command runs for real)', () => {
  const network = unwrap(
    parseNetworkConfig({ bridge: 'vh3br0', subnet: '10.236.0.0/24', ports: ['8080:80'] }),
  );
  const optionsIn = (dir: string) => ({
    stateDir: join(dir, 'state'),
    etcNetnsDir: join(dir, 'etc'),
    host: { namespace: 'vh3-host' },
  });

  it('undoes the whole sandbox when its batch fails half-way: no lease, no resolv.conf left', () =>
    inTempDir(async (dir) => {
      failBatch('ip -batch: sandbox links', [
        {
          line: 4,
          command: 'address replace 10.236.0.2/24 dev eth0',
          message: 'RTNETLINK answers: Permission denied',
        },
      ]);
      await expect(sandboxUp('vh3-a', network, optionsIn(dir))).rejects.toMatchObject({
        code: 'COMMAND_FAILED',
        message: expect.stringContaining(
          'address replace 10.236.0.2/24 dev eth0: RTNETLINK answers: Permission denied',
        ),
      });
      expect(batchesRun()).toContain('ip -batch: delete veth and netns');
      const forwards = vi
        .mocked(runCommand)
        .mock.calls.filter(([, options]) => options?.span?.startsWith('nft'));
      expect(forwards.map(([, options]) => options?.span)).toEqual([
        'nft -f: add forwards',
        'nft -f: remove forwards',
      ]);
      expect(await readdir(join(dir, 'state', 'sandboxes'))).toEqual([]);
      expect(existsSync(join(dir, 'etc', 'vh3-a'))).toBe(false);
    }));

  it('accepts the veth pair that is already there when the same sandbox is set up again', () =>
    inTempDir(async (dir) => {
      failBatch('ip -batch: sandbox links', [
        {
          line: 1,
          command: 'link add eth0 type veth peer name vs-vh3-a netns vh3-host',
          message: 'RTNETLINK answers: File exists',
        },
      ]);
      const record = await sandboxUp('vh3-a', network, optionsIn(dir));
      expect(record.address).toBe('10.236.0.2');
      expect(batchesRun()).not.toContain('ip -batch: delete veth and netns');
    }));

  it('refuses any other failure of the first line (the pair could not be made)', () =>
    inTempDir(async (dir) => {
      failBatch('ip -batch: sandbox links', [
        {
          line: 1,
          command: 'link add eth0 type veth peer name vs-vh3-a netns vh3-host',
          message: 'RTNETLINK answers: Operation not supported',
        },
      ]);
      await expect(sandboxUp('vh3-a', network, optionsIn(dir))).rejects.toMatchObject({
        code: 'COMMAND_FAILED',
      });
      expect(await readdir(join(dir, 'state', 'sandboxes'))).toEqual([]);
    }));

  it('puts a missing bridge in place once, then attaches the veth again', () =>
    inTempDir(async (dir) => {
      failBatch('ip -batch: bridge port', [
        { line: 1, command: 'link set dev vh3br0 up', message: 'Cannot find device "vh3br0"' },
      ]);
      await sandboxUp('vh3-a', network, optionsIn(dir));
      expect(batchesRun().filter((span) => span === 'ip -batch: bridge port')).toHaveLength(2);
      expect(batchesRun()).toContain('ip -batch: bridge');
    }));

  it('refuses a failure of the bridge port batch past its first line (the bridge is there)', () =>
    inTempDir(async (dir) => {
      failBatch('ip -batch: bridge port', [
        {
          line: 2,
          command: 'link set dev vs-vh3-a master vh3br0 up',
          message: 'Cannot find device "vs-vh3-a"',
        },
      ]);
      await expect(sandboxUp('vh3-a', network, optionsIn(dir))).rejects.toMatchObject({
        code: 'COMMAND_FAILED',
      });
      expect(batchesRun()).not.toContain('ip -batch: bridge');
      expect(await readdir(join(dir, 'state', 'sandboxes'))).toEqual([]);
    }));

  it('tears down past missing pieces, and keeps the lease when a piece could not go', () =>
    inTempDir(async (dir) => {
      await sandboxUp('vh3-a', network, optionsIn(dir));
      failBatch(
        'ip -batch: delete veth and netns',
        [
          {
            line: 2,
            command: 'netns delete vh3-a',
            message: 'Cannot remove namespace file "/run/netns/vh3-a": Device or resource busy',
          },
        ],
        [
          { line: 1, command: 'link delete dev vs-vh3-a', message: 'Cannot find device "vs-vh3-a"' },
          {
            line: 2,
            command: 'netns delete vh3-a',
            message: 'Cannot remove namespace file "/run/netns/vh3-a": No such file or directory',
          },
        ],
      );
      await expect(sandboxDown('vh3-a', optionsIn(dir))).rejects.toMatchObject({ code: 'COMMAND_FAILED' });
      expect(await readdir(join(dir, 'state', 'sandboxes'))).toEqual(['vh3-a.json']);
      await sandboxDown('vh3-a', optionsIn(dir));
      expect(await readdir(join(dir, 'state', 'sandboxes'))).toEqual([]);
    }));
});
