import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { planBridge } from '../model/bridge-plan.js';
import { parseNetworkConfig } from '../model/config.js';
import type { SandboxDraft } from '../model/sandbox-record.js';
import { leaseAddress, readRecord, readRecords, removeRecord } from './lease-records.js';

/** Runs `test` with a temporary directory of its own, removed after. */
async function inTempDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vh3-leases-'));
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const draft = (name: string): SandboxDraft => ({
  name,
  mode: 'private',
  bridge: 'vh3br0',
  table: 'volt_test',
  hostInterface: `vh3${name}`,
  ports: [],
});

const planOf = (subnet: string) => planBridge(unwrap(parseNetworkConfig({ bridge: 'vh3br0', subnet })));

describe('leaseAddress', () => {
  const plan = planOf('10.87.0.0/24');

  it('never hands out an address twice, even to concurrent callers', () =>
    inTempDir(async (stateDir) => {
      const records = await Promise.all(
        Array.from({ length: 30 }, (_, index) => leaseAddress(stateDir, plan, draft(`s${index}`))),
      );
      expect(new Set(records.map((record) => record.address)).size).toBe(30);
      expect(readRecords(stateDir).length).toBe(30);
    }));

  it('keeps a sandbox its address when set up again, and reuses a released one', () =>
    inTempDir(async (stateDir) => {
      const first = await leaseAddress(stateDir, plan, draft('a'));
      expect(await leaseAddress(stateDir, plan, draft('a'))).toEqual(first);
      await leaseAddress(stateDir, plan, draft('b'));
      removeRecord(stateDir, 'a');
      expect((await leaseAddress(stateDir, plan, draft('c'))).address).toBe(first.address);
    }));

  it('refuses to set a sandbox up again with other settings', () =>
    inTempDir(async (stateDir) => {
      await leaseAddress(stateDir, plan, draft('a'));
      const withPort = {
        ...draft('a'),
        ports: [{ protocol: 'tcp' as const, hostPort: 80, containerPort: 80 }],
      };
      await expect(leaseAddress(stateDir, plan, withPort)).rejects.toMatchObject({
        code: 'CONFLICT',
        path: ['name'],
      });
      await expect(leaseAddress(stateDir, plan, draft('a'), '10.87.0.50')).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    }));

  it('checks a requested address against the lease range and the other leases', () =>
    inTempDir(async (stateDir) => {
      expect((await leaseAddress(stateDir, plan, draft('a'), '10.87.0.9')).address).toBe('10.87.0.9');
      for (const [address, code] of [
        ['10.87.0.1', 'INVALID_IP_ADDRESS'],
        ['10.87.0.255', 'INVALID_IP_ADDRESS'],
        ['10.88.0.5', 'INVALID_IP_ADDRESS'],
        ['10.87.0.9', 'CONFLICT'],
        ['ten', 'INVALID_IP_ADDRESS'],
      ] as const) {
        await expect(leaseAddress(stateDir, plan, draft('b'), address)).rejects.toMatchObject({
          code,
          path: ['address'],
        });
      }
    }));

  it('says BUSY when the subnet is full', () =>
    inTempDir(async (stateDir) => {
      const tiny = planOf('10.87.0.0/30');
      await leaseAddress(stateDir, tiny, draft('a'));
      await expect(leaseAddress(stateDir, tiny, draft('b'))).rejects.toMatchObject({ code: 'BUSY' });
    }));

  it('pairs the IPv6 twin and writes records root alone reads, under umask 000', () =>
    inTempDir(async (stateDir) => {
      const dual = planBridge(unwrap(parseNetworkConfig({ bridge: 'vh3br0', subnet6: 'fd87::/64' })));
      const fresh = join(stateDir, 'run/volt/net');
      const previous = process.umask(0);
      let record: Awaited<ReturnType<typeof leaseAddress>>;
      try {
        record = await leaseAddress(fresh, dual, draft('a'));
      } finally {
        process.umask(previous);
      }
      expect(record).toMatchObject({ address: '10.87.0.2', address6: 'fd87::2', prefixLength6: 64 });
      for (const dir of ['run', 'run/volt', 'run/volt/net', 'run/volt/net/sandboxes'])
        expect((await stat(join(stateDir, dir))).mode & 0o777).toBe(0o700);
      expect((await stat(join(fresh, 'sandboxes/a.json'))).mode & 0o777).toBe(0o600);
      expect(await readdir(join(fresh, 'sandboxes'))).toEqual(['a.json']);
    }));
});

describe('readRecord', () => {
  const good = {
    name: 'web-1',
    mode: 'private',
    bridge: 'vh3br0',
    table: 'volt_test',
    address: '10.87.0.2',
    prefixLength: 24,
    address6: null,
    prefixLength6: null,
    hostInterface: 'vh3web-1',
    ports: [],
  };
  const put = async (stateDir: string, name: string, content: string) => {
    await mkdir(join(stateDir, 'sandboxes'), { recursive: true });
    await writeFile(join(stateDir, 'sandboxes', `${name}.json`), content);
  };

  it('reads a record Volt wrote, and null for none', () =>
    inTempDir(async (stateDir) => {
      await put(stateDir, 'web-1', JSON.stringify(good));
      expect(readRecord(stateDir, 'web-1')).toStrictEqual(good);
      expect(readRecord(stateDir, 'web-2')).toBeNull();
    }));

  // Issue 16: lease records were parsed without validation, and a field went into `ip link delete`.
  it('refuses a record that is not one with an error naming the file, never handing a field on', () =>
    inTempDir(async (stateDir) => {
      const file = join(stateDir, 'sandboxes', 'web-1.json');
      for (const content of [
        JSON.stringify({ ...good, hostInterface: '--all' }),
        JSON.stringify({ ...good, address: '10.87.0.2 }; flush ruleset' }),
        JSON.stringify({ ...good, name: 'web-2' }),
        JSON.stringify({ ...good, extra: true }),
        '{"name": "web-1"',
        'null',
      ]) {
        await put(stateDir, 'web-1', content);
        expect(() => readRecord(stateDir, 'web-1')).toThrow(
          expect.objectContaining({ code: 'PARSE_ERROR', message: expect.stringContaining(file) }),
        );
        expect(() => readRecords(stateDir)).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
      }
    }));

  it('refuses a record file whose name is not a machine name', () =>
    inTempDir(async (stateDir) => {
      await put(stateDir, '-rf', JSON.stringify(good));
      expect(() => readRecords(stateDir)).toThrow(
        expect.objectContaining({ code: 'PARSE_ERROR', message: expect.stringContaining('-rf.json') }),
      );
    }));
});
