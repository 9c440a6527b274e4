import { execFile } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unwrap } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkConfig } from '../model/config.js';
import { bridgeDown } from './bridge.js';
import { sandboxDown, sandboxUp } from './sandbox.js';

// Issue 16 against the real tools: the state Volt keeps for a direct sandbox (directories, lease record,
// resolv.conf) gets explicit modes under umask 000, and a lease record edited to carry an option never
// reaches `ip`. Everything lives in a network namespace of the test's own (vh3-h…) and temporary
// directories; the names all start with vh3.

const run = promisify(execFile);
const _isRoot = process.getuid?.() === 0;
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vh3-h${suffix}`;
const sandbox = `vh3-s${suffix}`;
const bridge = `vh3br${suffix}`;
const network = unwrap(parseNetworkConfig({ bridge, subnet: '10.236.0.0/24' }));
const base = join(tmpdir(), `vh3-state-${process.pid}`);
const options = {
  host: { namespace: hostNs },
  table: `vh3_${suffix}`,
  stateDir: join(base, 'run/volt/net'),
  etcNetnsDir: join(base, 'etc/netns'),
  vethPrefix: 'vh3',
};

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;
const links = async () =>
  (JSON.parse((await run('ip', ['-n', hostNs, '-json', 'link', 'show'])).stdout) as { ifname: string }[]).map(
    (link) => link.ifname,
  );

describe('the state of a direct sandbox, for real (needs root; skipped otherwise)', () => {
  beforeAll(async () => {
    await run('ip', ['netns', 'add', hostNs]);
  });

  afterAll(async () => {
    await sandboxDown(sandbox, options).catch(() => undefined);
    await bridgeDown({ bridge }, { ...options, force: true }).catch(() => undefined);
    // Deleting the namespaces removes whatever a failed test left in them (bridge, veth, nft table).
    for (const namespace of [sandbox, hostNs])
      await run('ip', ['netns', 'delete', namespace]).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  });

  it('creates every directory and file with its own mode under umask 000', async () => {
    const previous = process.umask(0);
    try {
      await sandboxUp(sandbox, network, options);
    } finally {
      process.umask(previous);
    }
    for (const dir of ['run', 'run/volt', 'run/volt/net', 'run/volt/net/sandboxes'])
      expect([dir, await modeOf(join(base, dir))]).toEqual([dir, 0o700]);
    expect(await modeOf(join(options.stateDir, 'sandboxes', `${sandbox}.json`))).toBe(0o600);
    for (const dir of ['etc', 'etc/netns', `etc/netns/${sandbox}`])
      expect([dir, await modeOf(join(base, dir))]).toEqual([dir, 0o755]);
    expect(await modeOf(join(options.etcNetnsDir, sandbox, 'resolv.conf'))).toBe(0o644);
  });

  it('refuses a lease record edited to carry an option, touching no link, then tears down once it is put back', async () => {
    const file = join(options.stateDir, 'sandboxes', `${sandbox}.json`);
    const original = await readFile(file, 'utf8');
    const veth = (JSON.parse(original) as { hostInterface: string }).hostInterface;
    const before = await links();
    expect(before).toContain(veth);
    await writeFile(file, JSON.stringify({ ...JSON.parse(original), hostInterface: bridge, table: '-f' }));
    await expect(sandboxDown(sandbox, options)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringContaining(file),
    });
    expect(await links()).toEqual(before);
    await writeFile(file, original);
    await sandboxDown(sandbox, options);
    expect(await links()).not.toContain(veth);
    expect(await links()).toContain(bridge);
  });
});
