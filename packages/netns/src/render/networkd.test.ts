import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberToIpv4, planBridge } from '../model/bridge-plan.js';
import { DEFAULT_NETWORK_CONFIG, parseNetworkConfig } from '../model/config.js';
import { parseContainerLease } from '../model/leases.js';
import { parseContainerNetworkFile } from '../model/read-back.js';
import { renderContainerNetworkFile } from './networkd.js';

describe('renderContainerNetworkFile', () => {
  it('gives host0 the leased address, the gateway and the DNS servers', () => {
    const lease = unwrap(parseContainerLease(planBridge(DEFAULT_NETWORK_CONFIG), { address: '10.87.0.2' }));
    expect(renderContainerNetworkFile(DEFAULT_NETWORK_CONFIG, lease)).toBe(
      '[Match]\nName=host0\n\n[Network]\nAddress=10.87.0.2/16\nGateway=10.87.0.1\nDNS=1.1.1.1\nDNS=1.0.0.1\n',
    );
    const dual = unwrap(parseNetworkConfig({ subnet6: 'fd87::/64', searchDomains: ['corp.example'] }));
    const dualLease = unwrap(
      parseContainerLease(planBridge(dual), { address: '10.87.0.2', address6: 'fd87::2' }),
    );
    expect(renderContainerNetworkFile(dual, dualLease)).toContain(
      'Address=fd87::2/64\nGateway=fd87::1\nDNS=1.1.1.1\nDNS=1.0.0.1\nDomains=corp.example\n',
    );
  });

  it('gives back the subnet of every rendered file, for any IPv4 subnet and leased address in it (property)', () => {
    const subnets = fc
      .tuple(fc.integer({ min: 8, max: 29 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
      .map(([prefix, value]) => ({ prefix, network: ((value >>> (32 - prefix)) << (32 - prefix)) >>> 0 }));
    fc.assert(
      fc.property(subnets, fc.integer({ min: 2, max: 6 }), ({ prefix, network }, offset) => {
        const config = unwrap(parseNetworkConfig({ subnet: `${numberToIpv4(network).text}/${prefix}` }));
        const plan = planBridge(config);
        const address = numberToIpv4(
          plan.firstLease + (offset % (plan.lastLease - plan.firstLease + 1)),
        ).text;
        const file = renderContainerNetworkFile(config, unwrap(parseContainerLease(plan, { address })));
        expect(parseContainerNetworkFile(file)).toEqual({ ok: true, value: { subnet: plan.subnet.text } });
      }),
    );
  });
});
