import { describe, expect, it } from 'vitest';
import { findCgroup2MountPoint, parseMountInfo } from '../host/mountinfo.js';
import { formatCgroupStats } from '../render/stats.js';
import {
  parseCgroupEvents,
  parseCgroupStat,
  parseCpuStat,
  parseFlatKeyed,
  parseIoStat,
  parseMemoryEvents,
  parsePressure,
  parseSingleValue,
} from './stats.js';

describe('stats parsers (formats from the kernel cgroup-v2 documentation)', () => {
  it('parses single values and flat-keyed files', () => {
    expect(parseSingleValue('1048576\n', 'memory.current')).toBe(1048576);
    expect(() => parseSingleValue('max\n', 'pids.current')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR' }),
    );
    expect([...parseFlatKeyed('a 1\nb 2\n', 'x')]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(() => parseFlatKeyed('a\n', 'x')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
  });

  it('parses memory.events with the oom_kill count', () => {
    expect(parseMemoryEvents('low 0\nhigh 12\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n')).toEqual({
      low: 0,
      high: 12,
      max: 3,
      oom: 2,
      oomKill: 1,
      oomGroupKill: 0,
    });
    expect(parseMemoryEvents('low 0\nhigh 0\nmax 0\noom 0\noom_kill 4\n')).toEqual({
      low: 0,
      high: 0,
      max: 0,
      oom: 0,
      oomKill: 4,
    });
    expect(() => parseMemoryEvents('low 0\n')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
  });

  it('parses cpu.stat with and without the cpu controller', () => {
    expect(parseCpuStat('usage_usec 100\nuser_usec 60\nsystem_usec 40\nnice_usec 0\n')).toEqual({
      usageUsec: 100,
      userUsec: 60,
      systemUsec: 40,
    });
    expect(
      parseCpuStat(
        'usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 10\nnr_throttled 2\nthrottled_usec 5000\nnr_bursts 0\nburst_usec 0\n',
      ),
    ).toEqual({
      usageUsec: 100,
      userUsec: 60,
      systemUsec: 40,
      nrPeriods: 10,
      nrThrottled: 2,
      throttledUsec: 5000,
    });
  });

  it('parses cgroup.events and cgroup.stat', () => {
    expect(parseCgroupEvents('populated 1\nfrozen 1\n')).toEqual({ populated: true, frozen: true });
    expect(parseCgroupStat('nr_descendants 3\nnr_subsys_hugetlb 1\nnr_dying_descendants 1\n')).toEqual({
      nrDescendants: 3,
      nrDyingDescendants: 1,
    });
  });

  it('parses PSI files with and without the full line', () => {
    expect(
      parsePressure(
        'some avg10=0.12 avg60=1.50 avg300=100.00 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n',
        'io.pressure',
      ),
    ).toEqual({
      some: { avg10: 0.12, avg60: 1.5, avg300: 100, totalUsec: 123456 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 7 },
    });
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n', 'cpu.pressure')).toEqual({
      some: { avg10: 0, avg60: 0, avg300: 0, totalUsec: 0 },
    });
    expect(() => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n', 'cpu.pressure')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR' }),
    );
    expect(() => parsePressure('some avg10=x\n', 'cpu.pressure')).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR' }),
    );
  });

  it('parses io.stat per device, ignoring unknown keys', () => {
    expect(
      parseIoStat(
        '8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n259:0 rbytes=4096 cost.wait=5\n',
      ),
    ).toEqual([
      { major: 8, minor: 16, rbytes: 1459200, wbytes: 314773504, rios: 192, wios: 353, dbytes: 0, dios: 0 },
      { major: 259, minor: 0, rbytes: 4096, wbytes: 0, rios: 0, wios: 0, dbytes: 0, dios: 0 },
    ]);
    expect(parseIoStat('')).toEqual([]);
    expect(() => parseIoStat('sda rbytes=1\n')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
  });

  it('formats absent files as absent, never as 0', () => {
    const text = formatCgroupStats({
      path: '/sys/fs/cgroup/unified/vtc-a',
      events: { populated: true, frozen: false },
      cgroup: { nrDescendants: 0, nrDyingDescendants: 0 },
      cpu: { usageUsec: 5, userUsec: 3, systemUsec: 2 },
      pressure: { cpu: { some: { avg10: 1, avg60: 0, avg300: 0, totalUsec: 9 } } },
    });
    expect(text).toContain('memory current: absent\n');
    expect(text).toContain('pids current: absent\n');
    expect(text).toContain('io: absent\n');
    expect(text).toContain('memory pressure: absent\n');
    expect(text).toContain('cpu: usage=5us user=3us system=2us\n');
    expect(text).toContain('cpu pressure some: avg10=1.00 avg60=0.00 avg300=0.00 total=9us\n');
  });
});

describe('mountinfo', () => {
  const hybrid = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:15 master:3 - cgroup2 cgroup2 rw',
    '',
  ].join('\n');

  it('finds the cgroup2 mount of a hybrid host', () => {
    expect(findCgroup2MountPoint(hybrid)).toBe('/sys/fs/cgroup/unified');
  });

  it('prefers /sys/fs/cgroup on a unified host and skips bind mounts of sub-trees', () => {
    const text = [
      '50 1 0:40 /machine.slice /srv/cg rw - cgroup2 cgroup2 rw',
      '60 1 0:40 / /mnt/other\\040cg rw - cgroup2 cgroup2 rw',
      '61 1 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate',
    ].join('\n');
    expect(findCgroup2MountPoint(text)).toBe('/sys/fs/cgroup');
    expect(parseMountInfo(text)[1]?.mountPoint).toBe('/mnt/other cg');
    expect(findCgroup2MountPoint(text.split('\n').slice(0, 2).join('\n'))).toBe('/mnt/other cg');
  });

  it('returns undefined without cgroup2 and refuses malformed lines', () => {
    expect(findCgroup2MountPoint(hybrid.replace('cgroup2 cgroup2', 'tmpfs tmpfs'))).toBeUndefined();
    expect(() => parseMountInfo('1 2 3\n')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
  });
});
