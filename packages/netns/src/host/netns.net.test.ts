import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unwrap, VoltError } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkConfig } from '../model/config.js';
import type { NetOptions } from '../model/options.js';
import { bridgeDown, bridgeStatus, bridgeUp } from './bridge.js';
import { readRecords } from './lease-records.js';
import { sandboxDown, sandboxStatus, sandboxUp } from './sandbox.js';

// The whole "host" of these tests is a network namespace of their own (vtn-h…): the bridge, Volt's
// nftables table and the forwarding switch never touch the machine's network. Traffic goes only to
// addresses inside namespaces created here and to loopback.

const run = promisify(execFile);
const _isRoot = process.getuid?.() === 0;
const etcNetnsExisted = existsSync('/etc/netns');
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vtn-h${suffix}`;
const clientNs = `vtn-c${suffix}`;
const bridge = `vtnbr${suffix}`;
const table = `volt_test_${suffix}`;
const subnet = '10.231.0.0/24';
const networkInput = { bridge, subnet, subnet6: 'fd87:231::/64' };
const network = unwrap(parseNetworkConfig(networkInput));
const withNetwork = (more: object) => unwrap(parseNetworkConfig({ ...networkInput, ...more }));
const names = { a: `vtn-a${suffix}`, b: `vtn-b${suffix}`, n: `vtn-n${suffix}`, x: `vtn-x${suffix}` };
const parallelNames = Array.from({ length: 6 }, (_, index) => `vtn-p${index}${suffix}`);
const stateDir = join(tmpdir(), `vtn-state-${process.pid}`);
const options: NetOptions = { host: { namespace: hostNs }, table, stateDir, vethPrefix: 'vtn' };

async function sh(argv: readonly string[]): Promise<string> {
  const [program, ...args] = argv;
  return (await run(program as string, args, { encoding: 'utf8' })).stdout;
}

async function hostState(): Promise<string> {
  const links = await sh(['ip', '-n', hostNs, '-json', 'address', 'show', 'dev', bridge]);
  const rules = await sh(['ip', 'netns', 'exec', hostNs, 'nft', 'list', 'table', 'inet', table]);
  return `${links}\n${rules}`;
}

/** Runs a small node program inside a namespace and returns its stdout. */
async function nodeIn(namespace: string, program: string): Promise<string> {
  return sh(['ip', 'netns', 'exec', namespace, process.execPath, '-e', program]);
}

const SERVER = `
const net = require('node:net'); const dgram = require('node:dgram');
net.createServer((s) => { s.end('tcp-hello from ' + s.localAddress + '\\n'); }).listen(8080, '0.0.0.0');
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send('udp-' + m, r.port, r.address)); u.bind(5353, '0.0.0.0', () => console.log('ready'));
`;

const tcpClient = (host: string, port: number) => `
const s = require('node:net').connect(${port}, '${host}');
const out = []; s.on('data', (d) => out.push(d)); s.on('end', () => { process.stdout.write(out.join('')); });
s.on('error', (e) => { process.stdout.write('error ' + e.code); });
s.setTimeout(3000, () => { process.stdout.write('timeout'); s.destroy(); });
`;

const udpClient = (host: string, port: number) => `
const u = require('node:dgram').createSocket('udp4');
u.on('message', (m) => { process.stdout.write(String(m)); u.close(); });
u.send('ping', ${port}, '${host}');
setTimeout(() => { process.stdout.write('timeout'); u.close(); }, 3000).unref();
`;

async function removeEverything(): Promise<void> {
  for (const name of [...Object.values(names), ...parallelNames]) {
    await sandboxDown(name, options).catch(() => undefined);
  }
  await bridgeDown({ bridge }, { ...options, force: true }).catch(() => undefined);
  for (const namespace of [clientNs, hostNs]) {
    await sh(['ip', 'netns', 'delete', namespace]).catch(() => undefined);
  }
}

describe('direct sandboxes on a bridge, for real (needs root; skipped otherwise)', () => {
  beforeAll(async () => {
    await mkdir(stateDir, { mode: 0o700 });
    await sh(['ip', 'netns', 'add', hostNs]);
    await sh(['ip', '-n', hostNs, 'link', 'set', 'lo', 'up']);
    // A client namespace routed to the test host, standing in for a machine on the outside.
    await sh(['ip', 'netns', 'add', clientNs]);
    await sh([
      'ip',
      '-n',
      hostNs,
      'link',
      'add',
      `vtnc${suffix}`,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      clientNs,
    ]);
    await sh(['ip', '-n', hostNs, 'address', 'add', '10.232.0.1/30', 'dev', `vtnc${suffix}`]);
    await sh(['ip', '-n', hostNs, 'link', 'set', `vtnc${suffix}`, 'up']);
    await sh(['ip', '-n', clientNs, 'address', 'add', '10.232.0.2/30', 'dev', 'eth0']);
    await sh(['ip', '-n', clientNs, 'link', 'set', 'eth0', 'up']);
    await sh(['ip', '-n', clientNs, 'link', 'set', 'lo', 'up']);
    await sh(['ip', '-n', clientNs, 'route', 'add', 'default', 'via', '10.232.0.1']);
  });

  afterAll(async () => {
    await removeEverything();
    await rm(stateDir, { recursive: true, force: true });
    // sandboxUp creates /etc/netns for its resolv.conf files; it goes again if this test made it and left it empty.
    if (!etcNetnsExisted) await rmdir('/etc/netns').catch(() => undefined);
  });

  it('sets the bridge up in two processes at once without error, and a third run changes nothing', async () => {
    const entry = new URL('../../dist/index.js', import.meta.url).href;
    const program = `import(${JSON.stringify(entry)}).then((m) => m.bridgeUp(${JSON.stringify(network)}, ${JSON.stringify(options)})).catch((e) => { console.error(e.message); process.exit(1); });`;
    await Promise.all([0, 1].map(() => sh([process.execPath, '-e', program])));
    const before = await hostState();
    await bridgeUp(network, options);
    expect(await hostState()).toBe(before);
    const status = await bridgeStatus({ bridge }, options);
    expect(status).toMatchObject({ exists: true, up: true, tableExists: true });
    expect(status.addresses).toEqual(['10.231.0.1/24', 'fd87:231::1/64']);
    expect(await sh(['ip', 'netns', 'exec', hostNs, 'cat', '/proc/sys/net/ipv4/ip_forward'])).toBe('1\n');
  });

  it('sets sandboxes up in parallel processes with distinct addresses, then tears them down', async () => {
    const entry = new URL('../../dist/index.js', import.meta.url).href;
    const results = await Promise.all(
      parallelNames.map((name) =>
        sh([
          process.execPath,
          '-e',
          `import(${JSON.stringify(entry)}).then((m) => m.sandboxUp(${JSON.stringify(name)}, ${JSON.stringify(network)}, ${JSON.stringify(options)})).then((r) => console.log(r.address)).catch((e) => { console.error(e.message); process.exit(1); });`,
        ]),
      ),
    );
    const addresses = results.map((line) => line.trim());
    expect(new Set(addresses).size).toBe(parallelNames.length);
    for (const address of addresses) expect(address).toMatch(/^10\.231\.0\.\d+$/);
    await Promise.all(parallelNames.map((name) => sandboxDown(name, options)));
    expect(readRecords(stateDir)).toEqual([]);
  });

  it('reaches namespace to namespace across the bridge and the gateway, and delivers DNS', async () => {
    const a = await sandboxUp(names.a, network, options);
    const b = await sandboxUp(names.b, network, options);
    expect(await sandboxUp(names.a, network, options)).toEqual(a);
    await sh(['ip', 'netns', 'exec', names.a, 'busybox', 'ping', '-c', '1', '-W', '3', b.address as string]);
    await sh(['ip', 'netns', 'exec', names.a, 'busybox', 'ping', '-c', '1', '-W', '3', '10.231.0.1']);
    await sh(['ip', 'netns', 'exec', names.b, 'busybox', 'ping', '-c', '1', '-W', '3', a.address as string]);
    const resolv = await sh(['ip', 'netns', 'exec', names.a, 'cat', '/etc/resolv.conf']);
    expect(resolv).toContain('nameserver 1.1.1.1\nnameserver 1.0.0.1\n');
    const status = await sandboxStatus(names.a, options);
    expect(status.interfaces.map((link) => [link.name, link.up])).toEqual([
      ['lo', true],
      ['eth0', true],
    ]);
    expect(status.interfaces[1]?.addresses).toContain(`${a.address}/24`);
    const routes = await sh(['ip', '-n', names.a, 'route', 'show', 'default']);
    expect(routes).toContain('default via 10.231.0.1 dev eth0');
  });

  it('forwards tcp and udp host ports to a sandbox, from another namespace; not from host loopback', async () => {
    const withPorts = withNetwork({ ports: ['tcp:18080:8080', 'udp:15353:5353'] });
    const sandbox = await sandboxUp(names.x, withPorts, options);
    const server = spawn('ip', ['netns', 'exec', names.x, process.execPath, '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.once('data', () => resolve());
        server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
      expect(await nodeIn(clientNs, tcpClient('10.232.0.1', 18080))).toBe(
        `tcp-hello from ${sandbox.address}\n`,
      );
      expect(await nodeIn(clientNs, udpClient('10.232.0.1', 15353))).toBe('udp-ping');
      // Another sandbox on the bridge reaches the forward through the gateway address too (hairpin).
      expect(await nodeIn(names.a, tcpClient('10.231.0.1', 18080))).toBe(
        `tcp-hello from ${sandbox.address}\n`,
      );
      // The test host's own loopback is not forwarded (as with nspawn's --port).
      expect(await nodeIn(hostNs, tcpClient('127.0.0.1', 18080))).toBe('error ECONNREFUSED');
      const status = await bridgeStatus({ bridge }, options);
      expect(status.forwards).toEqual(
        [
          { protocol: 'tcp', hostPort: 18080, address: sandbox.address, containerPort: 8080 },
          { protocol: 'udp', hostPort: 15353, address: sandbox.address, containerPort: 5353 },
        ].sort((p, q) => p.hostPort - q.hostPort),
      );
    } finally {
      if (server.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
    }
  });

  it('refuses a host port another sandbox holds, undoing everything of the refused one', async () => {
    const clash = withNetwork({ ports: ['tcp:18080:80'] });
    const error = await sandboxUp(names.b.replace('-b', '-d'), clash, options).catch((e: unknown) => e);
    expect(VoltError.isInstance(error) && error.code).toBe('CONFLICT');
    expect(existsSync(`/run/netns/${names.b.replace('-b', '-d')}`)).toBe(false);
    const status = await bridgeStatus({ bridge }, options);
    // The refused sandbox's teardown left the holder's forward as it was.
    const holder = status.sandboxes.find((record) => record.name === names.x);
    expect(status.forwards.filter((forward) => forward.hostPort === 18080)).toEqual([
      { protocol: 'tcp', hostPort: 18080, address: holder?.address, containerPort: 8080 },
    ]);
    expect(status.sandboxes.map((record) => record.name).sort()).toEqual([names.a, names.b, names.x].sort());
  });

  it('gives mode none only loopback', async () => {
    await sandboxUp(names.n, withNetwork({ mode: 'none' }), options);
    const links = JSON.parse(await sh(['ip', '-n', names.n, '-json', 'address', 'show'])) as {
      ifname: string;
      flags: string[];
    }[];
    expect(links.map((link) => link.ifname)).toEqual(['lo']);
    expect(links[0]?.flags).toContain('UP');
    const routes = await sh(['ip', '-n', names.n, 'route', 'show']);
    expect(routes.trim()).toBe('');
    // Switching an existing private sandbox to none is refused and leaves it as it was.
    await expect(sandboxUp(names.a, withNetwork({ mode: 'none' }), options)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await sandboxStatus(names.a, options)).interfaces.map((link) => link.name)).toEqual([
      'lo',
      'eth0',
    ]);
  });

  it('tears down without leaving links, namespaces, nft tables, resolv.conf files or leases', async () => {
    for (const name of Object.values(names)) await sandboxDown(name, options);
    await bridgeDown({ bridge }, options);
    const links = JSON.parse(await sh(['ip', '-n', hostNs, '-json', 'link', 'show'])) as { ifname: string }[];
    expect(
      links.map((link) => link.ifname).filter((name) => name.startsWith('vtn') && name !== `vtnc${suffix}`),
    ).toEqual([]);
    const namespaces = await sh(['ip', 'netns', 'list']);
    for (const name of [...Object.values(names), ...parallelNames]) {
      expect(namespaces).not.toContain(name);
      expect(existsSync(`/etc/netns/${name}`)).toBe(false);
    }
    expect(await sh(['ip', 'netns', 'exec', hostNs, 'nft', 'list', 'tables'])).toBe('');
    expect(await readdir(join(stateDir, 'sandboxes'))).toEqual([]);
    // Tearing down again finds nothing to do and does not fail.
    await sandboxDown(names.a, options);
    await bridgeDown({ bridge }, options);
  });
});
