import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bridgeSubnets, ipv4ToNumber, numberToIpv4, planBridge } from './bridge-plan.js';
import { parseNetworkConfig } from './config.js';

describe('planBridge', () => {
  it('puts the gateway first and leases the rest up to broadcast', () => {
    const plan = planBridge(unwrap(parseNetworkConfig({ subnet: '10.87.0.0/24', subnet6: 'fd87::/64' })));
    expect(plan.gateway.text).toBe('10.87.0.1');
    expect(numberToIpv4(plan.firstLease).text).toBe('10.87.0.2');
    expect(numberToIpv4(plan.lastLease).text).toBe('10.87.0.254');
    expect(plan.gateway6?.text).toBe('fd87::1');
    const smallest = planBridge(unwrap(parseNetworkConfig({ bridge: 'b', subnet: '10.0.0.0/30' })));
    expect(smallest.firstLease).toBe(smallest.lastLease);
  });

  it('round-trips addresses through numbers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        expect(ipv4ToNumber(numberToIpv4(value))).toBe(value);
      }),
    );
  });
});

describe('bridgeSubnets', () => {
  it('needs room for a gateway and a container, and an IPv6 subnet as large as the IPv4 one', () => {
    expect(bridgeSubnets('10.0.0.0/30', 'fd00::/126').ok).toBe(true);
    const small = bridgeSubnets('10.0.0.0/31', undefined);
    expect(small.ok === false && small.issues.map((issue) => issue.path)).toEqual([['subnet']]);
    const smaller6 = bridgeSubnets('10.0.0.0/24', 'fd00::/121');
    expect(smaller6.ok === false && smaller6.issues.map((issue) => issue.path)).toEqual([['subnet6']]);
    const both = bridgeSubnets('fd00::/64', '10.0.0.0/24');
    expect(both.ok === false && both.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['INVALID_SUBNET', ['subnet']],
      ['INVALID_SUBNET', ['subnet6']],
    ]);
  });
});
