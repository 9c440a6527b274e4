import { type NetworkConfig, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_CONFIG } from './model.js';
import {
  nspawnHostInterface,
  nspawnNetworkSection,
  renderNspawnDns,
  renderNspawnNetwork,
  renderResolvConf,
} from './nspawn.js';

describe('renderNspawnNetwork', () => {
  it('attaches private mode to the bridge on both routes, with the port forwards', () => {
    const network: NetworkConfig = {
      ...DEFAULT_NETWORK_CONFIG,
      ports: [
        { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
        { protocol: 'udp', hostPort: 5353, containerPort: 53 },
      ],
    };
    expect(renderNspawnNetwork(network, 'web')).toEqual({
      arguments: ['--network-bridge=voltbr0', '--port=tcp:8080:80', '--port=udp:5353:53'],
      networkSection: [
        ['Private', 'yes'],
        ['VirtualEthernet', 'yes'],
        ['Bridge', 'voltbr0'],
        ['Port', 'tcp:8080:80'],
        ['Port', 'udp:5353:53'],
      ],
      hostInterface: 'vb-web',
    });
  });

  // The seed wrote nothing for host mode: under the stock unit's --network-veth that gave the container a
  // veth, not the host network. Each mode must now override the unit's veth explicitly.
  it('states Private= and VirtualEthernet= for every mode, so the stock unit --network-veth cannot leak in', () => {
    for (const mode of ['private', 'host', 'none'] as const) {
      const keys = renderNspawnNetwork({ ...DEFAULT_NETWORK_CONFIG, mode }, 'web').networkSection.map(
        ([key]) => key,
      );
      expect(keys).toContain('Private');
      expect(keys).toContain('VirtualEthernet');
    }
    expect(renderNspawnNetwork({ ...DEFAULT_NETWORK_CONFIG, mode: 'host' }, 'web')).toEqual({
      arguments: [],
      networkSection: [
        ['Private', 'no'],
        ['VirtualEthernet', 'no'],
      ],
      hostInterface: null,
    });
    expect(renderNspawnNetwork({ ...DEFAULT_NETWORK_CONFIG, mode: 'none' }, 'web')).toEqual({
      arguments: ['--private-network'],
      networkSection: [
        ['Private', 'yes'],
        ['VirtualEthernet', 'no'],
      ],
      hostInterface: null,
    });
  });

  it('refuses bad machine names and unsafe bridges before rendering', () => {
    expect(() => renderNspawnNetwork(DEFAULT_NETWORK_CONFIG, 'a b')).toThrow(
      expect.objectContaining({ code: 'INVALID_MACHINE_NAME', path: ['name'] }),
    );
    for (const bridge of ['br0\nPrivate=no', 'br 0', 'br=0', '[Exec]', 'a-bridge-too-long0']) {
      expect(() => renderNspawnNetwork({ ...DEFAULT_NETWORK_CONFIG, bridge }, 'web')).toThrow(
        expect.objectContaining({ code: 'INVALID_INTERFACE_NAME', path: ['network', 'bridge'] }),
      );
    }
  });

  it('names the host veth only when nspawn keeps the name as is', () => {
    expect(nspawnHostInterface('web-1')).toBe('vb-web-1');
    expect(nspawnHostInterface('twelve-chars')).toBe('vb-twelve-chars');
    expect(nspawnHostInterface('thirteen-char')).toBeNull();
  });

  it('never lets an input string start a new line, section or argument (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 70000 }), (bridge, name, port) => {
        let rendered: ReturnType<typeof renderNspawnNetwork>;
        try {
          rendered = renderNspawnNetwork(
            {
              ...DEFAULT_NETWORK_CONFIG,
              bridge,
              ports: [{ protocol: 'tcp', hostPort: port, containerPort: port }],
            },
            name,
          );
        } catch (error) {
          expect(VoltError.isInstance(error)).toBe(true);
          return;
        }
        expect(rendered.arguments).toEqual([`--network-bridge=${bridge}`, `--port=tcp:${port}:${port}`]);
        for (const [key, value] of rendered.networkSection) {
          expect(`${key}=${value}`).toMatch(/^[A-Za-z]+=[A-Za-z0-9_.:-]+$/);
        }
      }),
    );
  });
});

describe('nspawnNetworkSection', () => {
  it("is renderNspawnNetwork's [Network] section, for every mode and any container name", () => {
    const ports = [{ protocol: 'tcp', hostPort: 2222, containerPort: 22 }] as const;
    for (const mode of ['private', 'host', 'none'] as const) {
      const network: NetworkConfig = {
        ...DEFAULT_NETWORK_CONFIG,
        mode,
        ports: mode === 'private' ? ports : [],
      };
      for (const name of ['web', 'a-very-long-machine-name'])
        expect(nspawnNetworkSection(network)).toEqual(renderNspawnNetwork(network, name).networkSection);
    }
    expect(nspawnNetworkSection({ ...DEFAULT_NETWORK_CONFIG, mode: 'none' })).toEqual([
      ['Private', 'yes'],
      ['VirtualEthernet', 'no'],
    ]);
  });

  it('refuses an invalid network like renderNspawnNetwork', () => {
    expect(() => nspawnNetworkSection({ ...DEFAULT_NETWORK_CONFIG, bridge: 'br 0' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INTERFACE_NAME' }),
    );
  });
});

describe('renderResolvConf', () => {
  it('writes the DNS servers (the seed dropped them) and the search domains', () => {
    expect(renderResolvConf(DEFAULT_NETWORK_CONFIG)).toBe(
      '# Written by Volt; changes are lost when the container restarts.\nnameserver 1.1.1.1\nnameserver 1.0.0.1\n',
    );
    expect(
      renderResolvConf({
        ...DEFAULT_NETWORK_CONFIG,
        dns: ['fd00::53'],
        searchDomains: ['corp.example', 'lab'],
      }),
    ).toBe(
      '# Written by Volt; changes are lost when the container restarts.\nnameserver fd00::53\nsearch corp.example lab\n',
    );
  });

  it('refuses a DNS entry that is not an IP address instead of writing it', () => {
    expect(() => renderResolvConf({ ...DEFAULT_NETWORK_CONFIG, dns: ['1.1.1.1\noptions ndots:15'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_IP_ADDRESS', path: ['network', 'dns', 0] }),
    );
  });
});

describe('renderNspawnDns', () => {
  it('binds the file read-only over /etc/resolv.conf with nspawn resolv.conf handling off, on both routes', () => {
    expect(renderNspawnDns('/run/volt/web/resolv.conf')).toEqual({
      arguments: ['--resolv-conf=off', '--bind-ro=/run/volt/web/resolv.conf:/etc/resolv.conf'],
      execSection: [['ResolvConf', 'off']],
      filesSection: [['BindReadOnly', '/run/volt/web/resolv.conf:/etc/resolv.conf']],
    });
    expect(() => renderNspawnDns('/run/a:b')).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
  });
});
