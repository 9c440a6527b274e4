import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  leaseAddress,
  pairedIpv6,
  pickFreeAddress,
  readRecords,
  removeRecord,
  type SandboxDraft,
} from './leases.js';
import { numberToIpv4, planBridge } from './model.js';

const draft = (name: string): SandboxDraft => ({
  name,
  mode: 'private',
  bridge: 'vtnbr0',
  table: 'volt_test',
  hostInterface: `vtn${name}`,
  ports: [],
});

describe('pickFreeAddress', () => {
  const plan = planBridge({ bridge: 'vtnbr0', subnet: '10.87.0.0/29' });

  it('hands out the lowest free address, never the gateway or broadcast, and nothing when full', () => {
    expect(pickFreeAddress(plan, new Set())?.text).toBe('10.87.0.2');
    expect(pickFreeAddress(plan, new Set(['10.87.0.2', '10.87.0.4']))?.text).toBe('10.87.0.3');
    const all = new Set(['2', '3', '4', '5', '6'].map((last) => `10.87.0.${last}`));
    expect(pickFreeAddress(plan, all)).toBeUndefined();
  });

  it('only ever picks an untaken address inside the lease range (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), (offsets) => {
        const taken = new Set(
          offsets.map((offset) =>
            numberToIpv4(plan.subnet.address.bytes[3] as number).text.replace(/\d+$/, String(offset)),
          ),
        );
        const picked = pickFreeAddress(plan, taken);
        if (picked === undefined) return;
        expect(taken.has(picked.text)).toBe(false);
        const last = picked.bytes[3] as number;
        expect(last >= 2 && last <= 6).toBe(true);
      }),
    );
  });

  it('pairs each IPv4 lease with an IPv6 address at the same offset', () => {
    const dual = planBridge({ bridge: 'b', subnet: '10.87.0.0/16', subnet6: 'fd87::/64' });
    expect(pairedIpv6(dual, '10.87.1.2')?.text).toBe('fd87::102');
    expect(pairedIpv6(planBridge({ bridge: 'b', subnet: '10.87.0.0/16' }), '10.87.1.2')).toBeUndefined();
  });
});

describe('leaseAddress', () => {
  let stateDir = '';
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'vtn-leases-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });
  const plan = planBridge({ bridge: 'vtnbr0', subnet: '10.87.0.0/24' });

  it('never hands out an address twice, even to concurrent callers', async () => {
    const records = await Promise.all(
      Array.from({ length: 30 }, (_, index) => leaseAddress(stateDir, plan, draft(`s${index}`))),
    );
    expect(new Set(records.map((record) => record.address)).size).toBe(30);
    expect((await readRecords(stateDir)).length).toBe(30);
  });

  it('keeps a sandbox its address when set up again, and reuses a released one', async () => {
    const first = await leaseAddress(stateDir, plan, draft('a'));
    expect(await leaseAddress(stateDir, plan, draft('a'))).toEqual(first);
    await leaseAddress(stateDir, plan, draft('b'));
    await removeRecord(stateDir, 'a');
    expect((await leaseAddress(stateDir, plan, draft('c'))).address).toBe(first.address);
  });

  it('refuses to set a sandbox up again with other settings', async () => {
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
  });

  it('checks a requested address against the lease range and the other leases', async () => {
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
  });

  it('says BUSY when the subnet is full', async () => {
    const tiny = planBridge({ bridge: 'vtnbr0', subnet: '10.87.0.0/30' });
    await leaseAddress(stateDir, tiny, draft('a'));
    await expect(leaseAddress(stateDir, tiny, draft('b'))).rejects.toMatchObject({ code: 'BUSY' });
  });
});
