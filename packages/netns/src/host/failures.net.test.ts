import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unwrap } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkConfig } from '../model/config.js';
import { sandboxVethName } from '../model/options.js';
import { bridgeDown, bridgeStatus } from './bridge.js';
import { readRecords } from './lease-records.js';
import { sandboxDown, sandboxUp } from './sandbox.js';

// The failure modes of the setup batches against the real ip and nft: a batch that fails half-way, and
// a strand that succeeded while the other failed, leave no link, namespace, forward, resolv.conf or
// lease behind; a missing bridge or table is put back; teardown leaves other sandboxes' forwards alone.
// Everything lives in a namespace standing in for the host (vh9-f…) and temporary directories; every
// name starts with vh9.

const run = promisify(execFile);
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vh9-f${suffix}`;
const bridge = `vh9brf${suffix}`;
const table = `vh9_f${suffix}`;
const networkInput = { bridge, subnet: '10.241.0.0/24' };
const withPorts = (...ports: string[]) => unwrap(parseNetworkConfig({ ...networkInput, ports }));
const names = ['a', 'b', 'c', 'd', 'p', 'q'].map((letter) => `vh9-f${letter}${suffix}`);
const [nameA, nameB, nameC, nameD, nameP, nameQ] = names as [string, string, string, string, string, string];
let base = '';
let options = {};
const veth = (name: string) => sandboxVethName('vh9', name);

const sh = async (...argv: string[]) => (await run(argv[0] as string, argv.slice(1))).stdout;
const hostLinks = async () =>
  (JSON.parse(await sh('ip', '-n', hostNs, '-json', 'link', 'show')) as { ifname: string }[]).map(
    (link) => link.ifname,
  );
const forwards = async () => (await bridgeStatus({ bridge }, options)).forwards;

/** Nothing of sandbox `name` is left: no veth, namespace, forward on `port`, resolv.conf or lease. */
async function expectGone(name: string, port: number): Promise<void> {
  expect(await hostLinks()).not.toContain(veth(name));
  expect(existsSync(`/run/netns/${name}`)).toBe(false);
  expect((await forwards()).filter((forward) => forward.hostPort === port)).toEqual([]);
  expect(existsSync(join(base, 'etc', name))).toBe(false);
  expect(readRecords(join(base, 'state')).map((record) => record.name)).not.toContain(name);
}

describe('failure modes of the network setup, for real (root)', () => {
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'vh9-failures-'));
    options = {
      host: { namespace: hostNs },
      table,
      stateDir: join(base, 'state'),
      etcNetnsDir: join(base, 'etc'),
      vethPrefix: 'vh9',
    };
    await sh('ip', 'netns', 'add', hostNs);
  });

  afterAll(async () => {
    for (const name of names) await sandboxDown(name, options).catch(() => undefined);
    await bridgeDown({ bridge }, { ...options, force: true }).catch(() => undefined);
    // Deleting the namespaces removes whatever a failed test left in them (bridge, veths, nft table).
    for (const namespace of [...names, hostNs])
      await sh('ip', 'netns', 'delete', namespace).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it('puts a missing bridge, then a missing table, in place for the sandbox that needs them', async () => {
    const a = await sandboxUp(nameA, withPorts('tcp:18101:80'), options);
    const status = await bridgeStatus({ bridge }, options);
    expect(status).toMatchObject({ exists: true, up: true, tableExists: true, members: [veth(nameA)] });
    expect(status.forwards).toEqual([
      { protocol: 'tcp', hostPort: 18101, address: a.address, containerPort: 80 },
    ]);
    await sh('ip', 'netns', 'exec', hostNs, 'nft', 'delete', 'table', 'inet', table);
    const b = await sandboxUp(nameB, withPorts('tcp:18102:80'), options);
    expect(await forwards()).toEqual([
      { protocol: 'tcp', hostPort: 18102, address: b.address, containerPort: 80 },
    ]);
    // A's forward went with the table; its teardown finds nothing of it and still finishes.
    await sandboxDown(nameA, options);
    await sandboxDown(nameB, options);
    await expectGone(nameA, 18101);
    await expectGone(nameB, 18102);
  });

  it('undoes a sandbox whose links were made and forwards added when its veth cannot join the bridge', async () => {
    // An eth0 already in the namespace: the pair is taken for made (as on a second run), so the veth
    // the host side expects never appears, and the bridge port batch fails on its second line.
    await sh('ip', 'netns', 'add', nameC);
    await sh('ip', '-n', nameC, 'link', 'add', 'eth0', 'type', 'bridge');
    await expect(sandboxUp(nameC, withPorts('tcp:18103:80'), options)).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      message: expect.stringContaining(`link set dev ${veth(nameC)} master ${bridge} up`),
    });
    await expectGone(nameC, 18103);
  });

  it('undoes a sandbox whose batch inside failed half-way', async () => {
    // The host-side name is taken by another kind of link: the pair is not made, eth0 is missing, and
    // the lines after loopback fail. Teardown removes the link under the sandbox's own veth name.
    await sh('ip', '-n', hostNs, 'link', 'add', veth(nameD), 'type', 'bridge');
    await expect(sandboxUp(nameD, withPorts('tcp:18104:80'), options)).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      message: expect.stringContaining('link set eth0 up: Cannot find device "eth0"'),
    });
    await expectGone(nameD, 18104);
  });

  it("tears down only a sandbox's own forwards when one of its ports went to another", async () => {
    const p = await sandboxUp(nameP, withPorts('tcp:18105:80', 'tcp:18106:80'), options);
    await sh(
      'ip',
      'netns',
      'exec',
      hostNs,
      'nft',
      'delete',
      'element',
      'inet',
      table,
      'forward_tcp',
      '{ 18105 }',
    );
    const q = await sandboxUp(nameQ, withPorts('tcp:18105:8080'), options);
    expect(await forwards()).toEqual([
      { protocol: 'tcp', hostPort: 18105, address: q.address, containerPort: 8080 },
      { protocol: 'tcp', hostPort: 18106, address: p.address, containerPort: 80 },
    ]);
    await sandboxDown(nameP, options);
    expect(await forwards()).toEqual([
      { protocol: 'tcp', hostPort: 18105, address: q.address, containerPort: 8080 },
    ]);
    await expectGone(nameP, 18106);
    await sandboxDown(nameQ, options);
    await expectGone(nameQ, 18105);
    expect(readRecords(join(base, 'state'))).toEqual([]);
  });
});
