import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupManager, readCgroupStats } from './manager.js';
import { findCgroup2Mount } from './mountinfo.js';
import { decodeDeviceNumber, readHostResources, resolveDeviceNumbers } from './resources.js';
import { resolveCgroupDirectory, watchCgroupStats } from './watch.js';

// A plain directory stands in for the cgroup2 mount: the manager only ever opens existing files.
let root: string;
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const write = (file: string, text: string) => writeFileSync(join(root, file), text);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vtc-manager-'));
  write('cgroup.controllers', 'cpu memory pids\n');
  write('cgroup.subtree_control', '');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('CgroupManager on a temporary root', () => {
  it('checks the group path once, at construction', () => {
    expect(CgroupManager.open('/sys/fs/cgroup/unified', 'vtc-a/b').path).toBe(
      '/sys/fs/cgroup/unified/vtc-a/b',
    );
    for (const bad of ['', '/abs', '../x', 'a/../../x', 'a\nb', '.'])
      expect(() => CgroupManager.open(root, bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_PATH' }),
      );
    expect(() => CgroupManager.open('relative', 'vtc-a')).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH' }),
    );
  });

  it('creates the group and enables the controllers its parent has', async () => {
    const manager = CgroupManager.open(root, 'vtc-a');
    const report = await manager.create({ controllers: ['memory', 'io', 'pids'] });
    expect(report).toEqual({ enabled: ['memory', 'pids'], missing: ['io'] });
    expect(read('cgroup.subtree_control')).toBe('+pids'); // each write is one "+controller" (a real file keeps the last)
    expect(readFileSync(join(manager.path, '..', 'vtc-a', '..', 'cgroup.controllers'), 'utf8')).toContain(
      'memory',
    );
    await manager.create(); // existing group: reused
  });

  it('refuses a mount that is not a cgroup2 hierarchy when controllers are asked for', async () => {
    rmSync(join(root, 'cgroup.controllers'));
    await expect(CgroupManager.open(root, 'vtc-a').create({ controllers: ['memory'] })).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    );
  });

  it('applies values in order and reads them back', async () => {
    const manager = CgroupManager.open(root, 'vtc-a');
    await manager.create();
    write('vtc-a/memory.max', 'max\n');
    write('vtc-a/pids.max', 'max\n');
    await manager.apply([
      ['memory.max', '2147483648'],
      ['pids.max', '4096'],
    ]);
    expect(read('vtc-a/memory.max')).toBe('2147483648');
    expect(read('vtc-a/pids.max')).toBe('4096');
  });

  it('writes nothing when a file is missing (controller not enabled)', async () => {
    const manager = CgroupManager.open(root, 'vtc-a');
    await manager.create();
    write('vtc-a/memory.max', 'max\n');
    await expect(
      manager.apply([
        ['memory.max', '1'],
        ['pids.max', '5'],
      ]),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('pids.max') });
    expect(read('vtc-a/memory.max')).toBe('max\n');
  });

  it('puts back what it wrote when a later write fails', async () => {
    const manager = CgroupManager.open(root, 'vtc-a');
    await manager.create();
    write('vtc-a/memory.max', 'max\n');
    write('vtc-a/memory.high', '1234\n');
    symlinkSync('/proc/version', join(root, 'vtc-a', 'pids.max')); // readable; no write operation: the write fails
    await expect(
      manager.apply([
        ['memory.max', '1'],
        ['memory.high', '2'],
        ['pids.max', '5'],
      ]),
    ).rejects.toMatchObject({ message: expect.stringContaining('pids.max') });
    expect(read('vtc-a/memory.max')).toBe('max');
    expect(read('vtc-a/memory.high')).toBe('1234');
  });

  it('resets io.max lines of devices that had none before when it puts things back', async () => {
    const manager = CgroupManager.open(root, 'vtc-a');
    await manager.create();
    write('vtc-a/io.max', '8:0 rbps=1 wbps=max riops=max wiops=max\n');
    symlinkSync('/proc/version', join(root, 'vtc-a', 'pids.max'));
    await expect(
      manager.apply([
        ['io.max', '8:16 rbps=5'],
        ['pids.max', '5'],
      ]),
    ).rejects.toBeDefined();
    // A plain file keeps only the last write: the reset of 8:16 comes after the old 8:0 line.
    expect(read('vtc-a/io.max')).toBe('8:16 rbps=max wbps=max riops=max wiops=max');
  });

  it('refuses file names that are not resource interface files', async () => {
    const manager = CgroupManager.open(root, 'vtc-a');
    await expect(manager.apply([['cgroup.procs', '1']])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(manager.apply([['../x.max', '1']])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
  });

  it('removes a group tree deepest first, and a missing group is no error', async () => {
    const manager = CgroupManager.open(root, 'vtc-a/b/c');
    await manager.create();
    await CgroupManager.open(root, 'vtc-a').remove();
    expect(() => readFileSync(join(root, 'vtc-a'))).toThrow();
    await CgroupManager.open(root, 'vtc-a').remove();
  });
});

describe('stats on a temporary root', () => {
  it('reports files that are absent as absent', async () => {
    write('cgroup.stat', 'nr_descendants 1\nnr_dying_descendants 0\n');
    write('cgroup.events', 'populated 1\nfrozen 0\n');
    write('memory.current', '4096\n');
    write('io.stat', '');
    write('cpu.pressure', 'some avg10=0.50 avg60=0.00 avg300=0.00 total=10\n');
    const stats = await readCgroupStats(root);
    expect(stats).toEqual({
      path: root,
      events: { populated: true, frozen: false },
      cgroup: { nrDescendants: 1, nrDyingDescendants: 0 },
      memoryCurrent: 4096,
      io: [],
      pressure: { cpu: { some: { avg10: 0.5, avg60: 0, avg300: 0, totalUsec: 10 } } },
    });
    expect(stats.pidsCurrent).toBeUndefined();
    await expect(readCgroupStats(join(root, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('watch is bounded by count and stops on abort', async () => {
    write('cgroup.stat', 'nr_descendants 0\nnr_dying_descendants 0\n');
    const samples = [];
    for await (const stats of watchCgroupStats(root, { intervalMs: 1, count: 3 })) samples.push(stats);
    expect(samples).toHaveLength(3);
    const controller = new AbortController();
    let taken = 0;
    for await (const _ of watchCgroupStats(root, { intervalMs: 60_000, signal: controller.signal })) {
      taken++;
      controller.abort();
    }
    expect(taken).toBe(1);
  });

  it('resolves group paths within the mount only', async () => {
    expect(await resolveCgroupDirectory('vtc-a', { mount: root })).toBe(`${root}/vtc-a`);
    expect(await resolveCgroupDirectory(root, { mount: root })).toBe(root);
    await expect(resolveCgroupDirectory('/etc', { mount: root })).rejects.toMatchObject({
      code: 'INVALID_PATH',
    });
    await expect(resolveCgroupDirectory('../x', { mount: root })).rejects.toMatchObject({
      code: 'INVALID_PATH',
    });
  });

  it('finds the cgroup2 mount from a given mountinfo file', async () => {
    write('mountinfo', '41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n');
    expect(await findCgroup2Mount({ mountinfo: join(root, 'mountinfo') })).toBe('/sys/fs/cgroup/unified');
    write('mountinfo', '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n');
    await expect(findCgroup2Mount({ mountinfo: join(root, 'mountinfo') })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });
});

describe('host facts', () => {
  it('reads memory and the task limit from a procfs root', async () => {
    mkdirSync(join(root, 'sys', 'kernel'), { recursive: true });
    write('meminfo', 'MemTotal:       16384 kB\nMemFree:        1 kB\n');
    write('sys/kernel/pid_max', '32768\n');
    write('sys/kernel/threads-max', '100000\n');
    expect(await readHostResources({ procRoot: root })).toEqual({
      memoryBytes: 16384 * 1024,
      tasksMax: 32767,
    });
  });

  it('decodes dev_t as glibc does and resolves paths', async () => {
    expect(decodeDeviceNumber(2049n)).toEqual({ major: 8, minor: 1 });
    expect(decodeDeviceNumber((259n << 8n) | 3n)).toEqual({ major: 259, minor: 3 });
    const makedev = (major: bigint, minor: bigint) =>
      ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
    expect(decodeDeviceNumber(makedev(4101n, 300n))).toEqual({ major: 4101, minor: 300 });
    const devices = await resolveDeviceNumbers([root]);
    expect(devices.get(root)).toEqual({ major: expect.any(Number), minor: expect.any(Number) });
    await expect(resolveDeviceNumbers([join(root, 'missing')])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
