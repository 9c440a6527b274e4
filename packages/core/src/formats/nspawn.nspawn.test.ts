// Proof against systemd-nspawn itself (252 here) that core's formats carry any free text and any path
// exactly, on both routes: the command line (nspawnCommandArguments, nspawnSetenvArgument, nspawnBindSpec)
// and a trusted `.nspawn` file (nspawnSettingsWords, nspawnSettingsWord, nspawnBindSpec, rendered by
// renderSectionedUnitFile). One real container per route runs every string at once: its payload (busybox
// sh, started by a program path that itself needs quoting) copies /proc/1/cmdline and /proc/1/environ,
// NUL-separated, to a bound directory and lists the marker files it finds behind each bind mount; all of it
// must equal the input byte for byte. Values written by hand in nspawn's syntax (not by Volt's writers) must
// reach the container as core's readers (parseNspawnSettingsWords, parseNspawnBindSpec) read them. nspawn
// runs the safe way (shared facts): its own child cgroup of the
// cgroup2 mount, a private mount namespace with cgroup2 at /sys/fs/cgroup, --register=no --keep-unit.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_TEXT, freeTextArbitrary, pathArbitrary } from '../../test/text-arbitraries.js';
import { unwrap } from '../errors.js';
import { parseAbsolutePath, parseEnvironmentVariable } from '../values/names.js';
import { parseFreeText } from '../values/text.js';
import {
  type NspawnBind,
  nspawnBindSpec,
  nspawnCommandArguments,
  nspawnSetenvArgument,
  nspawnSettingsWord,
  nspawnSettingsWords,
  parseNspawnBindSpec,
  parseNspawnSettingsWords,
} from './nspawn.js';
import { renderSectionedUnitFile } from './unit-file.js';

const MACHINE = 'vtcore18';
const CGROUP_ROOT = '/sys/fs/cgroup/unified';

/** Paths at the edges: the bind spec's `:` and `\`, and white space at either end of a component. */
const EDGE_PATHS: readonly string[] = [
  '/a:b',
  '/a\\b',
  '/end\\',
  '/c:\\:',
  '/trailing ',
  '/tab\t',
  '/ lead/"q"/%i/$HOME',
  '/ü∞😀/\u00a0',
  '/+plus/-minus',
];

const SEED = 20261218;
const texts = [
  ...EDGE_TEXT,
  ...fc.sample(freeTextArbitrary, {
    numRuns: Math.ceil((80 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
    seed: SEED,
  }),
];
const values = [
  ...EDGE_TEXT,
  ...fc.sample(freeTextArbitrary, {
    numRuns: Math.ceil((80 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
    seed: SEED + 1,
  }),
];
const targets = [
  ...EDGE_PATHS,
  ...fc.sample(pathArbitrary, {
    numRuns: Math.ceil((12 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
    seed: SEED + 2,
  }),
];
const sources = [
  ...EDGE_PATHS,
  ...fc.sample(pathArbitrary, {
    numRuns: Math.ceil((12 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
    seed: SEED + 3,
  }),
];

/** A program path that needs quoting in every format: a busybox `sh` in an awkward directory. */
const PROGRAM_DIR = `/w d%i"q'\\:x`;
const PROGRAM = `${PROGRAM_DIR}/sh`;
const PROBE = [
  '/bin/busybox cat /proc/1/cmdline > /out/argv',
  '/bin/busybox cat /proc/1/environ > /out/environ',
  "/bin/busybox find /vb -name 'marker-*' -print0 > /out/binds",
].join('\n');

/** A `Parameters=` line and `Environment=` words as a person writes them: quotes joined inside a word. */
const HAND_PARAMETERS = `plain x"y z"'w' "a\\b" '' "it's" 'say "hi"' back\\slash %i $HOME`;
const HAND_ENVIRONMENT = `W1=plain "W2=a b" 'W3="q"' W4=x"y"z W5=\\e`;
/** A bind spec written by hand: `\\` before `:`, before itself and before an ordinary character. */
const handBindSpec = (base: string) => `${base}/hand\\:x\\\\y:/vb/hand\\ed\\:`;

interface Scratch {
  readonly base: string;
  readonly root: string;
  readonly out: string;
  readonly settings: string;
  readonly binds: readonly NspawnBind[];
  /** The bind written by hand, as core reads it. */
  readonly handBind: NspawnBind;
}

let scratch: Scratch | undefined;
let createdSettingsMountPoint = false;

/** Every input is one the parsers accept: the test is about what they accept. */
function checkInputs(): void {
  for (const text of [...texts, ...values]) expect(parseFreeText(text).ok, JSON.stringify(text)).toBe(true);
  for (const [index, value] of values.entries())
    expect(parseEnvironmentVariable(`V${index}`, value).ok).toBe(true);
  for (const path of [...targets, ...sources])
    expect(parseAbsolutePath(path)).toEqual({ ok: true, value: path });
}

function makeScratch(): Scratch {
  const base = mkdtempSync(join(tmpdir(), 'vtcore18-'));
  // The rootfs and the output directory have awkward names too: --directory= and the binds carry them.
  const root = join(base, 'root "r" 100%: é');
  for (const dir of ['bin', 'usr/bin', 'etc', 'proc', 'sys', 'dev', 'run', 'tmp', 'var', 'out', 'vb'])
    mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  mkdirSync(join(root, PROGRAM_DIR));
  symlinkSync('/bin/busybox', join(root, PROGRAM));
  writeFileSync(join(root, 'probe.sh'), `${PROBE}\n`);
  writeFileSync(join(root, 'etc/os-release'), 'ID=vtcore\nNAME="volt core format test"\n');
  const out = join(base, 'out: "o" \\ %');
  mkdirSync(out);
  const settings = join(base, 'settings');
  mkdirSync(settings);
  const binds = sources.map((source, index): NspawnBind => {
    const hostSource = `${base}/src/${index}${source}`;
    mkdirSync(hostSource, { recursive: true });
    writeFileSync(join(hostSource, `marker-${index}`), '');
    return { source: hostSource, target: `/vb/${index}${targets[index % targets.length]}` };
  });
  const handBind = unwrap(parseNspawnBindSpec(handBindSpec(base)));
  expect(handBind).toEqual({ source: `${base}/hand:x\\y`, target: '/vb/handed:' });
  mkdirSync(handBind.source);
  writeFileSync(join(handBind.source, 'marker-hand'), '');
  return { base, root, out, settings, binds, handBind };
}

function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true }))
    if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  rmdirSync(path);
}

const SAFE_NSPAWN = `
cgroup=$1; settings=$2; shift 2
echo $$ > "$cgroup/cgroup.procs" || exit 90
exec unshare -m --propagation private sh -c '
  settings=$1; shift
  mount -t cgroup2 none /sys/fs/cgroup || exit 92
  if [ "$settings" != "-" ]; then mount --bind "$settings" /etc/systemd/nspawn || exit 93; fi
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 exec systemd-nspawn --register=no --keep-unit "$@"' sh "$settings" "$@"
`;

/** What the payload saw: its argv and environment, and the bind targets holding each marker. */
interface Seen {
  readonly argv: readonly string[];
  readonly environment: ReadonlyMap<string, string>;
  readonly markers: readonly string[];
}

function runContainer(box: Scratch, args: readonly string[], settingsFile?: string): Seen {
  rmSync(join(box.out, 'argv'), { force: true });
  rmSync(join(box.settings, `${MACHINE}.nspawn`), { force: true });
  if (settingsFile !== undefined) writeFileSync(join(box.settings, `${MACHINE}.nspawn`), settingsFile);
  const cgroup = join(CGROUP_ROOT, `vtcore18-${process.pid}`);
  mkdirSync(cgroup);
  try {
    const nspawn = ['--quiet', '--console=pipe', `--machine=${MACHINE}`, `--directory=${box.root}`, ...args];
    const run = spawnSync(
      'sh',
      ['-c', SAFE_NSPAWN, 'sh', cgroup, settingsFile === undefined ? '-' : box.settings, ...nspawn],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (run.error !== undefined) throw run.error;
    if (run.status !== 0 || !existsSync(join(box.out, 'argv')))
      throw new Error(`the container failed (${run.status}): ${run.stderr}${run.stdout}`);
  } finally {
    removeCgroup(cgroup);
  }
  const read = (name: string) => readFileSync(join(box.out, name), 'utf8').split('\0').slice(0, -1);
  const environment = new Map(
    read('environ')
      .filter((entry) => /^[VW]\d+=/.test(entry))
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const),
  );
  return { argv: read('argv'), environment, markers: read('binds') };
}

/** Where the payload writes what it saw. */
function outputBind(box: Scratch): NspawnBind {
  return { source: box.out, target: '/out' };
}

const command = [PROGRAM, '/probe.sh', ...texts];
const expectedEnvironment = new Map(values.map((value, index) => [`V${index}`, value] as const));

function expectExact(
  box: Scratch,
  seen: Seen,
  expected: { readonly argv: readonly string[]; readonly environment: ReadonlyMap<string, string> },
): void {
  expect(seen.argv).toEqual(expected.argv);
  expect(seen.environment).toEqual(expected.environment);
  const expectedMarkers = [
    ...box.binds.map((bind, index) => `${bind.target}/marker-${index}`),
    `${box.handBind.target}/marker-hand`,
  ];
  expect([...seen.markers].sort()).toEqual([...expectedMarkers].sort());
}

describe('free text and paths through the real systemd-nspawn (root, nspawn, busybox and cgroup2 at /sys/fs/cgroup/unified)', () => {
  beforeAll(() => {
    checkInputs();
    scratch = makeScratch();
    createdSettingsMountPoint = !existsSync('/etc/systemd/nspawn');
    if (createdSettingsMountPoint) mkdirSync('/etc/systemd/nspawn', { recursive: true });
  });
  afterAll(() => {
    if (scratch !== undefined) rmSync(scratch.base, { recursive: true, force: true });
    if (createdSettingsMountPoint) rmdirSync('/etc/systemd/nspawn');
    rmSync(join('/run/systemd/nspawn/propagate', MACHINE), { recursive: true, force: true });
  });

  it(`the command line carries ${texts.length} arguments, ${values.length} variables and ${sources.length} binds exactly`, () => {
    const box = scratch as Scratch;
    const seen = runContainer(box, [
      '--settings=no',
      `--bind=${nspawnBindSpec(outputBind(box))}`,
      ...values.map((value, index) => nspawnSetenvArgument(`V${index}`, value)),
      ...box.binds.map((bind) => `--bind=${nspawnBindSpec(bind)}`),
      `--bind=${handBindSpec(box.base)}`,
      ...nspawnCommandArguments(command),
    ]);
    expectExact(box, seen, { argv: command, environment: expectedEnvironment });
  });

  it(`a trusted .nspawn file carries the same ${texts.length} arguments, ${values.length} variables and ${sources.length} binds exactly (no % specifiers)`, () => {
    const box = scratch as Scratch;
    const file = renderSectionedUnitFile(
      ['Exec', 'Files', 'Network'],
      [
        { section: 'Exec', key: 'Boot', value: 'no' },
        { section: 'Exec', key: 'Parameters', value: nspawnSettingsWords(command) },
        { section: 'Exec', key: 'Parameters', value: HAND_PARAMETERS },
        ...values.map((value, index) => ({
          section: 'Exec',
          key: 'Environment',
          value: nspawnSettingsWord(`V${index}=${value}`),
        })),
        { section: 'Exec', key: 'Environment', value: HAND_ENVIRONMENT },
        // A bind on the command line would make nspawn ignore the file's binds: all of them are here.
        ...[outputBind(box), ...box.binds].map((bind) => ({
          section: 'Files',
          key: 'Bind',
          value: nspawnBindSpec(bind),
        })),
        { section: 'Files', key: 'Bind', value: handBindSpec(box.base) },
      ],
    );
    expect(file).toContain('%i');
    const seen = runContainer(box, [], file);
    // Parameters= lines add up; the hand-written words come after the command, as core reads them.
    const handWords = unwrap(parseNspawnSettingsWords(HAND_PARAMETERS));
    expect(handWords).toEqual([
      'plain',
      'xy zw',
      'a\\b',
      '',
      "it's",
      'say "hi"',
      'back\\slash',
      '%i',
      '$HOME',
    ]);
    const handVariables = unwrap(parseNspawnSettingsWords(HAND_ENVIRONMENT)).map(
      (word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] as const,
    );
    expect(handVariables).toEqual([
      ['W1', 'plain'],
      ['W2', 'a b'],
      ['W3', '"q"'],
      ['W4', 'xyz'],
      ['W5', '\\e'],
    ]);
    expectExact(box, seen, {
      argv: [...command, ...handWords],
      environment: new Map([...expectedEnvironment, ...handVariables]),
    });
  });
});
