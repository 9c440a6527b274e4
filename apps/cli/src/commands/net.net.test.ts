// `volt net` in-process, for real, inside a network namespace of the test's own that stands in for the host
// (--host-netns), with its own bridge, nftables table and state directory.
import { execFileSync } from 'node:child_process';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerNetCommands } from './net.js';

const etcNetnsExisted = existsSync('/etc/netns');
const suffix = (process.pid % 46656).toString(36);
const hostNs = `vtn-hcli${suffix}`;
const bridge = `vtnbrcli${suffix}`;
const sandbox = `vtn-cli${suffix}`;
const stateDir = join(tmpdir(), `vtn-cli-state-${process.pid}`);
const common = () => ['--host-netns', hostNs, '--table', `volt_test_cli${suffix}`, '--state-dir', stateDir];

function capture(): { readonly text: () => string } {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out };
}

async function volt(...args: string[]): Promise<void> {
  const program = new Command('volt').exitOverride();
  registerNetCommands(program);
  await program.parseAsync(['node', 'volt', ...args]);
}

afterEach(() => vi.restoreAllMocks());

describe('volt net, for real (needs root; skipped otherwise)', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', hostNs]);
  });

  afterAll(async () => {
    await volt('net', 'sandbox', 'down', sandbox, ...common()).catch(() => undefined);
    await volt('net', 'down', '--bridge', bridge, '--force', ...common()).catch(() => undefined);
    execFileSync('ip', ['netns', 'delete', hostNs]);
    rmSync(stateDir, { recursive: true, force: true });
    // The sandbox's resolv.conf went under /etc/netns; the directory goes again if this test made it.
    if (!etcNetnsExisted) {
      try {
        rmdirSync('/etc/netns');
      } catch {
        // not empty: something else keeps files there
      }
    }
  });

  it('brings the bridge and a sandbox up, reports them, and takes them down again', async () => {
    const subnet = ['--bridge', bridge, '--subnet', '10.236.0.0/24'];
    await volt('net', 'up', ...subnet, ...common());
    let out = capture();
    await volt('net', 'sandbox', 'up', sandbox, ...subnet, '--port', 'udp:15353:53', '--json', ...common());
    expect(JSON.parse(out.text())).toMatchObject({ name: sandbox, address: '10.236.0.2' });
    vi.restoreAllMocks();

    out = capture();
    await volt('net', 'status', '--bridge', bridge, '--json', ...common());
    expect(JSON.parse(out.text())).toMatchObject({
      exists: true,
      up: true,
      addresses: ['10.236.0.1/24'],
      forwards: [{ protocol: 'udp', hostPort: 15353, address: '10.236.0.2', containerPort: 53 }],
    });
    vi.restoreAllMocks();

    out = capture();
    await volt('net', 'sandbox', 'status', sandbox, ...common());
    expect(out.text()).toContain('eth0 up 10.236.0.2/24');
    vi.restoreAllMocks();

    await expect(volt('net', 'down', '--bridge', bridge, ...common())).rejects.toMatchObject({
      code: 'BUSY',
    });
    await volt('net', 'sandbox', 'down', sandbox, ...common());
    await volt('net', 'down', '--bridge', bridge, ...common());
    out = capture();
    await volt('net', 'status', '--bridge', bridge, '--json', ...common());
    expect(JSON.parse(out.text())).toMatchObject({ exists: false, tableExists: false, sandboxes: [] });
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(sandbox);
  });
});
