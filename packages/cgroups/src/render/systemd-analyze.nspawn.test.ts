// Differential test of the resource path a JavaScript caller takes (a document → parseResourceLimits →
// systemdProperties / renderServiceDropin) against systemd itself (252 here). Each accepted limit set
// becomes the drop-in of its own `systemd-nspawn@vtcN.service`; `systemd-analyze verify` loads them all
// (with SYSTEMD_UNIT_PATH=DIR: the stock template unit still comes from the system paths) and prints every
// key or value it does not accept on stderr; `systemd --test` dumps what systemd parsed, and every value is
// compared with the one it was meant to have. The `--property=` route carries the same KEY=VALUE strings.
// The other direction: values systemd refuses are refused by the validator, and systemd is shown to refuse
// them in the same run (so the oracle can fail).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ByteLimit,
  DEVICE_LIMITS,
  parseByteSize,
  parseIndexSet,
  parseTimeSpan,
  type RateLimit,
  RESOURCE_LIMITS,
  type ResourceLimitRow,
  type ResourceLimits,
  type ResourceValue,
  resourceValue,
  type TasksLimit,
  unwrap,
  type Valid,
  VoltError,
} from '@volt/core';
import { parseResourceLimits } from '@volt/core/profile';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceDocuments } from '../../test/arbitraries.js';
import { readHostResources } from '../host/resources.js';
import type { HostResources } from './cgroupfs.js';
import { renderServiceDropin, systemdProperties } from './systemd.js';

const ANALYZE = '/usr/bin/systemd-analyze';
const SYSTEMD = '/lib/systemd/systemd';
const UINT64_MAX = '18446744073709551615';
const version = Number(
  /^systemd (\d+)/.exec(spawnSync(ANALYZE, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 0,
);

/** Hand-picked documents at the edges of every row. */
const FIXED: readonly unknown[] = [
  {},
  { delegate: true },
  { delegate: 'no', memory: { min: 1, low: 4096, high: '1.5G', max: '2G' } },
  { memory: { high: 123_456_789, max: 987_654_321 } },
  { memory: { min: '0%', low: '0.01%', high: '12.5%', max: '100%' } },
  { memory: { min: 0, max: 'infinity', swapMax: 0 } },
  { memory: { swapMax: 'infinity', high: 'infinity' } },
  { memory: { max: '125‰', swapMax: '0%' } },
  { cpu: { weight: 'idle' } },
  { cpu: { weight: 1, startupWeight: 10000 } },
  { cpu: { quota: '0.01%' } },
  { cpu: { quota: '12.34%', quotaPeriod: '1ms' } },
  { cpu: { quota: '400%', quotaPeriod: '1s' } },
  { cpu: { quota: '1000000%', quotaPeriod: '1500us' } },
  { cpu: { allowedCpus: '0-3,5,7-9', allowedMemoryNodes: '0' } },
  { cpu: { allowedCpus: [8191] } },
  { io: { weight: 10000, devices: [{ device: '/dev/sda', weight: 1 }] } },
  { io: { devices: [{ device: '/dev/sda', readBandwidthMax: '10M', writeBandwidthMax: 1_500_000 }] } },
  {
    io: {
      devices: [
        { device: '/dev/vda', readIopsMax: 1, writeIopsMax: 'infinity', readBandwidthMax: 'infinity' },
      ],
    },
  },
  { io: { devices: [{ device: '/var/lib/machines', weight: 500 }] } },
  { tasks: { max: 1 } },
  { tasks: { max: 4_194_304 } },
  { tasks: { max: '50%' } },
  { tasks: { max: '0%' } },
  { tasks: { max: 'infinity' } },
];

/** Values systemd refuses: the validator refuses each, and systemd-analyze is shown to complain. */
const REFUSED: readonly (readonly [key: string, value: string])[] = [
  ['memory.max', '0'],
  ['memory.max', '0%'],
  ['memory.high', '0'],
  ['memory.high', '0%'],
  ['memory.max', '2GB'],
  ['memory.max', '101%'],
  ['cpu.weight', '0'],
  ['cpu.weight', '10001'],
  ['cpu.quota', '0%'],
  ['io.weight', '0'],
  ['tasks.max', '0'],
  ['tasks.max', '-1'],
];

const GENERATED = fc.sample(resourceDocuments, {
  numRuns: Math.ceil((120 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
  seed: 20261202,
});

interface Rendered {
  readonly document: unknown;
  readonly limits: Valid<ResourceLimits>;
}

/** What the library path makes of each candidate: rendered, or refused for this systemd with a reason. */
const rendered: Rendered[] = [];
const refusedForThisSystemd: string[] = [];
for (const document of [...FIXED, ...GENERATED]) {
  const limits = unwrap(parseResourceLimits(document));
  try {
    systemdProperties(limits, { systemdVersion: version });
    rendered.push({ document, limits });
  } catch (error) {
    if (!VoltError.isInstance(error) || error.code !== 'UNSUPPORTED') throw error;
    refusedForThisSystemd.push(error.message);
  }
}

let workDir = '';
let host: HostResources = {};
const unit = (index: number) => `systemd-nspawn@vtc${index}.service`;
const REFUSED_UNIT = unit(9999);

beforeAll(async () => {
  host = await readHostResources();
  workDir = mkdtempSync(join(tmpdir(), 'vtc-analyze-'));
  chmodSync(workDir, 0o755);
  rendered.forEach(({ limits }, index) => {
    const dir = join(workDir, `${unit(index)}.d`);
    mkdirSync(dir);
    writeFileSync(join(dir, '50-volt-resources.conf'), renderServiceDropin(limits));
  });
  const refused = join(workDir, `${REFUSED_UNIT}.d`);
  mkdirSync(refused);
  REFUSED.forEach(([key, value], index) => {
    const row = RESOURCE_LIMITS.find((candidate) => candidate.key === key) as ResourceLimitRow;
    writeFileSync(
      join(refused, `${String(index).padStart(2, '0')}.conf`),
      `[Service]\n${row.systemd}=${value}\n`,
    );
  });
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function verify(units: readonly string[]): string[] {
  const run = spawnSync(ANALYZE, ['verify', ...units], {
    env: { ...process.env, SYSTEMD_UNIT_PATH: `${workDir}:`, SYSTEMD_LOG_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  expect(run.error).toBeUndefined();
  return run.stderr.split('\n').filter((line) => line.includes(workDir));
}

/** What `systemd --test` parsed for one unit: its fields, every value of each in order. */
function dump(name: string): Map<string, string[]> {
  const run = spawnSync(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      SYSTEMD,
      '--test',
      '--system',
      `--unit=${name}`,
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
  const start = run.stdout.indexOf(`-> Unit ${name}:`);
  const end = run.stdout.indexOf('-> Unit ', start + 1);
  const fields = new Map<string, string[]>();
  for (const line of run.stdout.slice(start, end < 0 ? undefined : end).split('\n')) {
    const match = /^\t\t([A-Za-z]+): (.*)$/.exec(line);
    if (match !== null)
      fields.set(match[1] as string, [...(fields.get(match[1] as string) ?? []), match[2] as string]);
  }
  return fields;
}

/** systemd keeps shares of memory and tasks as absolute numbers scaled by this host: allow 0.01%. */
function near(dumped: string | undefined, expected: number): boolean {
  return Math.abs(Number(dumped) - expected) <= expected / 10000 + 4096;
}

/** Whether systemd's dump holds the value a row was rendered from. */
function holds(
  row: ResourceLimitRow,
  value: ResourceValue,
  fields: ReadonlyMap<string, readonly string[]>,
): boolean {
  const dumped = fields.get(row.systemd)?.[0];
  switch (row.kind) {
    case 'flag':
      return dumped === (value ? 'yes' : 'no');
    case 'memory': {
      const limit = value as ByteLimit;
      if (limit.kind === 'bytes') return dumped === String(limit.bytes);
      if (limit.kind === 'infinity') return dumped === UINT64_MAX;
      return near(dumped, ((host.memoryBytes ?? 0) * limit.permyriad) / 10000);
    }
    case 'weight':
      return dumped === String(value);
    case 'cpu-weight':
      return dumped === (value === 'idle' ? '0' : String(value));
    case 'cpu-quota':
      return unwrap(parseTimeSpan(fields.get('CPUQuotaPerSecSec')?.[0] ?? '')) === (value as number) * 100;
    case 'quota-period':
      return unwrap(parseTimeSpan(dumped ?? '')) === value;
    case 'index-set':
      return JSON.stringify(unwrap(parseIndexSet(dumped ?? ''))) === JSON.stringify(value);
    case 'tasks': {
      const tasks = value as TasksLimit;
      if (tasks.kind === 'count') return dumped === String(tasks.count);
      if (tasks.kind === 'infinity') return dumped === UINT64_MAX;
      return near(dumped, ((host.tasksMax ?? 0) * tasks.permyriad) / 10000);
    }
    default:
      return false;
  }
}

/**
 * The same for a device limit: systemd prints `DEVICE VALUE`, rates in its rounded size format, and leaves
 * out an unlimited rate (252 keeps `infinity` as "no limit").
 */
function deviceHolds(device: string, value: number | RateLimit, lines: readonly string[]): boolean {
  const line = lines.find((candidate) => candidate.startsWith(`${device} `));
  if (typeof value !== 'number' && value.kind === 'infinity') return line === undefined;
  if (line === undefined) return false;
  const text = line.slice(device.length + 1);
  if (typeof value === 'number') return text === String(value);
  const shown = parseByteSize(text.replace(/B$/, ''));
  return shown.ok && Math.abs(shown.value - value.perSecond) <= value.perSecond / 20 + 1;
}

describe(`the library path judged by systemd (systemd ${version})`, () => {
  it('has systemd-analyze and systemd to judge with', () => {
    expect(version).toBeGreaterThanOrEqual(252);
    expect(rendered.length).toBeGreaterThan(FIXED.length);
  });

  it(`accepts every key and value of every limit set the validator accepted (${FIXED.length} hand-picked, ${GENERATED.length} generated)`, () => {
    expect(verify(rendered.map((_, index) => unit(index)))).toEqual([]);
    // Only settings this systemd does not read are refused by the renderer, and only with version 252's gaps.
    for (const message of refusedForThisSystemd)
      expect(message).toMatch(/MemoryZSwapMax|StartupCPUWeight=idle/);
  });

  it('refuses every value systemd refuses, and systemd does refuse them', () => {
    for (const [key, value] of REFUSED) {
      const [group, field] = key.split('.') as [string, string];
      const result = parseResourceLimits({ [group]: { [field]: value } });
      expect(result.ok, `${key}=${value}`).toBe(false);
      if (!result.ok) expect(result.error.path).toEqual(['resources', group, field]);
    }
    const complaints = verify([REFUSED_UNIT]);
    expect(complaints.length).toBe(REFUSED.length);
  });

  it('reads back every value that was meant (systemd --test)', () => {
    let compared = 0;
    rendered.forEach(({ document, limits }, index) => {
      const fields = dump(unit(index));
      for (const row of RESOURCE_LIMITS) {
        const value = resourceValue(limits, row.key);
        if (value === undefined || value === false) continue;
        expect(
          holds(row, value, fields),
          `${JSON.stringify(document)}: ${row.systemd} is ${fields.get(row.systemd)}`,
        ).toBe(true);
        compared++;
      }
      for (const device of limits.io?.devices ?? []) {
        for (const row of DEVICE_LIMITS) {
          const value = device[row.key];
          if (value === undefined) continue;
          const lines = fields.get(row.systemd) ?? [];
          expect(deviceHolds(device.device, value, lines), `${row.systemd} is ${lines.join(', ')}`).toBe(
            true,
          );
          compared++;
        }
      }
    });
    expect(compared).toBeGreaterThan(rendered.length);
  });
});
