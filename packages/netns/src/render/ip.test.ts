import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { planBridge } from '../model/bridge-plan.js';
import { parseNetworkConfig } from '../model/config.js';
import { parseSandboxRecord } from '../model/sandbox-record.js';
import { renderBridgePort, renderSandboxLinks, renderSandboxTeardown } from './ip.js';

const network = unwrap(
  parseNetworkConfig({ bridge: 'voltbr0', subnet: '10.87.0.0/16', subnet6: 'fd87::/64' }),
);
const record = (more: object) =>
  unwrap(
    parseSandboxRecord(
      {
        name: 'web-1',
        mode: 'private',
        bridge: 'voltbr0',
        table: 'volt',
        address: '10.87.0.2',
        prefixLength: 16,
        address6: null,
        prefixLength6: null,
        hostInterface: 'vs-web-1',
        ports: [],
        ...more,
      },
      'web-1',
    ),
  );

describe('renderSandboxLinks', () => {
  it('creates the pair from inside, its other end in the host namespace, then replaces address and route', () => {
    expect(renderSandboxLinks(record({}), planBridge(network), 'vtn-host')).toEqual([
      'link add eth0 type veth peer name vs-web-1 netns vtn-host',
      'link set lo up',
      'link set eth0 up',
      'address replace 10.87.0.2/16 dev eth0',
      'route replace default via 10.87.0.1 dev eth0',
    ]);
  });

  it('adds the IPv6 address and route when the lease has one', () => {
    const lines = renderSandboxLinks(
      record({ address6: 'fd87::2', prefixLength6: 64 }),
      planBridge(network),
      '/proc/1/ns/net',
    );
    expect(lines[0]).toBe('link add eth0 type veth peer name vs-web-1 netns /proc/1/ns/net');
    expect(lines.slice(5)).toEqual([
      'address replace fd87::2/64 dev eth0 nodad',
      'route replace default via fd87::1 dev eth0',
    ]);
  });
});

describe('renderBridgePort', () => {
  it('names the bridge alone first, so a missing bridge fails before anything changes', () => {
    expect(renderBridgePort(record({}))).toEqual([
      'link set dev voltbr0 up',
      'link set dev vs-web-1 master voltbr0 up',
    ]);
  });
});

describe('renderSandboxTeardown', () => {
  it('deletes the veth, then the namespace name', () => {
    expect(renderSandboxTeardown('web-1', 'vs-web-1')).toEqual([
      'link delete dev vs-web-1',
      'netns delete web-1',
    ]);
  });
});
