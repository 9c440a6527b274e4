// The manager for real on this machine's cgroup2 hierarchy (/sys/fs/cgroup/unified on these hybrid
// hosts, where only hugetlb is available: no memory, cpu or pids files). Every group is a `vtc-*` child
// of the mount and is removed after each test, also on failure. The cgroup v1 hierarchies are never touched.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CgroupManager, readCgroupStats } from './manager.js';
import { findCgroup2Mount } from './mountinfo.js';

const isRoot = process.getuid?.() === 0;
let mount = '';
const started: ChildProcess[] = [];
const groups: CgroupManager[] = [];

function startBusyLoop(): ChildProcess {
  const child = spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  started.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

function group(name: string): CgroupManager {
  const manager = CgroupManager.open(mount, `vtc-kernel-${process.pid}-${name}`);
  groups.push(manager);
  return manager;
}

beforeAll(async () => {
  if (isRoot) mount = await findCgroup2Mount();
});

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
      await exited(child);
    }
  }
  for (const manager of groups.splice(0)) {
    try {
      await manager.remove({ kill: true, timeoutMs: 2000 });
    } catch {
      if (existsSync(manager.path)) rmdirSync(manager.path);
    }
  }
});

describe('CgroupManager on the real cgroup2 hierarchy (needs root; CI runs as root)', () => {
  it('finds the cgroup2 mount from /proc/self/mountinfo', () => {
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${mount} `);
    expect(readFileSync(`${mount}/cgroup.controllers`, 'utf8')).toBeDefined();
  });

  it('creates a group, reports unavailable controllers, and leaves the parent alone', async () => {
    const before = readFileSync(`${mount}/cgroup.subtree_control`, 'utf8');
    const manager = group('create');
    const report = await manager.create({ controllers: ['memory', 'pids'] });
    const available = readFileSync(`${mount}/cgroup.controllers`, 'utf8').split(/\s+/);
    expect(report.missing).toEqual(['memory', 'pids'].filter((name) => !available.includes(name)));
    expect(readFileSync(`${mount}/cgroup.subtree_control`, 'utf8')).toBe(before);
    expect(existsSync(`${manager.path}/cgroup.procs`)).toBe(true);
    // Limits whose controller is missing are refused as a whole, nothing written.
    if (!available.includes('pids'))
      await expect(manager.apply([['pids.max', '5']])).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('moves a process in, reads stats (absent files stay absent), freezes, thaws, kills and removes', async () => {
    const manager = group('life');
    await manager.create();
    const child = startBusyLoop();
    await manager.addProcess(child.pid as number);
    expect(await manager.processes()).toContain(child.pid);
    expect(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8')).toContain(`0::/${manager.group}\n`);
    expect(await manager.events()).toEqual({ populated: true, frozen: false });

    await sleep(100);
    const running = await manager.stats();
    expect(running.cpu?.usageUsec).toBeGreaterThan(0);
    expect(running.events).toEqual({ populated: true, frozen: false });
    expect(running.cgroup).toEqual({ nrDescendants: 0, nrDyingDescendants: 0 });
    expect(running.pressure.cpu?.some.totalUsec).toBeGreaterThanOrEqual(0);
    expect(running.pressure.memory).toBeDefined();
    expect(running.pressure.io).toBeDefined();
    if (!existsSync(`${manager.path}/memory.current`)) expect(running.memoryCurrent).toBeUndefined();
    if (!existsSync(`${manager.path}/pids.current`)) expect(running.pidsCurrent).toBeUndefined();
    if (!existsSync(`${manager.path}/io.stat`)) expect(running.io).toBeUndefined();

    await manager.freeze();
    expect(await manager.events()).toEqual({ populated: true, frozen: true });
    const frozenAt = (await manager.stats()).cpu?.usageUsec ?? 0;
    await sleep(200);
    expect((await manager.stats()).cpu?.usageUsec).toBe(frozenAt);

    await manager.thaw();
    expect((await manager.events()).frozen).toBe(false);
    await sleep(200);
    expect((await manager.stats()).cpu?.usageUsec).toBeGreaterThan(frozenAt);

    await manager.kill();
    expect(await exited(child)).toBe('SIGKILL');
    expect(await manager.events()).toEqual({ populated: false, frozen: false });
    await manager.remove();
    expect(existsSync(manager.path)).toBe(false);
  });

  it('counts descendants in cgroup.stat and removes a tree with processes when asked to kill', async () => {
    const parent = group('tree');
    const leaf = CgroupManager.open(mount, `${parent.group}/leaf`);
    await leaf.create();
    const child = startBusyLoop();
    await leaf.addProcess(child.pid as number);
    expect((await parent.stats()).cgroup?.nrDescendants).toBe(1);
    expect((await parent.events()).populated).toBe(true);
    await expect(parent.remove()).rejects.toMatchObject({ code: 'BUSY' });
    await parent.remove({ kill: true });
    expect(await exited(child)).toBe('SIGKILL');
    expect(existsSync(parent.path)).toBe(false);
  });

  it('refuses a process that does not exist and stats of a path that is not a group', async () => {
    const manager = group('errors');
    await manager.create();
    await expect(manager.addProcess(2 ** 22 + 1)).rejects.toMatchObject({ category: 'system' });
    await expect(readCgroupStats(`${mount}/vtc-kernel-does-not-exist`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
