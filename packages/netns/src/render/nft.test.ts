import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { planBridge } from '../model/bridge-plan.js';
import { parseNetworkConfig } from '../model/config.js';
import { renderBridgeRuleset, renderForwardElements, renderForwardRemoval } from './nft.js';

const planOf = (input: unknown) => planBridge(unwrap(parseNetworkConfig(input)));

describe('renderBridgeRuleset', () => {
  const plan = planOf({});

  it('masquerades the subnet, forwards the bridge and keeps the forward maps across re-runs', () => {
    const script = renderBridgeRuleset('volt', plan);
    expect(script).toContain(
      'add rule inet volt postrouting ip saddr 10.87.0.0/16 oifname != "voltbr0" masquerade',
    );
    expect(script).toContain('add rule inet volt forward oifname "voltbr0" ct status dnat accept');
    expect(script.indexOf('flush chain inet volt forward')).toBeLessThan(
      script.indexOf('add rule inet volt forward'),
    );
    expect(script).not.toMatch(/flush (table|map|set)/);
    expect(script).not.toContain('ip6');
  });

  it('leaves loopback out of the forwards of host-originated connections', () => {
    expect(renderBridgeRuleset('volt', plan)).toContain('ip daddr != 127.0.0.0/8 fib daddr type local');
  });

  it('masquerades the IPv6 subnet when there is one', () => {
    const script = renderBridgeRuleset(
      'volt',
      planOf({ bridge: 'b', subnet: '10.0.0.0/24', subnet6: 'fd00::/64' }),
    );
    expect(script).toContain('ip6 saddr fd00::/64 oifname != "b" masquerade');
  });
});

describe('renderForwardElements', () => {
  it('adds and deletes map elements per protocol', () => {
    const ports = [
      { protocol: 'tcp' as const, hostPort: 8080, containerPort: 80 },
      { protocol: 'udp' as const, hostPort: 5353, containerPort: 53 },
    ];
    expect(renderForwardElements('volt', 'add', '10.87.0.2', ports)).toBe(
      'add element inet volt forward_tcp { 8080 : 10.87.0.2 . 80 }\nadd element inet volt forward_udp { 5353 : 10.87.0.2 . 53 }\n',
    );
    expect(renderForwardElements('volt', 'delete', '10.87.0.2', ports)).toBe(
      'delete element inet volt forward_tcp { 8080 }\ndelete element inet volt forward_udp { 5353 }\n',
    );
  });
});

describe('renderForwardRemoval', () => {
  it('adds each element with the sandbox value before deleting it, in one script', () => {
    const ports = [
      { protocol: 'tcp' as const, hostPort: 8080, containerPort: 80 },
      { protocol: 'udp' as const, hostPort: 5353, containerPort: 53 },
    ];
    expect(renderForwardRemoval('volt', '10.87.0.2', ports)).toBe(
      [
        'add element inet volt forward_tcp { 8080 : 10.87.0.2 . 80 }',
        'add element inet volt forward_udp { 5353 : 10.87.0.2 . 53 }',
        'delete element inet volt forward_tcp { 8080 }',
        'delete element inet volt forward_udp { 5353 }',
        '',
      ].join('\n'),
    );
  });
});
