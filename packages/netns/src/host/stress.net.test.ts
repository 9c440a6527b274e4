import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unwrap } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkConfig } from '../model/config.js';
import { sandboxVethName } from '../model/options.js';
import { bridgeDown, bridgeStatus } from './bridge.js';
import { readRecords } from './lease-records.js';
import { sandboxDown, sandboxStatus } from './sandbox.js';

// Fifty sandboxes set up at once by fifty processes (as fifty `volt run` would), on a bridge none of
// them finds in place, then torn down at once by fifty more. Each gets its own lease and forward;
// nothing is left locked, half-written or behind. No assertion on time: the bench measures that.
// Everything lives in a namespace standing in for the host (vh9-s…) and temporary directories; every
// name starts with vh9.

const run = promisify(execFile);
const COUNT = 50;
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vh9-s${suffix}`;
const bridge = `vh9brs${suffix}`;
const networkInput = { bridge, subnet: '10.242.0.0/24' };
const names = Array.from({ length: COUNT }, (_, index) => `vh9-s${index}x${suffix}`);
const portOf = (index: number) => 18200 + index;
const entry = new URL('../../dist/index.js', import.meta.url).href;
let base = '';
let options = {};

const sh = async (...argv: string[]) => (await run(argv[0] as string, argv.slice(1))).stdout;

/** Runs `call` (a function of the package's module, as source) in a node process of its own. */
function inProcess(call: string): Promise<string> {
  return sh(
    process.execPath,
    '-e',
    `import(${JSON.stringify(entry)}).then((m) => ${call}).catch((e) => { console.error(e.message); process.exit(1); });`,
  );
}

/** Every file and directory under `dir`, as paths relative to it. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe(`${COUNT} sandboxes at once, each in a process of its own, for real (root)`, () => {
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'vh9-stress-'));
    options = {
      host: { namespace: hostNs },
      table: `vh9_s${suffix}`,
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
    for (const namespace of [...names, hostNs]) {
      if (existsSync(`/run/netns/${namespace}`))
        await sh('ip', 'netns', 'delete', namespace).catch(() => undefined);
    }
    await rm(base, { recursive: true, force: true });
  });

  it('gives every one its own lease, link and forward, and leaves no lock or temporary file', async () => {
    const results = await Promise.all(
      names.map((name, index) => {
        const network = unwrap(parseNetworkConfig({ ...networkInput, ports: [`tcp:${portOf(index)}:80`] }));
        return inProcess(
          `m.sandboxUp(${JSON.stringify(name)}, ${JSON.stringify(network)}, ${JSON.stringify(options)}).then((r) => console.log(r.address))`,
        );
      }),
    );
    const addresses = results.map((line) => line.trim());
    expect(new Set(addresses).size).toBe(COUNT);
    for (const address of addresses) expect(address).toMatch(/^10\.242\.0\.\d+$/);

    const records = readRecords(join(base, 'state'));
    expect(records.map((record) => [record.name, record.address]).sort()).toEqual(
      names.map((name, index) => [name, addresses[index]]).sort(),
    );
    expect(await tree(join(base, 'state'))).toEqual(
      ['sandboxes', ...names.map((name) => `sandboxes/${name}.json`)].sort(),
    );
    expect(await tree(join(base, 'etc'))).toEqual(
      names.flatMap((name) => [name, `${name}/resolv.conf`]).sort(),
    );

    const status = await bridgeStatus({ bridge }, options);
    expect(status).toMatchObject({ exists: true, up: true, tableExists: true });
    expect([...status.members].sort()).toEqual(names.map((name) => sandboxVethName('vh9', name)).sort());
    expect(status.forwards).toEqual(
      names.map((_, index) => ({
        protocol: 'tcp',
        hostPort: portOf(index),
        address: addresses[index],
        containerPort: 80,
      })),
    );
    for (const [index, name] of names.entries()) {
      const inside = await sandboxStatus(name, options);
      expect(inside.interfaces.map((link) => [link.name, link.up])).toEqual([
        ['lo', true],
        ['eth0', true],
      ]);
      expect(inside.interfaces[1]?.addresses).toEqual([`${addresses[index]}/24`]);
    }
    // The first and the last reach each other across the bridge.
    await sh(
      'ip',
      'netns',
      'exec',
      names[0] as string,
      'busybox',
      'ping',
      '-c',
      '1',
      '-W',
      '3',
      addresses.at(-1) as string,
    );
  });

  it('tears them all down at once, leaving no link, namespace, forward, resolv.conf, lease or lock', async () => {
    await Promise.all(
      names.map((name) => inProcess(`m.sandboxDown(${JSON.stringify(name)}, ${JSON.stringify(options)})`)),
    );
    const links = JSON.parse(await sh('ip', '-n', hostNs, '-json', 'link', 'show')) as { ifname: string }[];
    expect(links.map((link) => link.ifname).sort()).toEqual([bridge, 'lo'].sort());
    const namespaces = await sh('ip', 'netns', 'list');
    for (const name of names) expect(namespaces).not.toContain(name);
    const status = await bridgeStatus({ bridge }, options);
    expect(status).toMatchObject({ tableExists: true, forwards: [], members: [], sandboxes: [] });
    expect(await tree(join(base, 'state'))).toEqual(['sandboxes']);
    expect(await tree(join(base, 'etc'))).toEqual([]);
  });
});
