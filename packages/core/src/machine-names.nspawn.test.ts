// Differential test: parseMachineName against systemd-nspawn 252's own check of `--machine=`. nspawn runs the
// safe way (own child cgroup of the cgroup2 mount, private mount namespace with cgroup2 at /sys/fs/cgroup,
// --register=no --keep-unit) against an empty directory: a valid name gets as far as "doesn't look like it
// has an OS tree", an invalid one stops at "Invalid machine name".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMachineName } from './names.js';

const CGROUP = '/sys/fs/cgroup/unified/vtcore';
const isRoot = process.getuid?.() === 0;
const hasNspawn = existsSync('/usr/bin/systemd-nspawn') && existsSync('/sys/fs/cgroup/unified/cgroup.procs');

const NAMES = [
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
];

interface Verdict {
  readonly name: string;
  readonly accepted: boolean;
  readonly output: string;
}

let workDir = '';

/** Asks systemd-nspawn about every name in one private mount namespace; one verdict per name. */
function askNspawn(names: readonly string[]): Verdict[] {
  const rootfs = join(workDir, 'empty');
  mkdirSync(rootfs, { recursive: true });
  const inner = [
    'mount -t cgroup2 none /sys/fs/cgroup || exit 91',
    'i=0',
    'for name in "$@"; do',
    `  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --register=no --keep-unit -q -D '${rootfs}' --machine="$name" 2>&1`,
    '  printf "\\n@@vtcore-end %s\\n" "$i"; i=$((i + 1))',
    'done',
  ].join('\n');
  const outer = `echo $$ > ${CGROUP}/cgroup.procs || exit 90\nexec unshare -m --propagation private sh -c '${inner.replaceAll("'", "'\\''")}' sh "$@"`;
  const run = spawnSync('sh', ['-c', outer, 'sh', ...names], { encoding: 'utf8', timeout: 60_000 });
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0)
    throw new Error(`the nspawn wrapper failed (${run.status}): ${run.stderr}${run.stdout}`);
  const chunks = run.stdout.split(/\n@@vtcore-end \d+\n/);
  if (chunks.length !== names.length + 1) throw new Error(`expected ${names.length} answers:\n${run.stdout}`);
  return names.map((name, index) => {
    const output = (chunks[index] as string).trim();
    if (output.startsWith('Invalid machine name')) return { name, accepted: false, output };
    if (output.includes("doesn't look like it has an OS tree")) return { name, accepted: true, output };
    throw new Error(`unexpected nspawn output for ${JSON.stringify(name)}: ${output}`);
  });
}

describe.skipIf(!isRoot || !hasNspawn)(
  'parseMachineName against systemd-nspawn --machine= (needs root and the cgroup2 mount at /sys/fs/cgroup/unified)',
  () => {
    beforeAll(() => {
      workDir = mkdtempSync(join(tmpdir(), 'vtcore-'));
      mkdirSync(CGROUP, { recursive: true });
    });
    afterAll(() => {
      if (existsSync(CGROUP)) rmdirSync(CGROUP);
      if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
    });

    it('accepts exactly the names nspawn accepts', () => {
      const verdicts = askNspawn(NAMES);
      expect(verdicts.filter((verdict) => verdict.accepted).length).toBeGreaterThan(10);
      expect(verdicts.filter((verdict) => !verdict.accepted).length).toBeGreaterThan(20);
      const disagreements = verdicts
        .filter((verdict) => parseMachineName(verdict.name).ok !== verdict.accepted)
        .map(
          (verdict) => `${JSON.stringify(verdict.name)}: nspawn ${verdict.accepted ? 'accepts' : 'rejects'}`,
        );
      expect(disagreements).toEqual([]);
    });
  },
);
