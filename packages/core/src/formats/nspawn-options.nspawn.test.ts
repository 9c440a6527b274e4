// Differential test: core's parsers against systemd-nspawn 252's own checks of `--machine=`, `--port=` and
// `--network-bridge=`. nspawn runs the safe way (own child cgroup of the cgroup2 mount, private mount
// namespace with cgroup2 at /sys/fs/cgroup, --register=no --keep-unit) against an empty directory: a value
// nspawn accepts gets as far as "doesn't look like it has an OS tree", a refused one stops earlier with the
// option's own message.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeParseProfile } from '../model/profile.js';
import {
  parseAbsolutePath,
  parseEnvironmentVariable,
  parseInterfaceName,
  parseMachineName,
} from '../values/names.js';
import { nspawnBindSpec } from './nspawn.js';

const CGROUP = '/sys/fs/cgroup/unified/vtcore';
const _isRoot = process.getuid?.() === 0;
const _hasNspawn = existsSync('/usr/bin/systemd-nspawn') && existsSync('/sys/fs/cgroup/unified/cgroup.procs');

const OCTAL = 'nspawn reads a leading zero as octal (010 is 8); core refuses the text rather than misread it';
const HEX = 'core reads decimal only; 0x/0o/0b prefixes hide the value from a reader';
const CHARSET =
  "core's interface names are letters, digits, '_', '.' and '-' starting with a letter or digit, so that they are safe in every file and argument list";

interface Option {
  readonly flag: string;
  /** Extra arguments the option needs to be checked at all. */
  readonly needs: readonly string[];
  /** The start of nspawn's message when it refuses the value. */
  readonly refusal: string;
  readonly core: (value: string) => boolean;
  /** The option's value as core writes a value it accepts (the value itself unless said otherwise). */
  readonly written?: (value: string) => string;
  readonly values: readonly string[];
  readonly stricter?: Readonly<Record<string, string>>;
  /**
   * `equal`: core accepts exactly what nspawn accepts. `subset`: core is stricter by design (what every
   * output can carry, normalised paths), so only "core accepts ⇒ nspawn accepts" is asserted.
   */
  readonly relation: 'equal' | 'subset';
}

const OPTIONS: readonly Option[] = [
  {
    flag: '--machine',
    needs: [],
    refusal: 'Invalid machine name',
    relation: 'equal',
    core: (value) => parseMachineName(value).ok,
    values: [
      'web-1',
      'a',
      'A',
      '0',
      'a.b',
      'a.b.c',
      'a--b',
      'Web01',
      'x'.repeat(63),
      'x'.repeat(64),
      'x'.repeat(65),
      'x'.repeat(200),
      'a.'.repeat(32).slice(0, 63),
      'a/b',
      '../etc',
      '/',
      'a b',
      ' a',
      'a\nb',
      'web\n[Exec]',
      'a\tb',
      'a_b',
      'a:b',
      'a=b',
      'a@b',
      'a%b',
      'wéb',
      '-a',
      'a-',
      'a.-b',
      'a-.b',
      'a.',
      'a..',
      '.a',
      'a..b',
      '.host',
      '.',
      '..',
      'localhost',
      '1.2.3.4',
      'xn--bcher-kva',
    ],
  },
  {
    flag: '--port',
    needs: ['--private-network'],
    refusal: 'Failed to parse host port',
    relation: 'equal',
    core: (value) => safeParseProfile({ network: { ports: [value] } }).ok,
    values: [
      '8080',
      '80:8080',
      'tcp:80:8080',
      'udp:53',
      'udp:5353:53',
      'sctp:80',
      'TCP:80',
      '0',
      '1',
      '65535',
      '65536',
      '80:0',
      '0:80',
      ':80',
      '80:',
      'tcp:',
      '+80',
      '080',
      '010',
      '0x50',
      ' 80',
      '80 ',
      'a',
      '1-2',
      '80:8080:9090',
      'tcp:udp:80',
    ],
    stricter: { '010': OCTAL, '0x50': HEX },
  },
  {
    flag: '--network-bridge',
    needs: [],
    refusal: 'Bridge interface name not valid',
    relation: 'equal',
    core: (value) => parseInterfaceName(value).ok,
    values: [
      'voltbr0',
      'br0',
      'a',
      'x'.repeat(15),
      'x'.repeat(16),
      'all',
      'default',
      'alls',
      '123',
      '0',
      'br-1',
      'br_1',
      'br.1',
      '1br',
      '-br',
      '.br',
      '_br',
      'a@b',
      'a+b',
      'a,b',
      'a b',
      'a:b',
      'a/b',
      'a%b',
      '.',
      '..',
      'brü',
      'br\n',
    ],
    stricter: {
      '-br': CHARSET,
      '.br': CHARSET,
      _br: CHARSET,
      'a@b': CHARSET,
      'a+b': CHARSET,
      'a,b': CHARSET,
    },
  },
  {
    flag: '--setenv',
    needs: [],
    refusal: 'Cannot assign environment variable',
    relation: 'subset',
    core: (assignment) => {
      const equals = assignment.indexOf('=');
      return (
        equals > 0 && parseEnvironmentVariable(assignment.slice(0, equals), assignment.slice(equals + 1)).ok
      );
    },
    values: [
      'A=1',
      '_x=y',
      'A=',
      'VOLT_CONTAINER=web',
      'PATH=/usr/bin:/bin',
      'a=b=c',
      'JAVA_OPTS=-Xmx1g',
      '1A=1',
      'A B=1',
      'A-B=1',
      'A=a b',
      'A=$HOME',
      'A=%i',
      'A="q"',
      "A='q' \\ ;",
      'A= padded ',
      'A=a\nb',
      'A=a\tb',
      'A=\u001b[0m',
      'Ä=1',
      'A=ü∞😀',
      '=1',
    ],
  },
  {
    flag: '--bind',
    needs: [],
    refusal: 'Failed to parse --bind(-ro)= argument',
    relation: 'subset',
    core: (path) => parseAbsolutePath(path).ok,
    written: (path) => nspawnBindSpec({ source: path, target: path }),
    values: [
      '/srv/data',
      '/',
      '//',
      '/a/./b//',
      '/var/lib/machines/web-1',
      '/a/../b',
      '/a b',
      '/a%b',
      '/a:b',
      '/a\\b:',
      '/a\\',
      '/"q" \'s\'',
      '/trailing ',
      'relative',
      './a',
      '',
      '/a\nb',
      '/ä',
    ],
  },
];

interface Probe {
  readonly option: Option;
  readonly value: string;
}

const PROBES: readonly Probe[] = OPTIONS.flatMap((option) =>
  option.values.map((value) => ({ option, value })),
);

let workDir = '';

/** Runs nspawn once per probe in one private mount namespace; true where nspawn accepted the value. */
function askNspawn(probes: readonly Probe[]): boolean[] {
  const rootfs = join(workDir, 'empty');
  mkdirSync(rootfs, { recursive: true });
  // Each probe is passed as: <count> <arg>...; the loop runs nspawn with the first <count> arguments only.
  const args = probes.flatMap((probe) => {
    const written = probe.option.core(probe.value)
      ? (probe.option.written?.(probe.value) ?? probe.value)
      : probe.value;
    const probeArgs = [...probe.option.needs, `${probe.option.flag}=${written}`];
    return [String(probeArgs.length), ...probeArgs];
  });
  const outer = `echo $$ > ${CGROUP}/cgroup.procs || exit 90\nexec unshare -m --propagation private sh -c '${nspawnLoop(rootfs).replaceAll("'", "'\\''")}' sh "$@"`;
  const run = spawnSync('sh', ['-c', outer, 'sh', ...args], { encoding: 'utf8', timeout: 120_000 });
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0)
    throw new Error(`the nspawn wrapper failed (${run.status}): ${run.stderr}${run.stdout}`);
  const chunks = run.stdout.split(/\n@@vtcore-end \d+\n/);
  if (chunks.length !== probes.length + 1)
    throw new Error(`expected ${probes.length} answers:\n${run.stdout}`);
  return probes.map((probe, index) => {
    const output = (chunks[index] as string).trim();
    if (output.startsWith(probe.option.refusal)) return false;
    if (output.includes("doesn't look like it has an OS tree")) return true;
    throw new Error(
      `unexpected nspawn output for ${probe.option.flag}=${JSON.stringify(probe.value)}: ${output}`,
    );
  });
}

/**
 * The loop that runs inside the private mount namespace. Its arguments are groups `<count> <arg>...` with a
 * count of 1 or 2; each group becomes one nspawn run with those arguments.
 */
function nspawnLoop(rootfs: string): string {
  return [
    'mount -t cgroup2 none /sys/fs/cgroup || exit 91',
    'i=0',
    'while [ "$#" -gt 0 ]; do',
    '  count=$1; shift',
    '  if [ "$count" -eq 1 ]; then one="$1"; shift',
    `    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --register=no --keep-unit -q -D '${rootfs}' "$one" 2>&1`,
    '  else one="$1"; two="$2"; shift 2',
    `    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --register=no --keep-unit -q -D '${rootfs}' "$one" "$two" 2>&1`,
    '  fi',
    '  printf "\\n@@vtcore-end %s\\n" "$i"; i=$((i + 1))',
    'done',
  ].join('\n');
}

describe('core parsers against systemd-nspawn options (needs root and the cgroup2 mount at /sys/fs/cgroup/unified)', () => {
  let verdicts: boolean[] = [];
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'vtcore-'));
    mkdirSync(CGROUP, { recursive: true });
    verdicts = askNspawn(PROBES);
  });
  afterAll(() => {
    if (existsSync(CGROUP)) rmdirSync(CGROUP);
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it.each(OPTIONS.map((option) => [option.flag, option] as const))(
    '%s: core accepts what nspawn accepts (exactly, or a safe subset where the option says so)',
    (_flag, option) => {
      const mine = PROBES.map((probe, index) => ({ probe, nspawn: verdicts[index] as boolean })).filter(
        ({ probe }) => probe.option === option,
      );
      expect(mine.filter(({ nspawn }) => nspawn).length).toBeGreaterThan(4);
      expect(mine.filter(({ nspawn }) => !nspawn).length).toBeGreaterThan(
        option.relation === 'equal' ? 4 : 0,
      );
      expect(mine.filter(({ probe }) => option.core(probe.value)).length).toBeGreaterThan(3);
      const disagreements: string[] = [];
      for (const { probe, nspawn } of mine) {
        const core = option.core(probe.value);
        const why = option.stricter?.[probe.value];
        if (why !== undefined) {
          if (!(nspawn && !core))
            disagreements.push(`${JSON.stringify(probe.value)}: documented exception no longer holds`);
          continue;
        }
        if (option.relation === 'subset' ? core && !nspawn : core !== nspawn)
          disagreements.push(
            `${JSON.stringify(probe.value)}: nspawn ${nspawn ? 'accepts' : 'refuses'}, core ${core ? 'accepts' : 'refuses'}`,
          );
      }
      expect(disagreements).toEqual([]);
    },
  );
});
