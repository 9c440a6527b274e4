// Differential test of the systemd renderer against systemd itself (252 here). Each limit set becomes the
// drop-in of its own `systemd-nspawn@vtcN.service`; `systemd-analyze verify` loads them all (with
// SYSTEMD_UNIT_PATH=DIR: the stock template unit still comes from the system paths) and prints every key or
// value it does not accept on stderr, with exit code 0. `systemd --test` dumps what systemd parsed, so the
// values can be compared too. The `--property=` route carries the same KEY=VALUE strings.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIndexSet, parseTimeSpan, type ResourceLimits, unwrap } from '@volt/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validLimits } from '../test/arbitraries.js';
import { cgroupfsValues } from './cgroupfs.js';
import { DEFAULT_RESOURCE_LIMITS } from './defaults.js';
import { readHostResources } from './host.js';
import { renderServiceDropin, systemdProperties } from './systemd.js';

const ANALYZE = '/usr/bin/systemd-analyze';
const SYSTEMD = '/lib/systemd/systemd';
const GIB = 1024 ** 3;
const none: ResourceLimits = { delegate: false, memory: {}, cpu: {}, io: { devices: [] }, tasks: {} };
const haveSystemd = spawnSync(ANALYZE, ['--version'], { encoding: 'utf8' }).status === 0;
const version = haveSystemd
  ? Number(/^systemd (\d+)/.exec(spawnSync(ANALYZE, ['--version'], { encoding: 'utf8' }).stdout)?.[1])
  : 0;

const FIXED: readonly (readonly [string, ResourceLimits])[] = [
  ['defaults', DEFAULT_RESOURCE_LIMITS],
  ['nothing', none],
  ['delegate only', { ...none, delegate: true }],
  [
    'memory in bytes',
    {
      ...none,
      memory: {
        min: { kind: 'bytes', bytes: 1 },
        low: { kind: 'bytes', bytes: 4096 },
        high: { kind: 'bytes', bytes: 1.5 * GIB },
        max: { kind: 'bytes', bytes: 2 * GIB },
      },
    },
  ],
  [
    'memory odd byte counts',
    {
      ...none,
      memory: { high: { kind: 'bytes', bytes: 123_456_789 }, max: { kind: 'bytes', bytes: 987_654_321 } },
    },
  ],
  [
    'memory percentages',
    {
      ...none,
      memory: {
        low: { kind: 'percent', permyriad: 1 },
        high: { kind: 'percent', permyriad: 1250 },
        max: { kind: 'percent', permyriad: 10000 },
      },
    },
  ],
  [
    'memory infinity and zero swap',
    {
      ...none,
      memory: {
        min: { kind: 'bytes', bytes: 0 },
        max: { kind: 'infinity' },
        swapMax: { kind: 'bytes', bytes: 0 },
      },
    },
  ],
  ['swap unlimited', { ...none, memory: { swapMax: { kind: 'infinity' } } }],
  ['cpu idle', { ...none, cpu: { weight: 'idle' } }],
  ['cpu weights at the bounds', { ...none, cpu: { weight: 1, startupWeight: 10000 } }],
  ['cpu quota 1%', { ...none, cpu: { quota: 100 } }],
  ['cpu quota 12.34% and 1 ms period', { ...none, cpu: { quota: 1234, quotaPeriodUs: 1000 } }],
  ['cpu quota 400% and 1 s period', { ...none, cpu: { quota: 40000, quotaPeriodUs: 1_000_000 } }],
  ['cpu period 1500us', { ...none, cpu: { quota: 5000, quotaPeriodUs: 1500 } }],
  ['cpu pinning', { ...none, cpu: { allowedCpus: [0, 1, 2, 3, 5, 7, 8, 9], allowedMemoryNodes: [0] } }],
  ['io weights', { ...none, io: { weight: 10000, devices: [{ device: '/dev/sda', weight: 1 }] } }],
  [
    'io bandwidth',
    {
      ...none,
      io: {
        devices: [
          {
            device: '/dev/sda',
            readBandwidthMax: { kind: 'rate', perSecond: 10_000_000 },
            writeBandwidthMax: { kind: 'rate', perSecond: 1_500_000 },
          },
        ],
      },
    },
  ],
  [
    'io iops and infinity',
    {
      ...none,
      io: {
        devices: [
          {
            device: '/dev/vda',
            readIopsMax: { kind: 'rate', perSecond: 1 },
            writeIopsMax: { kind: 'infinity' },
            readBandwidthMax: { kind: 'infinity' },
          },
        ],
      },
    },
  ],
  ['io on a path', { ...none, io: { devices: [{ device: '/var/lib/machines', weight: 500 }] } }],
  ['tasks count', { ...none, tasks: { max: { kind: 'count', count: 1 } } }],
  ['tasks percent', { ...none, tasks: { max: { kind: 'percent', permyriad: 5000 } } }],
  ['tasks infinity', { ...none, tasks: { max: { kind: 'infinity' } } }],
];

/** The generated sets; settings this systemd does not know are dropped (the renderer refuses them). */
function forThisSystemd(limits: ResourceLimits): ResourceLimits {
  if (version >= 253 || limits.memory.zswapMax === undefined) return limits;
  const { zswapMax: _, ...memory } = limits.memory;
  return { ...limits, memory };
}

const GENERATED = fc.sample(validLimits, { numRuns: 60, seed: 20261128 }).map(forThisSystemd);
const ALL: readonly (readonly [string, ResourceLimits])[] = [
  ...FIXED,
  ...GENERATED.map((limits, index) => [`generated ${index}`, limits] as const),
];

let workDir = '';
const unit = (index: number) => `systemd-nspawn@vtc${index}.service`;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'vtc-analyze-'));
  chmodSync(workDir, 0o755);
  ALL.forEach(([, limits], index) => {
    const dir = join(workDir, `${unit(index)}.d`);
    mkdirSync(dir);
    writeFileSync(
      join(dir, '50-volt-resources.conf'),
      renderServiceDropin(limits, { systemdVersion: version }),
    );
  });
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function dump(index: number): Map<string, string> {
  const asNobody = process.getuid?.() === 0;
  const run = spawnSync(
    asNobody ? 'setpriv' : SYSTEMD,
    [
      ...(asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', SYSTEMD] : []),
      '--test',
      '--system',
      `--unit=${unit(index)}`,
      '--no-pager',
    ],
    {
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${workDir}:` },
      encoding: 'utf8',
      cwd: '/',
      maxBuffer: 64 << 20,
    },
  );
  if (run.status !== 0) throw new Error(`systemd --test failed (${run.status}): ${run.stderr}`);
  const start = run.stdout.indexOf(`-> Unit ${unit(index)}:`);
  const end = run.stdout.indexOf('-> Unit ', start + 1);
  const fields = new Map<string, string>();
  for (const line of run.stdout.slice(start, end < 0 ? undefined : end).split('\n')) {
    const match = /^\t\t([A-Za-z]+): (.*)$/.exec(line);
    if (match !== null && !fields.has(match[1] as string)) fields.set(match[1] as string, match[2] as string);
  }
  return fields;
}

describe.skipIf(!haveSystemd)(`the drop-in judged by systemd-analyze verify (systemd ${version})`, () => {
  it(`accepts every key and value of ${ALL.length} limit sets (${FIXED.length} hand-picked, ${GENERATED.length} generated)`, () => {
    const run = spawnSync(ANALYZE, ['verify', ...ALL.map((_, index) => unit(index))], {
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${workDir}:`, SYSTEMD_LOG_COLOR: '0' },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(run.error).toBeUndefined();
    const complaints = run.stderr.split('\n').filter((line) => line.includes(workDir));
    expect(complaints).toEqual([]);
    // The oracle does complain about a bad value in the same setting: the check can fail.
    const probe = join(workDir, `${unit(ALL.length)}.d`);
    mkdirSync(probe);
    writeFileSync(join(probe, 'bad.conf'), '[Service]\nMemoryMax=2GB\nTasksMax=0\nMemoryZSwapMax=1G\n');
    const bad = spawnSync(ANALYZE, ['verify', unit(ALL.length)], {
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${workDir}:`, SYSTEMD_LOG_COLOR: '0' },
      encoding: 'utf8',
    });
    expect(bad.stderr.split('\n').filter((line) => line.includes(probe)).length).toBe(version >= 253 ? 2 : 3);
    rmSync(probe, { recursive: true });
  });

  it('systemd reads back the values that were meant (systemd --test dump)', () => {
    const checked = [
      0,
      3,
      4,
      9,
      11,
      14,
      15,
      19,
      ...GENERATED.slice(0, 12).map((_, index) => FIXED.length + index),
    ];
    let compared = 0;
    for (const index of checked) {
      const [name, limits] = ALL[index] as (typeof ALL)[number];
      const fields = dump(index);
      for (const [key, value] of systemdProperties(limits)) {
        const dumped = fields.get(key);
        const memory = /^Memory(Min|Low|High|Max|SwapMax)$/.exec(key);
        let expected: string | undefined;
        if (memory !== null && /^\d+$/.test(value)) expected = value;
        else if (memory !== null && value === 'infinity') expected = '18446744073709551615';
        else if (memory !== null && /^\d+[KMGTPE]$/.test(value)) {
          const field = ({ Min: 'min', Low: 'low', High: 'high', Max: 'max', SwapMax: 'swapMax' } as const)[
            memory[1] as 'Min'
          ];
          const limit = limits.memory[field];
          expected = limit?.kind === 'bytes' ? String(limit.bytes) : undefined;
        } else if (
          (key === 'CPUWeight' || key === 'StartupCPUWeight' || key === 'IOWeight') &&
          value !== 'idle'
        )
          expected = value;
        else if (key === 'TasksMax' && /^\d+$/.test(value)) expected = value;
        else if (key === 'CPUQuota') {
          // CPUQuotaPerSecSec: the quota as CPU time per second of wall time (150% = 1.5 s).
          const perSecond = unwrap(parseTimeSpan(fields.get('CPUQuotaPerSecSec') ?? ''));
          expect(perSecond, `${name}: ${key}=${value}`).toBe((limits.cpu.quota as number) * 100);
          compared++;
          continue;
        } else if (key === 'AllowedCPUs' || key === 'AllowedMemoryNodes') {
          expect(unwrap(parseIndexSet(dumped ?? '')), `${name}: ${key}`).toEqual(
            unwrap(parseIndexSet(value)),
          );
          compared++;
          continue;
        }
        if (expected === undefined) continue;
        expect(dumped, `${name}: ${key}=${value}`).toBe(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(40);
    console.log(`compared ${compared} values systemd parsed from ${checked.length} drop-ins`);
  });

  it('cgroupfs percentages scale as systemd scales them on this host', async () => {
    const host = await readHostResources();
    const tasksIndex = FIXED.findIndex(([name]) => name === 'tasks percent');
    const memoryIndex = FIXED.findIndex(([name]) => name === 'memory percentages');
    const tasks = new Map(cgroupfsValues((FIXED[tasksIndex] as (typeof FIXED)[number])[1], host));
    expect(tasks.get('pids.max')).toBe(dump(tasksIndex).get('TasksMax'));
    const memory = new Map(cgroupfsValues((FIXED[memoryIndex] as (typeof FIXED)[number])[1], host));
    const dumped = dump(memoryIndex);
    // systemd scales sysinfo's page count, MemTotal differs from it by a few pages: allow 0.01%.
    for (const [file, key] of [
      ['memory.low', 'MemoryLow'],
      ['memory.high', 'MemoryHigh'],
      ['memory.max', 'MemoryMax'],
    ] as const) {
      const ours = Number(memory.get(file));
      const theirs = Number(dumped.get(key));
      expect(Math.abs(ours - theirs), `${file}: ${ours} vs ${key}: ${theirs}`).toBeLessThanOrEqual(
        theirs / 10000 + 4096,
      );
    }
  });
});
