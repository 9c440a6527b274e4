// `volt sandbox run` end to end: the built CLI, the real helper and the real kernel (Landlock ABI >= 4).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

const main = VOLT_BIN;
const probe = spawnSync(
  process.execPath,
  ['-e', "import('@volt/landlock').then(async (l) => console.log((await l.probeLandlock()).abi))"],
  {
    encoding: 'utf8',
  },
);
const abi = Number(probe.stdout.trim());
const reason = !existsSync(main)
  ? 'the CLI is not built'
  : !(abi >= 4)
    ? `Landlock ABI ${abi} < 4`
    : undefined;
if (reason !== undefined) console.warn(`volt sandbox tests skipped: ${reason}`);

const NODE = process.execPath;
const SYSTEM = [
  '--rox',
  '/usr',
  '--rox',
  '/bin',
  '--rox',
  '/lib',
  '--rox',
  '/lib64',
  '--rox',
  dirname(dirname(NODE)),
  '--ignore-missing',
];

function volt(...args: string[]) {
  return spawnSync(NODE, [main, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('volt sandbox run', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vtl-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('allows what the flags grant, denies the rest, prints the status and exits with the workload', () => {
    const run = volt(
      'sandbox',
      'run',
      ...SYSTEM,
      '--rw',
      dir,
      '--',
      'sh',
      '-c',
      `echo in > ${dir}/in; cat /etc/hostname; exit 7`,
    );
    expect(run.status).toBe(7);
    expect(run.stderr).toMatch(/^landlock: fully enforced \(ABI \d+, soft-requirement\)/m);
    expect(run.stderr).toMatch(/cat: \/etc\/hostname: Permission denied/);
    expect(readFileSync(join(dir, 'in'), 'utf8')).toBe('in\n');
  });

  it('prints the status as JSON with --json and reports optional paths that are missing', () => {
    const run = volt('sandbox', 'run', '--json', ...SYSTEM, '--ro', join(dir, 'none'), '--', 'true');
    expect(run.status).toBe(0);
    const status = JSON.parse(run.stderr.trim().split('\n')[0] ?? '');
    expect(status).toMatchObject({ enforcement: 'fully', compatibility: 'soft-requirement' });
    expect(status.dropped).toContainEqual({
      feature: `path:${join(dir, 'none')}`,
      reason: 'optional path does not exist',
    });
  });

  it('restricts TCP binding only when asked, and scopes signals', () => {
    const bind = `require('net').createServer().listen(0,'127.0.0.1',function(){this.close()}).on('error',e=>{console.error(e.code);process.exit(3)})`;
    expect(volt('sandbox', 'run', ...SYSTEM, '--ro', '/etc', '--', NODE, '-e', bind).status).toBe(0);
    const denied = volt(
      'sandbox',
      'run',
      ...SYSTEM,
      '--ro',
      '/etc',
      '--bind-tcp',
      '1',
      '--',
      NODE,
      '-e',
      bind,
    );
    expect({ status: denied.status, stderr: denied.stderr.trim().split('\n').at(-1) }).toEqual({
      status: 3,
      stderr: 'EACCES',
    });
    const signal = volt(
      'sandbox',
      'run',
      ...SYSTEM,
      '--scope',
      'signal',
      '--',
      'sh',
      '-c',
      `kill -0 ${process.pid}`,
    );
    expect(signal.status).not.toBe(0);
    expect(signal.stderr).toMatch(/Operation not permitted/);
  });

  it('exits 2 for usage and policy errors, 1 when the host cannot', () => {
    expect(volt('sandbox', 'run', '--best-effort', '--hard', '--', 'true').status).toBe(2);
    expect(volt('sandbox', 'run', '--bind-tcp', '70000', '--', 'true').status).toBe(2);
    expect(volt('sandbox', 'run', '--rw', 'relative', '--', 'true').status).toBe(2);
    const missing = volt('sandbox', 'run', '--ro', join(dir, 'missing'), '--', 'true');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/INVALID_PATH: .*does not exist \(hint: .*--ignore-missing/);
    // Thread sync needs ABI 8: a hard requirement on an older kernel is the host's failure.
    const future = join(dir, 'future.json');
    writeFileSync(
      future,
      JSON.stringify({ abi: 1, ruleset: [{ handledAccessFs: ['abi.all'] }], volt: { threadSync: true } }),
    );
    const hard = volt('sandbox', 'run', '--hard', '--profile', future, '--', 'true');
    if (abi < 8) {
      expect(hard.status).toBe(1);
      expect(hard.stderr).toMatch(/UNSUPPORTED: .*thread-sync: needs Landlock ABI 8/);
    } else expect(hard.status).toBe(0);
  });

  it('loads a compiled seccomp filter with --seccomp: strict denies unshare, default allows what it must', () => {
    const denied = volt(
      'sandbox',
      'run',
      ...SYSTEM,
      '--seccomp',
      'strict',
      '--',
      'sh',
      '-c',
      'unshare -m true; echo "unshare exit $?"',
    );
    expect(denied.stdout).toContain('unshare exit 1');
    expect(denied.stderr).toMatch(/Operation not permitted/);
    const allowed = volt(
      'sandbox',
      'run',
      ...SYSTEM,
      '--seccomp',
      'default',
      '--',
      'sh',
      '-c',
      'echo still-running',
    );
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('still-running');
    const bad = volt('sandbox', 'run', ...SYSTEM, '--seccomp', 'bogus', '--', 'true');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /INVALID_VALUE at seccomp.profile: "bogus" is not accepted; accepted: strict, default, unconfined/,
    );
  });

  it('reads a landlockconfig policy file', () => {
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        abi: 1,
        ruleset: [{ handledAccessFs: ['abi.all'] }],
        // /bin, /lib and /lib64 are symlinks into /usr on a merged-/usr system: the helper never follows
        // one, so only an optional rule may name them (it is then skipped and reported)
        pathBeneath: [{ allowedAccess: ['abi.read_execute'], parent: ['/usr', '/bin', '/lib', '/lib64'] }],
        volt: { optional: ['/bin', '/lib', '/lib64'], compatibility: 'hard-requirement' },
      }),
    );
    const run = volt('sandbox', 'run', '--profile', file, '--', 'sh', '-c', `echo x > ${dir}/denied`);
    expect(run.stderr).toMatch(/landlock: fully enforced \(ABI \d+, hard-requirement\)/);
    expect(run.stderr).toMatch(/Permission denied/);
    expect(existsSync(join(dir, 'denied'))).toBe(false);
  });

  it('Landlock absent: a clear UNSUPPORTED with what to enable, and --best-effort runs unconfined', async () => {
    // A kernel without Landlock, for real: the CLI runs under a seccomp filter (loaded by the helper after
    // its own Landlock policy) that answers landlock_create_ruleset with ENOSYS, as such a kernel does.
    const { parseSeccompConfig, compileSeccompBpf, seccompArchOfNode } = await import('@volt/seccomp');
    const { runLandlocked, sandboxPolicy } = await import('@volt/landlock');
    const { unwrap } = await import('@volt/core');
    const config = unwrap(
      parseSeccompConfig({
        profile: 'unconfined',
        deny: ['landlock_create_ruleset'],
        action: { errno: 'ENOSYS' },
      }),
    );
    const seccompFilter = compileSeccompBpf(config, unwrap(seccompArchOfNode(process.arch)));
    const policy = sandboxPolicy({
      rwx: ['/'],
      ro: [],
      rox: [],
      rw: [],
      bindTcp: [],
      connectTcp: [],
      scopes: [],
      ignoreMissing: false,
      abi,
    });
    const output = join(dir, 'no-landlock.txt');
    const withoutLandlockFlags = async (flags: readonly string[], ...args: string[]) => {
      const run = await runLandlocked(
        'sh',
        [
          '-c',
          `"$@" > ${output} 2>&1`,
          'sh',
          NODE,
          main,
          'sandbox',
          'run',
          ...SYSTEM,
          ...flags,
          '--',
          ...args,
        ],
        { policy, seccompFilter, fileRights: 'mask', stdio: 'ignore' },
      );
      return { exitCode: run.exitCode, output: readFileSync(output, 'utf8') };
    };
    const refused = await withoutLandlockFlags([], 'true');
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(
      /^volt: UNSUPPORTED: Landlock is not available on this kernel \(ABI 0\): nothing of the policy could be enforced \(hint: Landlock needs Linux 5\.13 or later built with CONFIG_SECURITY_LANDLOCK=y/m,
    );
    const unconfined = await withoutLandlockFlags(['--best-effort'], 'echo', 'ran');
    expect(unconfined.output).toMatch(/^ran$/m);
  });
});
