import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NetworkConfig, unwrap, type Valid } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeDown, bridgeUp } from '../host/bridge.js';
import { parseNetworkConfig } from '../model/config.js';
import type { SettingsEntry } from '../model/nspawn-settings.js';
import { renderNspawnDns, renderNspawnNetwork } from './nspawn.js';
import { renderResolvConf } from './resolv-conf.js';

// Runs the real systemd-nspawn on a busybox tree, the safe way (shared facts): its own child cgroup of
// the cgroup2 mount, a private mount namespace with cgroup2 at /sys/fs/cgroup, --register=no
// --keep-unit. It runs inside a network namespace of the test's own (vtn-h…), so the container's veth, the
// bridge and nspawn's own nftables table land there, never on the machine's network. A tmpfs over
// /run/systemd/nspawn (trusted) in that mount namespace holds the settings file and nspawn's propagation
// directory, so nothing is left on the host's /run.

const SAFE_NSPAWN = `
cgroup=$1; netns=$2; settings=$3; shift 3
mkdir "/sys/fs/cgroup/unified/$cgroup" || exit 90
echo $$ > "/sys/fs/cgroup/unified/$cgroup/cgroup.procs" || exit 91
exec ip netns exec "$netns" unshare -m --propagation private sh -c '
  settings=$1; shift
  mount -t cgroup2 none /sys/fs/cgroup || exit 92
  mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn || exit 93
  if [ "$settings" != "-" ]; then cp "$settings" /run/systemd/nspawn/ || exit 94; fi
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 exec systemd-nspawn --register=no --keep-unit "$@"' sh "$settings" "$@"
`;

/** The network-relevant arguments of the stock systemd-nspawn@.service (its --boot is replaced by a payload). */
const STOCK_UNIT_ARGUMENTS = ['--quiet', '--network-veth', '--settings=override'];

const _canRun =
  process.getuid?.() === 0 && existsSync('/usr/bin/systemd-nspawn') && existsSync('/bin/busybox');
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vtn-h${suffix}`;
const bridge = `vtnbr${suffix}`;
const machine = `vtn-m${suffix}`;
const marker = `vtnmk${suffix}`;
const base = join(tmpdir(), `vtn-nspawn-${process.pid}`);
const root = join(base, 'root');
const resolvConf = join(base, 'resolv.conf');
const netOptions = {
  host: { namespace: hostNs },
  table: `volt_test_${suffix}`,
  stateDir: join(base, 'state'),
};

function settingsText(sections: Record<string, readonly SettingsEntry[]>): string {
  return Object.entries(sections)
    .map(([name, entries]) => `[${name}]\n${entries.map(([key, value]) => `${key}=${value}\n`).join('')}`)
    .join('\n');
}

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly bridgeMembers: readonly string[];
}

/** Runs nspawn with a payload that lists the container's interfaces and resolv.conf, and watches the bridge. */
async function runNspawn(args: readonly string[], settings: string | null): Promise<Run> {
  const cgroup = `vtn-nspawn-${process.pid}-${randomBytes(4).toString('hex')}`;
  const settingsFile = join(base, `${machine}.nspawn`);
  if (settings !== null) writeFileSync(settingsFile, settings);
  const payload =
    'sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\\n" " "; echo; cat /etc/resolv.conf; sleep 1';
  const child = spawn(
    'sh',
    [
      '-c',
      SAFE_NSPAWN,
      'sh',
      cgroup,
      hostNs,
      settings === null ? '-' : settingsFile,
      ...args,
      `--machine=${machine}`,
      '-D',
      root,
      '/bin/busybox',
      'sh',
      '-c',
      payload,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const members = new Set<string>();
  const watch = setInterval(() => {
    try {
      const listing = execFileSync('ip', ['-n', hostNs, '-json', 'link', 'show', 'master', bridge], {
        encoding: 'utf8',
      });
      for (const link of JSON.parse(listing || '[]') as { ifname: string }[]) members.add(link.ifname);
    } catch {
      // the bridge may be absent in this run
    }
  }, 50);
  try {
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  } finally {
    clearInterval(watch);
    for (const group of ['payload', 'supervisor', '']) {
      const path = join('/sys/fs/cgroup/unified', cgroup, group);
      if (existsSync(path)) rmdirSync(path);
    }
    rmSync(settingsFile, { force: true });
  }
  // nspawn runs the payload on a pseudo-terminal, which turns line ends into CR LF.
  return { stdout: stdout.replaceAll('\r\n', '\n'), stderr, bridgeMembers: [...members] };
}

const privateInput = {
  bridge,
  subnet: '10.234.0.0/24',
  ports: ['tcp:18080:80'],
  dns: ['9.9.9.9', '2620:fe::fe'],
  searchDomains: ['corp.example'],
};
const privateNetwork = unwrap(parseNetworkConfig(privateInput));
const otherMode = (mode: 'none' | 'host') => unwrap(parseNetworkConfig({ ...privateInput, mode, ports: [] }));

describe('the rendered network against the real systemd-nspawn (root, nspawn and busybox needed)', () => {
  beforeAll(async () => {
    mkdirSync(base);
    for (const dir of ['bin', 'usr/lib', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    writeFileSync(join(root, 'usr/lib/os-release'), 'ID=busybox\n');
    writeFileSync(resolvConf, renderResolvConf(privateNetwork));
    execFileSync('ip', ['netns', 'add', hostNs]);
    execFileSync('ip', ['-n', hostNs, 'link', 'add', marker, 'type', 'veth', 'peer', 'name', `${marker}p`]);
    await bridgeUp(privateNetwork, netOptions);
  });

  afterAll(async () => {
    await bridgeDown({ bridge }, { ...netOptions, force: true }).catch(() => undefined);
    execFileSync('ip', ['netns', 'delete', hostNs]);
    rmSync(base, { recursive: true, force: true });
  });

  const routes = (network: Valid<NetworkConfig>) => {
    const rendered = renderNspawnNetwork(network, machine);
    const dns = renderNspawnDns(resolvConf);
    return {
      direct: { args: ['--quiet', ...rendered.arguments, ...dns.arguments], settings: null },
      'stock unit + .nspawn file': {
        args: STOCK_UNIT_ARGUMENTS,
        settings: settingsText({
          Exec: dns.execSection,
          Files: dns.filesSection,
          Network: rendered.networkSection,
        }),
      },
    };
  };

  for (const routeName of ['direct', 'stock unit + .nspawn file'] as const) {
    it(`private mode attaches to the bridge, with DNS (${routeName})`, async () => {
      const route = routes(privateNetwork)[routeName];
      const run = await runNspawn(route.args, route.settings);
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')[0]).toBe('host0 lo ');
      expect(run.stdout).toContain('nameserver 9.9.9.9\nnameserver 2620:fe::fe\nsearch corp.example\n');
      expect(run.bridgeMembers).toEqual([`vb-${machine}`]);
    });

    it(`none mode leaves only loopback (${routeName})`, async () => {
      const route = routes(otherMode('none'))[routeName];
      const run = await runNspawn(route.args, route.settings);
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')[0]).toBe('lo ');
      expect(run.bridgeMembers).toEqual([]);
    });

    it(`host mode shares the host network, overriding the unit's --network-veth (${routeName})`, async () => {
      const route = routes(otherMode('host'))[routeName];
      const run = await runNspawn(route.args, route.settings);
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')[0]).toBe(`lo ${bridge} ${marker} ${marker}p `);
      expect(run.stdout).toContain('nameserver 9.9.9.9\n');
    });
  }

  it("shows why every mode states its network: the seed's empty [Network] for host mode got the unit's veth", async () => {
    const run = await runNspawn(STOCK_UNIT_ARGUMENTS, '[Network]\n');
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe('host0 lo ');
  });
});
