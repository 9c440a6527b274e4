// Differential test: core's value parsers (through the profile schema, the path real input takes) against
// systemd 252 itself. `systemd-analyze verify` says which values systemd accepts (it prints a warning per
// rejected line on stderr, exit code 0); `systemd --test` (run unprivileged) dumps the parsed unit, which
// gives the value systemd read. Both load `systemd-nspawn@vtcore.service` with a drop-in from a temp dir.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemdTestDump } from '../../test/systemd-test.js';
import {
  checkUnitFileEntry,
  parseUnitFile,
  renderUnitFile,
  type UnitFileEntry,
} from '../formats/unit-file.js';
import {
  formatByteLimit,
  formatIndexSet,
  formatPercentage,
  formatTimeSpan,
  parseIndexSet,
} from '../index.js';
import { type Profile, safeParseProfile } from './profile.js';

const UNIT = 'systemd-nspawn@vtcore.service';
const SYSTEMD = '/lib/systemd/systemd';
const ANALYZE = '/usr/bin/systemd-analyze';
const UINT64_MAX = '18446744073709551615';
const _hasSystemd = existsSync(SYSTEMD) && existsSync(ANALYZE);

/** One systemd key and where the same value goes in a profile document. */
interface Target {
  readonly key: string;
  /** Builds the profile document that carries `value`. */
  readonly profile: (value: string) => unknown;
  /** The value core parsed, in the unit of systemd's dump; undefined when the dump cannot be compared. */
  readonly coreValue?: (profile: Profile) => string | undefined;
  /** Reads systemd's dumped value back into the same unit. */
  readonly dumpValue?: (dumped: string) => string | undefined;
  /** The line systemd reads (defaults to `Key=value`). */
  readonly line?: (value: string) => string;
  readonly values: readonly string[];
  /** Values where core deliberately differs from systemd, each with the reason. */
  readonly stricter?: Readonly<Record<string, string>>;
}

const memory = (field: string) => (value: string) => ({ resources: { memory: { [field]: value } } });
const cpu = (field: string) => (value: string) => ({ resources: { cpu: { [field]: value } } });
const bytesOf = (limit: unknown): string | undefined => {
  const typed = limit as { kind: string; bytes?: number } | undefined;
  if (typed?.kind === 'bytes') return String(typed.bytes);
  if (typed?.kind === 'infinity') return UINT64_MAX;
  return undefined; // a percentage is scaled by this host's memory in the dump
};
const indexSetText = (dumped: string): string | undefined => {
  const parsed = parseIndexSet(dumped);
  return parsed.ok ? parsed.value.join(',') : undefined;
};
// systemd's format_timespan() output, read exactly with BigInt so that core's parseTimeSpan is not its
// own judge: `1min 30.500000s`, `125.500ms`, `2d 3h`.
const DUMP_UNITS_US: Readonly<Record<string, bigint>> = {
  us: 1n,
  ms: 1000n,
  s: 1_000_000n,
  min: 60_000_000n,
  h: 3_600_000_000n,
  d: 86_400_000_000n,
  w: 604_800_000_000n,
  month: 2_629_800_000_000n,
  y: 31_557_600_000_000n,
};
const microseconds = (dumped: string): string | undefined => {
  if (dumped === 'infinity' || dumped === '0') return dumped;
  let total = 0n;
  for (const part of dumped.split(' ')) {
    const match = /^(\d+)(?:\.(\d+))?([a-z]+)$/.exec(part);
    const unit = match === null ? undefined : DUMP_UNITS_US[match[3] as string];
    if (match === null || unit === undefined) return undefined;
    const fraction = match[2] ?? '';
    total +=
      BigInt(match[1] as string) * unit + (BigInt(fraction || '0') * unit) / 10n ** BigInt(fraction.length);
  }
  return String(total);
};

const SIZES = [
  '0',
  '1',
  '512',
  '1K',
  '1k',
  '512M',
  '2G',
  '1.5G',
  '1.29G',
  '1.57K',
  '2G 512M',
  '512M 2G',
  '1G512M',
  '1G 1G',
  '1T 1G 1M 1K 1',
  '1.5G 1.5M',
  '2G\t512M',
  '1 G',
  '10.M',
  '1.',
  '1.5',
  '.5G',
  '1E',
  '1P',
  '7P',
  '8P',
  '15E',
  '16E',
  '9007199254740991',
  '9007199254740992',
  '18446744073709551615',
  '18446744073709551616',
  '1.123456789012345678901G',
  '1.99999999999999999999G',
  'infinity',
  'Infinity',
  '50%',
  '100%',
  '101%',
  '12.5%',
  '12.55%',
  '12.555%',
  '0%',
  '500‰',
  '5000‱',
  '2GB',
  '2gb',
  '2Gi',
  '2 GB',
  '512B',
  '1B',
  '+5M',
  ' 1G',
  '-1',
  '-0',
  '1e9',
  '0x10',
  '1G,',
  '1,5G',
  'G',
  '1M M',
  '１G',
];

const OCTAL =
  'systemd reads a leading zero as octal (010 is 8); core refuses such text rather than read a different number than the author meant';
const HEX = 'core reads decimal only; profiles are read by people, and 0x/0o/0b prefixes hide the value';

const SIZE_STRICTER_TASKS =
  'the kernel refuses pids.max above PID_MAX_LIMIT (4194304), so the limit would never apply';
const SIZE_STRICTER = {
  '1E': 'above 2^53-1 bytes a JavaScript number is no longer exact; core refuses rather than round',
  '8P': 'above 2^53-1 bytes a JavaScript number is no longer exact; core refuses rather than round',
  '15E': 'above 2^53-1 bytes a JavaScript number is no longer exact; core refuses rather than round',
  '9007199254740992':
    'above 2^53-1 bytes a JavaScript number is no longer exact; core refuses rather than round',
};

const TARGETS: readonly Target[] = [
  {
    key: 'MemoryMax',
    profile: memory('max'),
    coreValue: (profile) => bytesOf(profile.resources?.memory?.max),
    dumpValue: (dumped) => dumped,
    values: SIZES,
    stricter: SIZE_STRICTER,
  },
  {
    key: 'MemoryHigh',
    profile: memory('high'),
    coreValue: (profile) => bytesOf(profile.resources?.memory?.high),
    dumpValue: (dumped) => dumped,
    values: ['0', '1', '1.5G', 'infinity', '50%', '2GB'],
  },
  {
    key: 'MemoryLow',
    profile: memory('low'),
    coreValue: (profile) => bytesOf(profile.resources?.memory?.low),
    dumpValue: (dumped) => dumped,
    values: ['0', '1', '1.5G', 'infinity', '0%', '50%', '2GB'],
  },
  {
    key: 'MemorySwapMax',
    profile: memory('swapMax'),
    coreValue: (profile) => bytesOf(profile.resources?.memory?.swapMax),
    dumpValue: (dumped) => dumped,
    values: ['0', '1', '1.5G', 'infinity', '50%', '2GB'],
  },
  {
    key: 'AllowedCPUs',
    profile: cpu('allowedCpus'),
    coreValue: (profile) => profile.resources?.cpu?.allowedCpus?.join(','),
    dumpValue: indexSetText,
    values: [
      '0',
      '0-3,5',
      '3-1',
      '0-3,,5',
      '0 2 4',
      '0-3 5',
      '1,2,3',
      '3,2,1',
      '1 , 2',
      '0-0',
      '0,0',
      ',0',
      '0,',
      '0-',
      '-1',
      '1--3',
      '0-3-5',
      '0x1',
      '+1',
      '007',
      '010',
      '08',
      '00',
      '+1-+3',
      '1-+3',
      '8191',
      '0-8191',
      '8192',
      '0-8192',
      '99999',
      'a',
      'all',
      '0-3,5\t7',
    ],
    stricter: { '0x1': HEX, '007': OCTAL, '010': OCTAL, '00': OCTAL },
  },
  {
    key: 'AllowedMemoryNodes',
    profile: cpu('allowedMemoryNodes'),
    coreValue: (profile) => profile.resources?.cpu?.allowedMemoryNodes?.join(','),
    dumpValue: indexSetText,
    values: ['0', '0-1', '1-0', '0,,1', 'x'],
  },
  {
    key: 'CPUWeight',
    profile: cpu('weight'),
    coreValue: (profile) => {
      const weight = profile.resources?.cpu?.weight;
      return weight === 'idle' ? '0' : weight === undefined ? undefined : String(weight);
    },
    dumpValue: (dumped) => dumped,
    values: [
      '0',
      '1',
      '100',
      '10000',
      '10001',
      'idle',
      'Idle',
      '-1',
      '+5',
      '05',
      '010',
      '0x10',
      '1.5',
      '1e3',
      '99999999999999999999',
    ],
    stricter: { '05': OCTAL, '010': OCTAL, '0x10': HEX },
  },
  {
    key: 'StartupCPUWeight',
    profile: cpu('startupWeight'),
    coreValue: (profile) => {
      const weight = profile.resources?.cpu?.startupWeight;
      return weight === 'idle' ? '0' : weight === undefined ? undefined : String(weight);
    },
    dumpValue: (dumped) => dumped,
    values: ['0', '1', '10000', '10001', 'idle'],
  },
  {
    key: 'IOWeight',
    profile: (value) => ({ resources: { io: { weight: value } } }),
    coreValue: (profile) => String(profile.resources?.io?.weight),
    dumpValue: (dumped) => dumped,
    values: ['0', '1', '100', '10000', '10001', 'idle'],
  },
  {
    key: 'TasksMax',
    profile: (value) => ({ resources: { tasks: { max: value } } }),
    coreValue: (profile) => {
      const max = profile.resources?.tasks?.max;
      if (max?.kind === 'count') return String(max.count);
      if (max?.kind === 'infinity') return UINT64_MAX;
      return undefined; // a percentage is scaled by this host's pid limit in the dump
    },
    dumpValue: (dumped) => dumped,
    values: [
      '0',
      '1',
      '16384',
      '4194304',
      '4194305',
      '18446744073709551614',
      'infinity',
      '50%',
      '0%',
      '100%',
      '101%',
      '12.5%',
      '500‰',
      '5000‱',
      '-1',
      '+5',
      '010',
      '0x10',
      '1.5',
      '1K',
      'abc',
    ],
    stricter: {
      '010': OCTAL,
      '0x10': HEX,
      '4194305': SIZE_STRICTER_TASKS,
      '18446744073709551614': SIZE_STRICTER_TASKS,
    },
  },
  {
    key: 'CPUQuota',
    profile: cpu('quota'),
    coreValue: (profile) => {
      const quota = profile.resources?.cpu?.quota;
      return quota === undefined ? undefined : String(quota * 100);
    },
    dumpValue: microseconds,
    values: [
      '0%',
      '1%',
      '50%',
      '100%',
      '150%',
      '1000%',
      '20000%',
      '12.5%',
      '12.55%',
      '12.555%',
      '0.5%',
      '0.01%',
      '50',
      '50 %',
      '-10%',
      '+10%',
      '500‰',
      '5000‱',
      '010%',
      '08%',
      '0x10%',
      '1e2%',
      '%',
      'infinity',
      '21474836.47%',
      '21474836.48%',
    ],
    stricter: { '010%': OCTAL, '0x10%': HEX },
  },
  {
    key: 'CPUQuotaPeriodSec',
    profile: cpu('quotaPeriod'),
    coreValue: (profile) => {
      const period = profile.resources?.cpu?.quotaPeriod;
      return period === undefined ? undefined : String(period);
    },
    dumpValue: microseconds,
    values: [
      '0',
      '1',
      '100',
      '0.1',
      '1ms',
      '100ms',
      '1s',
      '10s',
      '1.5s',
      '1.29s',
      '1.0157ms',
      '1.0157s',
      '0.29s',
      '2.5M',
      '1.5y',
      '1 2',
      '1us',
      '1000us',
      '1µs',
      '1μs',
      '1min',
      '1m30s',
      '1h',
      '1d',
      '1w',
      '1M',
      '1y',
      '5ns',
      '5nsec',
      '1s 500ms',
      '1s500ms',
      '1 s',
      '5 .5s',
      '.5s',
      '5.',
      '+1s',
      '-1s',
      '1S',
      '1sec',
      '1secs',
      '1e3',
      'abc',
      'infinity',
    ],
    stricter: {
      infinity:
        'core has no "infinity" period (systemd reads it as "the default"); leave the field out instead',
    },
  },
  {
    key: 'IOReadBandwidthMax',
    line: (value) => `IOReadBandwidthMax=/dev/null ${value}`,
    profile: (value) => ({
      resources: { io: { devices: [{ device: '/dev/null', readBandwidthMax: value }] } },
    }),
    values: ['10M', '1.5K', '1.57K', 'infinity', '0', '2MB', '1G 1M', '50%'],
  },
];

interface Probe {
  readonly target: Target;
  readonly value: string;
  readonly line: string;
}

const PROBES: readonly Probe[] = TARGETS.flatMap((target) =>
  target.values.map((value) => ({
    target,
    value,
    line: target.line?.(value) ?? `${target.key}=${value}`,
  })),
);

let workDir = '';

function entryOf(line: string): UnitFileEntry {
  const equals = line.indexOf('=');
  return [line.slice(0, equals), line.slice(equals + 1)];
}

/**
 * Writes the probe drop-in. `raw` writes the lines as they are (the verify run probes values such as ` 1G`
 * that core's renderer refuses to write); otherwise the file goes through renderUnitFile, which must read
 * back with parseUnitFile to the same entries.
 */
function writeDropIn(lines: readonly string[], raw: boolean): string {
  const dropInDir = join(workDir, `${UNIT}.d`);
  rmSync(dropInDir, { recursive: true, force: true });
  mkdirSync(dropInDir, { recursive: true });
  chmodSync(dropInDir, 0o755);
  const file = join(dropInDir, '50-probe.conf');
  const entries = lines.map(entryOf);
  const text = raw
    ? `[Service]\n${lines.join('\n')}\n`
    : renderUnitFile({ sections: [{ name: 'Service', entries }] });
  if (!raw)
    expect(parseUnitFile(text)).toEqual({ ok: true, value: { sections: [{ name: 'Service', entries }] } });
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

/** Runs `systemd-analyze verify` once over every probe; returns systemd's complaint per probe (or none). */
function verifyAll(probes: readonly Probe[]): (string | undefined)[] {
  const file = writeDropIn(
    probes.map((probe) => probe.line),
    true,
  );
  const run = spawnSync(ANALYZE, ['verify', UNIT], {
    env: { ...process.env, SYSTEMD_UNIT_PATH: `${workDir}:`, SYSTEMD_LOG_COLOR: '0' },
    encoding: 'utf8',
  });
  if (run.error !== undefined) throw run.error;
  const complaints: (string | undefined)[] = probes.map(() => undefined);
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith(`${file}:`)) continue;
    const match = /^:(\d+): (.*)$/.exec(line.slice(file.length));
    if (match === null) continue;
    const index = Number(match[1]) - 2; // line 1 is [Service]
    if (index < 0 || index >= probes.length) throw new Error(`unexpected line in verify output: ${line}`);
    complaints[index] = match[2];
  }
  return complaints;
}

/** Runs `systemd --test` over one drop-in and returns the unit's dumped `Key: value` lines. */
function dumpUnit(lines: readonly string[]): Map<string, string> {
  writeDropIn(lines, false);
  const { fields } = systemdTestDump(workDir, UNIT);
  return new Map([...fields].map(([name, values]) => [name, values[0] as string]));
}

/** The classes of input where core is deliberately stricter than systemd; see OCTAL and HEX above. */
function deliberateDifference(key: string, value: string, coreMessage: string): string | undefined {
  const base0 = ['AllowedCPUs', 'CPUWeight', 'TasksMax', 'CPUQuota'].includes(key);
  if (base0 && /0[xXoObB]/.test(value)) return HEX;
  if (base0 && /(^|[^0-9.])0\d/.test(value)) return OCTAL;
  if (key === 'MemoryMax' && coreMessage.includes('too large')) return SIZE_STRICTER['8P'];
  if (key === 'AllowedCPUs' && /^[\s,]*$/.test(value))
    return 'a list of separators only is an empty set, which systemd reads as "reset"; core refuses it (leave the field out)';
  if (key === 'TasksMax' && /^\+?\d+$/.test(value) && BigInt(value) > 4194304n) return SIZE_STRICTER_TASKS;
  if (key === 'CPUQuotaPeriodSec' && coreMessage.includes('is not a CPU quota period'))
    return 'a period outside 1ms..1s: systemd clamps it silently to that range, so the period would not be the one written; core refuses it';
  if (key === 'CPUQuota' && coreMessage.includes('up to 1000000%'))
    return 'a quota above 1000000% (10000 CPUs): systemd reads up to INT_MAX permyriad; core caps it at 10000 CPUs';
  return undefined;
}

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
/** Plausible sizes: components such as `12.5G 7M`, with fractions of up to 7 digits. */
const SIZE_SHAPED = fc
  .array(
    fc
      .tuple(
        digits(1, 4),
        fc.option(digits(0, 7)),
        fc.constantFrom('', ' '),
        fc.constantFrom('', 'E', 'P', 'T', 'G', 'M', 'K', 'B'),
      )
      .map(
        ([whole, fraction, space, suffix]) =>
          `${whole}${fraction === null ? '' : `.${fraction}`}${space}${suffix}`,
      ),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => parts.join(' '));
/** Plausible time spans: components such as `1.0157s 20ms`. */
const SPAN_SHAPED = fc
  .array(
    fc
      .tuple(
        digits(0, 4),
        fc.option(digits(1, 7)),
        fc.constantFrom('', 'us', 'ms', 's', 'min', 'h', 'd', 'msec', 'sec', 'm'),
      )
      .map(([whole, fraction, unit]) => `${whole}${fraction === null ? '' : `.${fraction}`}${unit}`),
    { minLength: 1, maxLength: 3 },
  )
  .map((parts) => parts.join(' '));
/** Plausible shares: `12.55%`, `125‰`, `1250‱`. */
const SHARE_SHAPED = fc
  .tuple(digits(1, 6), fc.option(digits(1, 3)), fc.constantFrom('%', '‰', '‱'))
  .map(([whole, fraction, unit]) => `${whole}${fraction === null ? '' : `.${fraction}`}${unit}`);

/** Generated values for one key, from an alphabet of the characters its syntax uses (fixed seed). */
function generated(key: string, alphabet: string | fc.Arbitrary<string>, seed: number): Probe[] {
  const target = TARGETS.find((candidate) => candidate.key === key) as Target;
  const arbitrary =
    typeof alphabet === 'string'
      ? fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 9 })
      : alphabet;
  const values = fc.sample(arbitrary, {
    seed,
    numRuns: Math.ceil((160 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
  });
  const unique = [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))];
  return unique.map((value) => ({ target, value, line: `${key}=${value}` }));
}

function coreParse(probe: Probe) {
  return safeParseProfile(probe.target.profile(probe.value));
}

describe(`core's value parsers and formatters against systemd 252 (${UNIT}; needs systemd-analyze and ${SYSTEMD})`, () => {
  let verdicts: (string | undefined)[] = [];

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'vtcore-'));
    chmodSync(workDir, 0o755);
    verdicts = verifyAll(PROBES);
  });
  afterAll(() => {
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it('the oracle is alive: systemd-analyze loads the drop-in and rejects known-bad lines', () => {
    const known = verifyAll([
      { target: TARGETS[0] as Target, value: '2GB', line: 'MemoryMax=2GB' },
      { target: TARGETS[0] as Target, value: '2G', line: 'MemoryMax=2G' },
    ]);
    expect(known[0]).toMatch(/Invalid memory limit '2GB'/);
    expect(known[1]).toBeUndefined();
    expect(PROBES.length).toBeGreaterThan(150);
    expect(TARGETS[0]?.values.length).toBeGreaterThanOrEqual(40);
  });

  it('core accepts exactly the values systemd accepts (documented exceptions aside)', () => {
    const disagreements: string[] = [];
    const exceptions: string[] = [];
    for (const [index, probe] of PROBES.entries()) {
      const systemdAccepts = verdicts[index] === undefined;
      const result = coreParse(probe);
      const why =
        probe.target.stricter?.[probe.value] ??
        (result.ok || !systemdAccepts
          ? undefined
          : deliberateDifference(probe.target.key, probe.value, result.error.message));
      if (why !== undefined) {
        exceptions.push(
          `${probe.line}: systemd ${systemdAccepts ? 'accepts' : 'rejects'}, core ${result.ok ? 'accepts' : 'rejects'}`,
        );
        if (!(systemdAccepts && !result.ok))
          disagreements.push(`${probe.line}: documented exception no longer holds`);
        continue;
      }
      if (systemdAccepts !== result.ok) {
        disagreements.push(
          `${JSON.stringify(probe.line)}: systemd ${systemdAccepts ? 'accepts' : `rejects (${verdicts[index]})`}, core ${result.ok ? 'accepts' : `rejects (${result.error.code}: ${result.error.message})`}`,
        );
      }
    }
    console.log(`documented exceptions (core stricter):\n  ${exceptions.join('\n  ')}`);
    expect(disagreements).toEqual([]);
  });

  it('where both accept, core reads the same value systemd reads', () => {
    const unwritable = PROBES.filter((probe) => {
      const [key, value] = entryOf(probe.line);
      return !checkUnitFileEntry(key, value).ok;
    }).map((probe) => probe.line);
    // systemd strips white space around a value, so renderUnitFile refuses to write it (it would not read
    // back the same); a tab inside a value is written as it is.
    expect(unwritable).toEqual(['MemoryMax= 1G']);
    const comparable = PROBES.filter(
      (probe, index) =>
        !unwritable.includes(probe.line) &&
        verdicts[index] === undefined &&
        probe.target.coreValue !== undefined &&
        probe.target.dumpValue !== undefined &&
        coreParse(probe).ok,
    );
    // One `systemd --test` run per round, each round holding at most one probe per key.
    const rounds: Probe[][] = [];
    const perKey = new Map<string, number>();
    for (const probe of comparable) {
      const round = perKey.get(probe.target.key) ?? 0;
      perKey.set(probe.target.key, round + 1);
      const members = rounds[round] ?? [];
      members.push(probe);
      rounds[round] = members;
    }
    const mismatches: string[] = [];
    let compared = 0;
    for (const round of rounds) {
      const fields = dumpUnit(round.map((probe) => probe.line));
      for (const probe of round) {
        const result = coreParse(probe);
        const ours = result.ok ? probe.target.coreValue?.(result.value) : undefined;
        if (ours === undefined) continue;
        const dumpKey = probe.target.key === 'CPUQuota' ? 'CPUQuotaPerSecSec' : probe.target.key;
        const dumped = fields.get(dumpKey);
        const theirs = dumped === undefined ? undefined : probe.target.dumpValue?.(dumped);
        compared++;
        if (ours !== theirs) mismatches.push(`${probe.line}: systemd read ${dumped}, core read ${ours}`);
      }
    }
    console.log(`compared ${compared} values in ${rounds.length} systemd --test runs`);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(60);
  });
  it('generated input: core accepts what systemd accepts and reads the same value', () => {
    const probes = [
      ...generated('MemoryMax', SIZE_SHAPED, 7),
      ...generated('CPUQuotaPeriodSec', SPAN_SHAPED, 8),
      ...generated('CPUQuota', SHARE_SHAPED, 9),
      ...generated('MemoryMax', '0123456789 .+-KMGTPEBk%', 1),
      ...generated('AllowedCPUs', '0123456789 ,-+x', 2),
      ...generated('CPUQuota', '0123456789.+-%‰‱ ', 3),
      ...generated('CPUQuotaPeriodSec', '0123456789 .+-smhdwyuMnµμ', 4),
      ...generated('CPUWeight', '0123456789+-x', 5),
      ...generated('TasksMax', '0123456789+-%', 6),
    ].filter((probe) => checkUnitFileEntry(probe.target.key, probe.value).ok);
    const answers = verifyAll(probes);
    const disagreements: string[] = [];
    const bothAccept: Probe[] = [];
    const accepted = { systemd: 0, core: 0 };
    for (const [index, probe] of probes.entries()) {
      const systemdAccepts = answers[index] === undefined;
      const result = coreParse(probe);
      if (systemdAccepts) accepted.systemd++;
      if (result.ok) accepted.core++;
      if (systemdAccepts === result.ok) {
        if (result.ok) bothAccept.push(probe);
        continue;
      }
      const why = deliberateDifference(probe.target.key, probe.value, result.ok ? '' : result.error.message);
      if (why !== undefined && systemdAccepts) continue;
      disagreements.push(
        `${JSON.stringify(probe.line)}: systemd ${systemdAccepts ? 'accepts' : `rejects (${answers[index]})`}, core ${result.ok ? 'accepts' : `rejects (${result.error.message})`}`,
      );
    }
    console.log(
      `generated ${probes.length} values: systemd accepted ${accepted.systemd}, core ${accepted.core}, both ${bothAccept.length}`,
    );
    expect(disagreements).toEqual([]);
    expect(bothAccept.length).toBeGreaterThan(100);

    const perKey = new Map<string, Probe[]>();
    for (const probe of bothAccept)
      perKey.set(probe.target.key, [...(perKey.get(probe.target.key) ?? []), probe]);
    const mismatches: string[] = [];
    for (let round = 0; round < 40; round++) {
      const members = [...perKey.values()].flatMap((list) =>
        list[round] === undefined ? [] : [list[round] as Probe],
      );
      if (members.length === 0) break;
      const fields = dumpUnit(members.map((probe) => probe.line));
      for (const probe of members) {
        const result = coreParse(probe);
        const ours = result.ok ? probe.target.coreValue?.(result.value) : undefined;
        if (ours === undefined) continue;
        const dumpKey = probe.target.key === 'CPUQuota' ? 'CPUQuotaPerSecSec' : probe.target.key;
        const dumped = fields.get(dumpKey);
        const theirs = dumped === undefined ? undefined : probe.target.dumpValue?.(dumped);
        if (ours !== theirs) mismatches.push(`${probe.line}: systemd read ${dumped}, core read ${ours}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("core's formatters write what systemd reads back as the same value (generated values)", () => {
    const sample = fc.sample(
      fc.record({
        bytes: fc.oneof(
          fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          fc
            .tuple(fc.integer({ min: 1, max: 4095 }), fc.integer({ min: 0, max: 4 }))
            .map(([n, p]) => n * 1024 ** p),
        ),
        quota: fc.integer({ min: 1, max: 2_147_483_647 }),
        cpus: fc.uniqueArray(fc.integer({ min: 0, max: 8191 }), { minLength: 1, maxLength: 40 }),
        period: fc.oneof(
          fc.integer({ min: 0, max: 10 ** 12 }),
          fc.integer({ min: 0, max: 1000 }).map((n) => n * 1000),
        ),
        weight: fc.integer({ min: 1, max: 10000 }),
      }),
      { seed: 20261128, numRuns: Math.ceil((40 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100) },
    );
    const mismatches: string[] = [];
    for (const values of sample) {
      const cpus = [...values.cpus].sort((a, b) => a - b);
      const written = {
        MemoryMax: formatByteLimit({ kind: 'bytes', bytes: values.bytes }),
        CPUQuota: formatPercentage(values.quota),
        AllowedCPUs: formatIndexSet(cpus),
        CPUQuotaPeriodSec: formatTimeSpan(values.period),
        CPUWeight: String(values.weight),
      };
      const fields = dumpUnit(Object.entries(written).map(([key, value]) => `${key}=${value}`));
      const expected = {
        MemoryMax: String(values.bytes),
        CPUQuotaPerSecSec: String(values.quota * 100),
        AllowedCPUs: cpus.join(','),
        CPUQuotaPeriodSec: String(values.period),
        CPUWeight: String(values.weight),
      };
      const read = {
        MemoryMax: fields.get('MemoryMax'),
        CPUQuotaPerSecSec: microseconds(fields.get('CPUQuotaPerSecSec') ?? ''),
        AllowedCPUs: indexSetText(fields.get('AllowedCPUs') ?? ''),
        CPUQuotaPeriodSec: microseconds(fields.get('CPUQuotaPeriodSec') ?? ''),
        CPUWeight: fields.get('CPUWeight'),
      };
      if (JSON.stringify(read) !== JSON.stringify(expected))
        mismatches.push(`wrote ${JSON.stringify(written)}, systemd read ${JSON.stringify(read)}`);
    }
    expect(mismatches).toEqual([]);
  });
});
