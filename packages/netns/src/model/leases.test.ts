import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBridge } from './bridge-plan.js';
import { DEFAULT_NETWORK_CONFIG, parseNetworkConfig } from './config.js';
import { leasableAddress, pairedIpv6, parseContainerLease, pickFreeAddress } from './leases.js';

const planOf = (input: unknown) => planBridge(unwrap(parseNetworkConfig(input)));

describe('pickFreeAddress', () => {
  const plan = planOf({ subnet: '10.87.0.0/29' });

  it('hands out the lowest free address, never the gateway or broadcast, and nothing when full', () => {
    expect(pickFreeAddress(plan, new Set())?.text).toBe('10.87.0.2');
    expect(pickFreeAddress(plan, new Set(['10.87.0.2', '10.87.0.4']))?.text).toBe('10.87.0.3');
    const all = new Set(['2', '3', '4', '5', '6'].map((last) => `10.87.0.${last}`));
    expect(pickFreeAddress(plan, all)).toBeUndefined();
  });

  it('only ever picks an untaken address inside the lease range (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), (offsets) => {
        const taken = new Set(offsets.map((offset) => `10.87.0.${offset}`));
        const picked = pickFreeAddress(plan, taken);
        if (picked === undefined) {
          expect([2, 3, 4, 5, 6].every((last) => taken.has(`10.87.0.${last}`))).toBe(true);
          return;
        }
        expect(taken.has(picked.text)).toBe(false);
        const last = picked.bytes[3] as number;
        expect(last >= 2 && last <= 6).toBe(true);
      }),
    );
  });
});

describe('pairedIpv6', () => {
  it('pairs each IPv4 lease with an IPv6 address at the same offset', () => {
    const dual = planOf({ subnet6: 'fd87::/64' });
    const leased = unwrap(leasableAddress(dual, '10.87.1.2'));
    expect(pairedIpv6(dual, leased)?.text).toBe('fd87::102');
    expect(pairedIpv6(planOf({}), leased)).toBeUndefined();
  });
});

describe('leasableAddress', () => {
  it('takes addresses of the lease range only', () => {
    const plan = planOf({ subnet: '10.87.0.0/24' });
    expect(unwrap(leasableAddress(plan, '10.87.0.9')).text).toBe('10.87.0.9');
    for (const address of ['10.87.0.1', '10.87.0.255', '10.87.0.0', '10.88.0.5', 'ten', 'fd87::2']) {
      const result = leasableAddress(plan, address);
      expect(result.ok === false && result.error.code).toBe('INVALID_IP_ADDRESS');
    }
  });
});

describe('parseContainerLease', () => {
  it('checks a container address against its bridge, and the IPv6 twin against the IPv6 subnet', () => {
    const plan = planBridge(DEFAULT_NETWORK_CONFIG);
    expect(unwrap(parseContainerLease(plan, { address: '10.87.0.2' })).address.text).toBe('10.87.0.2');
    for (const address of ['10.87.0.1', '10.88.0.2', '10.87.255.255', '10.87.0.2\nDNS=6.6.6.6']) {
      const result = parseContainerLease(plan, { address });
      expect(result.ok === false && [result.error.code, result.error.path]).toEqual([
        'INVALID_IP_ADDRESS',
        ['address'],
      ]);
    }
    const noSubnet6 = parseContainerLease(plan, { address: '10.87.0.2', address6: 'fd87::2' });
    expect(noSubnet6.ok === false && noSubnet6.error.path).toEqual(['address6']);
    const dual = planOf({ subnet6: 'fd87::/64' });
    expect(
      unwrap(parseContainerLease(dual, { address: '10.87.0.2', address6: 'fd87::2' })).address6?.text,
    ).toBe('fd87::2');
    const outside = parseContainerLease(dual, { address: '10.87.0.2', address6: 'fd88::2' });
    expect(outside.ok === false && outside.error.path).toEqual(['address6']);
  });
});
