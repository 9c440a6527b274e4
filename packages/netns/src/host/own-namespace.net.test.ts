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

// The production route, without a host context: the caller's own network namespace is the host, and
// the sandbox's veth is sent there by the caller's /proc/PID/ns/net. The caller here is a node process
// that nsenter put in a namespace of the test's own (vh9-o…), with the machine's mount namespace, as
// the CLI runs on a real host. Every name starts with vh9.

const run = promisify(execFile);
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vh9-o${suffix}`;
const sandbox = `vh9-os${suffix}`;
const bridge = `vh9bro${suffix}`;
const network = unwrap(parseNetworkConfig({ bridge, subnet: '10.243.0.0/24', ports: ['tcp:18301:80'] }));
const entry = new URL('../../dist/index.js', import.meta.url).href;
let options = {};
let base = '';

const sh = async (...argv: string[]) => (await run(argv[0] as string, argv.slice(1))).stdout;

/** Runs `call` (a function of the package's module, as source) in a node process inside the stand-in host. */
function asTheHost(call: string): Promise<string> {
  return sh(
    'nsenter',
    `--net=/run/netns/${hostNs}`,
    process.execPath,
    '-e',
    `import(${JSON.stringify(entry)}).then((m) => ${call}).catch((e) => { console.error(e.message); process.exit(1); });`,
  );
}

describe('a sandbox of a caller whose own namespace is the host, for real (root)', () => {
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'vh9-own-'));
    options = {
      table: `vh9_o${suffix}`,
      stateDir: join(base, 'state'),
      etcNetnsDir: join(base, 'etc'),
      vethPrefix: 'vh9',
    };
    await sh('ip', 'netns', 'add', hostNs);
  });

  afterAll(async () => {
    await asTheHost(`m.sandboxDown(${JSON.stringify(sandbox)}, ${JSON.stringify(options)})`).catch(
      () => undefined,
    );
    for (const namespace of [sandbox, hostNs]) {
      if (existsSync(`/run/netns/${namespace}`))
        await sh('ip', 'netns', 'delete', namespace).catch(() => undefined);
    }
    await rm(base, { recursive: true, force: true });
  });

  it('puts the veth in the caller’s namespace, on the bridge, and takes it away again', async () => {
    const address = (
      await asTheHost(
        `m.sandboxUp(${JSON.stringify(sandbox)}, ${JSON.stringify(network)}, ${JSON.stringify(options)}).then((r) => console.log(r.address))`,
      )
    ).trim();
    expect(address).toBe('10.243.0.2');
    const veth = JSON.parse(
      await sh('ip', '-n', hostNs, '-json', 'link', 'show', 'dev', sandboxVethName('vh9', sandbox)),
    ) as { master?: string; flags: string[] }[];
    expect(veth[0]).toMatchObject({ master: bridge, flags: expect.arrayContaining(['UP']) });
    await sh('ip', 'netns', 'exec', sandbox, 'busybox', 'ping', '-c', '1', '-W', '3', '10.243.0.1');
    const rules = await sh(
      'ip',
      'netns',
      'exec',
      hostNs,
      'nft',
      'list',
      'map',
      'inet',
      `vh9_o${suffix}`,
      'forward_tcp',
    );
    expect(rules).toContain(`18301 : ${address} . 80`);

    await asTheHost(`m.sandboxDown(${JSON.stringify(sandbox)}, ${JSON.stringify(options)})`);
    const links = JSON.parse(await sh('ip', '-n', hostNs, '-json', 'link', 'show')) as { ifname: string }[];
    expect(links.map((link) => link.ifname).sort()).toEqual([bridge, 'lo'].sort());
    expect(existsSync(`/run/netns/${sandbox}`)).toBe(false);
    expect(
      await sh('ip', 'netns', 'exec', hostNs, 'nft', 'list', 'map', 'inet', `vh9_o${suffix}`, 'forward_tcp'),
    ).not.toContain('18301');
  });
});
