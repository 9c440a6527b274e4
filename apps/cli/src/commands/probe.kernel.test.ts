// `volt probe` on this host, for real: every fact it reports is read again here from its own source.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { landlockHelperPath } from '@volt/landlock';
import { describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

interface Probe {
  readonly kernel: string;
  readonly landlock: { abi: number; errata: number };
  readonly seccomp: { filter: boolean; actions: string[] };
  readonly cgroup: { mountPoint: string; unified: boolean; controllers: string[] };
  readonly userNamespaces: { max: number | null; idmappedMounts: { supported: string; detail: string } };
  readonly systemd: { version: string | null; pid1: boolean; pid1Name: string };
  readonly nspawn: { version: string | null };
  readonly nftables: { version: string | null };
}

const run = spawnSync(process.execPath, [VOLT_BIN, 'probe', '--json'], { encoding: 'utf8', timeout: 60_000 });
const probe = JSON.parse(run.stdout) as Probe;
const firstLine = (command: string) =>
  execFileSync(command, ['--version'], { encoding: 'utf8' }).split('\n')[0];

describe('volt probe on this host', () => {
  it('exits 0 and names the running kernel', () => {
    expect(run.status).toBe(0);
    expect(probe.kernel).toBe(release());
  });

  it("reports the Landlock ABI and errata the kernel gives the helper (landlock_create_ruleset's version flags)", () => {
    expect(execFileSync(landlockHelperPath(), ['--probe'], { encoding: 'utf8' })).toBe(
      `abi ${probe.landlock.abi}\nerrata ${probe.landlock.errata}\n`,
    );
  });

  it('reports the seccomp actions of /proc/sys/kernel/seccomp/actions_avail', () => {
    expect(probe.seccomp.filter).toBe(true);
    expect(probe.seccomp.actions.join(' ')).toBe(
      readFileSync('/proc/sys/kernel/seccomp/actions_avail', 'utf8').trim(),
    );
    expect(probe.seccomp.actions).toEqual(expect.arrayContaining(['kill_process', 'errno', 'log', 'allow']));
  });

  it('reports the cgroup2 mount of this process and the controllers of its root', () => {
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
    expect(
      mounts.some((line) => line.includes(` ${probe.cgroup.mountPoint} `) && line.includes(' - cgroup2 ')),
    ).toBe(true);
    expect(probe.cgroup.controllers.join(' ')).toBe(
      readFileSync(`${probe.cgroup.mountPoint}/cgroup.controllers`, 'utf8').trim(),
    );
    expect(probe.cgroup.unified).toBe(probe.cgroup.mountPoint === '/sys/fs/cgroup');
  });

  it('reports user namespaces and whether the machines directory can be ID-mapped', () => {
    expect(probe.userNamespaces.max).toBe(Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')));
    expect(['yes', 'no', 'unknown']).toContain(probe.userNamespaces.idmappedMounts.supported);
    expect(probe.userNamespaces.idmappedMounts.detail).toMatch(/\/var\/lib\/machines|\/var\/lib|\/var|\//);
  });

  it('reports the versions systemctl, systemd-nspawn and nft print, and whether systemd is PID 1', () => {
    expect(firstLine('systemctl')).toContain(`systemd ${probe.systemd.version}`);
    expect(firstLine('systemd-nspawn')).toContain(`systemd ${probe.nspawn.version}`);
    expect(firstLine('nft')).toContain(`v${probe.nftables.version}`);
    expect(probe.systemd.pid1).toBe(existsSync('/run/systemd/system'));
    expect(probe.systemd.pid1Name).toBe(readFileSync('/proc/1/comm', 'utf8').trim());
  });
});
