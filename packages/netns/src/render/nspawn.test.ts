import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_CONFIG, parseNetworkConfig } from '../model/config.js';
import { NSPAWN_NETWORK_KEYS, NSPAWN_NETWORK_MODES, nspawnHostInterface } from '../model/nspawn-settings.js';
import { nspawnNetworkSection, renderNspawnDns, renderNspawnNetwork } from './nspawn.js';

const network = (input: unknown) => unwrap(parseNetworkConfig(input));

describe('renderNspawnNetwork', () => {
  it('attaches private mode to the bridge on both routes, with the port forwards', () => {
    expect(renderNspawnNetwork(network({ ports: ['tcp:8080:80', 'udp:5353:53'] }), 'web')).toEqual({
      arguments: [
        '--private-network',
        '--network-veth',
        '--network-bridge=voltbr0',
        '--port=tcp:8080:80',
        '--port=udp:5353:53',
      ],
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
      const keys = renderNspawnNetwork(network({ mode }), 'web').networkSection.map(([key]) => key);
      expect(keys.slice(0, 2)).toEqual(['Private', 'VirtualEthernet']);
    }
    expect(renderNspawnNetwork(network({ mode: 'host' }), 'web')).toEqual({
      arguments: [],
      networkSection: [
        ['Private', 'no'],
        ['VirtualEthernet', 'no'],
      ],
      hostInterface: null,
    });
    expect(renderNspawnNetwork(network({ mode: 'none' }), 'web')).toEqual({
      arguments: ['--private-network'],
      networkSection: [
        ['Private', 'yes'],
        ['VirtualEthernet', 'no'],
      ],
      hostInterface: null,
    });
  });

  it('refuses a bad machine name', () => {
    expect(() => renderNspawnNetwork(DEFAULT_NETWORK_CONFIG, 'a b')).toThrow(
      expect.objectContaining({ code: 'INVALID_MACHINE_NAME', path: ['name'] }),
    );
  });

  it('names the host veth only when nspawn keeps the name as is', () => {
    expect(nspawnHostInterface('web-1')).toBe('vb-web-1');
    expect(nspawnHostInterface('twelve-chars')).toBe('vb-twelve-chars');
    expect(nspawnHostInterface('thirteen-char')).toBeNull();
  });

  it('writes only keys of the table, each mode as the table says, and arguments that say the same (property)', () => {
    const configs = fc
      .record({
        mode: fc.constantFrom('private', 'host', 'none'),
        bridge: fc.string(),
        port: fc.integer({ min: 0, max: 70000 }),
      })
      .map(({ mode, bridge, port }) =>
        parseNetworkConfig({
          mode,
          bridge,
          ports: mode === 'private' ? [{ host: port, container: port }] : [],
        }),
      );
    fc.assert(
      fc.property(configs, (parsed) => {
        if (!parsed.ok) return;
        const valid = parsed.value;
        const rendered = renderNspawnNetwork(valid, 'web');
        const row = NSPAWN_NETWORK_MODES[valid.mode];
        expect(rendered.networkSection.slice(0, 2)).toEqual([
          ['Private', row.Private],
          ['VirtualEthernet', row.VirtualEthernet],
        ]);
        for (const [key, value] of rendered.networkSection) {
          expect(NSPAWN_NETWORK_KEYS).toContain(key);
          expect(`${key}=${value}`).toMatch(/^[A-Za-z]+=[A-Za-z0-9_.:-]+$/);
        }
        const bridged = rendered.networkSection.filter(([key]) => key === 'Bridge' || key === 'Port');
        expect(bridged.length > 0).toBe(row.bridged);
        expect(rendered.arguments).toEqual(
          [
            row.Private === 'yes' ? ['--private-network'] : [],
            row.VirtualEthernet === 'yes' ? ['--network-veth'] : [],
            row.bridged ? [`--network-bridge=${valid.bridge}`] : [],
            row.bridged
              ? valid.ports.map((f) => `--port=${f.protocol}:${f.hostPort}:${f.containerPort}`)
              : [],
          ].flat(),
        );
      }),
    );
  });
});

describe('nspawnNetworkSection', () => {
  it("is renderNspawnNetwork's [Network] section, for every mode and any container name", () => {
    for (const mode of ['private', 'host', 'none'] as const) {
      const valid = network({ mode, ports: mode === 'private' ? ['2222:22'] : [] });
      for (const name of ['web', 'a-very-long-machine-name'])
        expect(nspawnNetworkSection(valid)).toEqual(renderNspawnNetwork(valid, name).networkSection);
    }
  });
});

describe('renderNspawnDns', () => {
  it('binds the file read-only over /etc/resolv.conf with nspawn resolv.conf handling off, on both routes', () => {
    expect(renderNspawnDns('/run/volt/web/resolv.conf')).toEqual({
      arguments: ['--resolv-conf=off', '--bind-ro=/run/volt/web/resolv.conf:/etc/resolv.conf'],
      execSection: [['ResolvConf', 'off']],
      filesSection: [['BindReadOnly', '/run/volt/web/resolv.conf:/etc/resolv.conf']],
    });
    // A ':' in the path is escaped the way nspawn reads a bind spec, on both routes.
    expect(renderNspawnDns('/run/a:b').filesSection).toEqual([
      ['BindReadOnly', '/run/a\\:b:/etc/resolv.conf'],
    ]);
    expect(() => renderNspawnDns('relative')).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
  });
});
