import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { LANDLOCK_FS_RIGHTS, type Valid } from '@volt/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTcp,
  ignoreIfMissing,
  type LandlockFsRight,
  type LandlockPolicy,
  landlockAbiFeatures,
  landlockHelperPath,
  landlockPolicy,
  pathRules,
  prepareLandlock,
  probeLandlock,
  readWrite,
  renderHelperPolicy,
  runLandlocked,
  spawnLandlocked,
  withRestrictFlags,
  withRules,
  withScopes,
} from '../src/index.js';
import { kernelTierReason, makeTempDir, NODE, removeTempDir, runSandboxed, SYSTEM_RULES } from './support.js';

const skip = kernelTierReason();
if (skip !== undefined) console.warn(`landlock kernel tests skipped: ${skip}`);

/** The filesystem rights up to ABI 7 (everything but resolve-unix). */
const ABI7_FS = landlockAbiFeatures(7).fs;

function fsPolicy(dirRights: readonly LandlockFsRight[], dir: string): Valid<LandlockPolicy> {
  const base = landlockPolicy({
    abi: 7,
    compatibility: 'hard-requirement',
    handle: { net: false, scopes: false },
  });
  return withRules(base, SYSTEM_RULES, dirRights.length === 0 ? [] : pathRules([dir], dirRights));
}

interface FsCase {
  /** Other rights the operation needs besides the one under test. */
  readonly needs: readonly LandlockFsRight[];
  readonly setup?: (dir: string) => void;
  readonly script: string;
  /** How a denial shows. */
  readonly denied: RegExp;
  /** How success shows, when the operation fails for another reason even when allowed. */
  readonly allowed?: RegExp;
}

const nodeListen = `const s=require('net').createServer();s.on('error',e=>{console.error(e.message);process.exit(1)});s.listen(process.env.D+'/sock',()=>process.exit(0))`;

const FS_CASES: Record<Exclude<LandlockFsRight, 'resolve-unix'>, FsCase> = {
  execute: {
    // The kernel opens the program for reading as it executes it: READ_FILE is needed too.
    needs: ['read-file'],
    setup: (dir) => {
      copyFileSync('/bin/true', join(dir, 'prog'));
      chmodSync(join(dir, 'prog'), 0o755);
    },
    script: '"$D/prog"',
    denied: /Permission denied/,
  },
  'write-file': {
    needs: [],
    setup: (dir) => writeFileSync(join(dir, 'file'), 'x'),
    script: 'echo more >> "$D/file"',
    denied: /Permission denied/,
  },
  'read-file': {
    needs: [],
    setup: (dir) => writeFileSync(join(dir, 'file'), 'content'),
    script: 'cat "$D/file"',
    denied: /Permission denied/,
  },
  'read-dir': { needs: [], script: 'ls "$D"', denied: /Permission denied/ },
  'remove-dir': {
    needs: [],
    setup: (dir) => mkdirSync(join(dir, 'sub')),
    script: 'rmdir "$D/sub"',
    denied: /Permission denied/,
  },
  'remove-file': {
    needs: [],
    setup: (dir) => writeFileSync(join(dir, 'file'), 'x'),
    script: 'rm -f "$D/file"',
    denied: /Permission denied/,
  },
  'make-char': { needs: [], script: 'mknod "$D/char" c 1 3', denied: /Permission denied/ },
  'make-dir': { needs: [], script: 'mkdir "$D/new"', denied: /Permission denied/ },
  'make-reg': { needs: ['write-file'], script: 'touch "$D/new"', denied: /Permission denied/ },
  'make-sock': { needs: [], script: `"${NODE}" -e "${nodeListen}"`, denied: /permission denied/i },
  'make-fifo': { needs: [], script: 'mkfifo "$D/fifo"', denied: /Permission denied/ },
  'make-block': { needs: [], script: 'mknod "$D/block" b 7 200', denied: /Permission denied/ },
  'make-sym': { needs: [], script: 'ln -s target "$D/link"', denied: /Permission denied/ },
  refer: {
    needs: ['make-reg'],
    setup: (dir) => {
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      writeFileSync(join(dir, 'a', 'file'), 'x');
    },
    script: 'ln "$D/a/file" "$D/b/file"',
    denied: /Invalid cross-device link/,
  },
  truncate: {
    needs: ['write-file'],
    setup: (dir) => writeFileSync(join(dir, 'file'), 'content'),
    script: 'truncate -s 0 "$D/file"',
    denied: /Permission denied/,
  },
  'ioctl-dev': {
    needs: ['read-file', 'write-file'],
    setup: (dir) => {
      const made = spawnSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
      if (made.status !== 0) throw new Error(`mknod failed: ${made.stderr}`);
    },
    // TCGETS on /dev/null: ENOTTY when the ioctl reaches the driver, EACCES when Landlock stops it.
    script: 'stty -F "$D/null"',
    denied: /Permission denied/,
    allowed: /Inappropriate ioctl for device/,
  },
};

describe('Landlock on the real kernel (ABI 7)', () => {
  let dir = '';
  afterEach(() => removeTempDir(dir));

  it('the probe reports ABI 7 or newer with errata', async () => {
    const probe = await probeLandlock();
    expect(probe.abi).toBeGreaterThanOrEqual(7);
    expect(probe.errata).toBeGreaterThanOrEqual(0);
  });

  it('covers every filesystem right up to ABI 7', () => {
    expect(Object.keys(FS_CASES).sort()).toEqual([...ABI7_FS].sort());
    expect(ABI7_FS).toEqual(LANDLOCK_FS_RIGHTS.filter((right) => right !== 'resolve-unix'));
  });

  for (const right of ABI7_FS) {
    const fsCase = FS_CASES[right as keyof typeof FS_CASES];
    for (const granted of [true, false]) {
      it(`${right}: ${granted ? 'allowed when granted' : 'denied when not granted'}`, async () => {
        dir = makeTempDir('fs');
        fsCase.setup?.(dir);
        const rights = granted ? [...fsCase.needs, right] : fsCase.needs;
        const run = await runSandboxed('/bin/sh', ['-c', fsCase.script], fsPolicy(rights, dir), {
          env: { ...process.env, D: dir },
        });
        expect(run.status.enforcement).toBe('fully');
        if (!granted) {
          expect(run.code).not.toBe(0);
          expect(run.stderr).toMatch(fsCase.denied);
        } else if (fsCase.allowed !== undefined) {
          expect(run.stderr).toMatch(fsCase.allowed);
          expect(run.stderr).not.toMatch(fsCase.denied);
        } else {
          expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
        }
      });
    }
  }

  it('a path outside every rule is denied even for reading', async () => {
    dir = makeTempDir('outside');
    writeFileSync(join(dir, 'secret'), 'x');
    const run = await runSandboxed('cat', [join(dir, 'secret')], fsPolicy([], dir));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Permission denied/);
  });
});

function netPolicy(
  handled: LandlockPolicy['handledNet'],
  ports: LandlockPolicy['ports'],
): Valid<LandlockPolicy> {
  const base = landlockPolicy({ abi: 7, compatibility: 'hard-requirement', handle: { scopes: false } });
  return withRules({ ...base, handledNet: handled }, SYSTEM_RULES, ports);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const nodeBind = `const s=require('net').createServer();s.on('error',e=>{console.error(e.code);process.exit(1)});s.listen(+process.env.P,'127.0.0.1',()=>{console.log('bound');s.close()})`;
const nodeConnect = `const c=require('net').connect(+process.env.P,'127.0.0.1',()=>{console.log('connected');c.end()});c.on('error',e=>{console.error(e.code);process.exit(1)})`;

describe('TCP rules on loopback', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('bind-tcp: the granted port binds, another port is denied (EACCES)', async () => {
    const allowed = await freePort();
    const other = await freePort();
    const policy = netPolicy(['bind-tcp'], [{ port: allowed, access: ['bind-tcp'] }]);
    const ok = await runSandboxed(NODE, ['-e', nodeBind], policy, {
      env: { ...process.env, P: String(allowed) },
    });
    expect({ code: ok.code, out: ok.stdout.trim() }).toEqual({ code: 0, out: 'bound' });
    const denied = await runSandboxed(NODE, ['-e', nodeBind], policy, {
      env: { ...process.env, P: String(other) },
    });
    expect({ code: denied.code, err: denied.stderr.trim() }).toEqual({ code: 1, err: 'EACCES' });
  });

  it('connect-tcp: the granted port connects, another port is denied (EACCES)', async () => {
    server = createServer((socket) => socket.end());
    const port = await new Promise<number>((resolve) =>
      server?.listen(0, '127.0.0.1', () => {
        const address = server?.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      }),
    );
    const env = { ...process.env, P: String(port) };
    const ok = await runSandboxed(NODE, ['-e', nodeConnect], netPolicy(['connect-tcp'], connectTcp(port)), {
      env,
    });
    expect({ code: ok.code, out: ok.stdout.trim() }).toEqual({ code: 0, out: 'connected' });
    const other = port === 65535 ? port - 1 : port + 1;
    const denied = await runSandboxed(
      NODE,
      ['-e', nodeConnect],
      netPolicy(['connect-tcp'], connectTcp(other)),
      { env },
    );
    expect({ code: denied.code, err: denied.stderr.trim() }).toEqual({ code: 1, err: 'EACCES' });
  });
});

function scopePolicy(scoped: boolean, scope: 'signal' | 'abstract-unix-socket'): Valid<LandlockPolicy> {
  const base = withRules(
    landlockPolicy({ abi: 7, compatibility: 'hard-requirement', handle: { net: false, scopes: false } }),
    SYSTEM_RULES,
  );
  return scoped ? withScopes(base, [scope]) : base;
}

describe('IPC scopes', () => {
  let sleeper: ChildProcess | undefined;
  let server: Server | undefined;
  afterAll(() => {
    if (sleeper?.pid !== undefined && sleeper.exitCode === null) sleeper.kill();
    server?.close();
  });

  for (const scoped of [true, false]) {
    it(`signal: a process outside the domain ${scoped ? 'cannot be signalled (EPERM)' : 'can be signalled without the scope'}`, async () => {
      sleeper ??= spawn('sleep', ['60'], { stdio: 'ignore' });
      const run = await runSandboxed(
        '/bin/sh',
        ['-c', `kill -0 ${sleeper.pid}`],
        scopePolicy(scoped, 'signal'),
      );
      if (scoped) {
        expect(run.code).not.toBe(0);
        expect(run.stderr).toMatch(/Operation not permitted/);
      } else expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    });
  }

  for (const scoped of [true, false]) {
    it(`abstract-unix-socket: a socket outside the domain ${scoped ? 'refuses the connection (EPERM)' : 'accepts without the scope'}`, async () => {
      const name = `\0vtl-abstract-${process.pid}`;
      if (server === undefined) {
        const listening = createServer((socket) => socket.end());
        server = listening;
        await new Promise<void>((resolve) => listening.listen(name, resolve));
      }
      const script = `const c=require('net').connect(process.env.S.replace('@','\\0'),()=>{console.log('connected');c.end()});c.on('error',e=>{console.error(e.code);process.exit(1)})`;
      const run = await runSandboxed(NODE, ['-e', script], scopePolicy(scoped, 'abstract-unix-socket'), {
        env: { ...process.env, S: `@vtl-abstract-${process.pid}` },
      });
      if (scoped) expect({ code: run.code, err: run.stderr.trim() }).toEqual({ code: 1, err: 'EPERM' });
      else expect({ code: run.code, out: run.stdout.trim() }).toEqual({ code: 0, out: 'connected' });
    });
  }
});

describe('compatibility modes on an ABI 7 kernel', () => {
  let dir = '';
  beforeAll(() => {
    dir = makeTempDir('compat');
  });
  afterAll(() => removeTempDir(dir));

  const future = (compatibility: 'best-effort' | 'hard-requirement') =>
    withRestrictFlags(
      withRules(
        landlockPolicy({ abi: 9, compatibility, handle: { net: false, scopes: false } }),
        SYSTEM_RULES,
        readWrite(dir),
      ),
      { threadSync: true, logFlags: ['same-exec-off', 'new-exec-on', 'subdomains-off'] },
    );

  it('best-effort asked for ABI 8/9 features enforces the rest and reports what it dropped', async () => {
    const run = await runSandboxed(
      '/bin/sh',
      ['-c', `echo in > ${dir}/in; echo out > /var/tmp/vtl-must-not-exist`],
      future('best-effort'),
    );
    expect(run.status.enforcement).toBe('partially');
    expect(run.status.abi).toBe(7);
    expect(run.status.dropped.map((item) => item.feature)).toEqual(['fs:resolve-unix', 'thread-sync']);
    expect(run.status.dropped[0]?.reason).toMatch(/needs Landlock ABI 9/);
    expect(existsSync(join(dir, 'in'))).toBe(true);
    expect(run.stderr).toMatch(/Permission denied/);
    expect(existsSync('/var/tmp/vtl-must-not-exist')).toBe(false);
  });

  it('hard-requirement for the same fails before anything runs, naming what is missing', async () => {
    await expect(
      spawnLandlocked('/bin/true', [], { policy: future('hard-requirement') }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(
        /fs:resolve-unix: needs Landlock ABI 9 .*thread-sync: needs Landlock ABI 8/,
      ),
    });
  });

  it('the helper itself decides on the kernel it runs on: policy files rendered anywhere, as asked', () => {
    // what a container gets: the policy file as asked, no status descriptor; stderr is its journal
    const helper = (compatibility: 'best-effort' | 'hard-requirement') =>
      spawnSync(
        landlockHelperPath(),
        ['--policy-fd', '0', '--', '/bin/sh', '-c', `echo in > ${dir}/helper-in`],
        {
          input: renderHelperPolicy(future(compatibility)),
          encoding: 'utf8',
        },
      );
    const best = helper('best-effort');
    expect(best.status).toBe(0);
    expect(best.stderr).toMatch(
      /^volt-landlock: Landlock: partially enforced on this kernel \(ABI 7, best-effort\): dropped fs:resolve-unix, thread-sync$/m,
    );
    expect(best.stderr).toMatch(
      /^volt-landlock: {3}thread-sync: needs Landlock ABI 8 \(Linux 7\.0\); this kernel has ABI 7$/m,
    );
    expect(existsSync(join(dir, 'helper-in'))).toBe(true);
    rmSync(join(dir, 'helper-in'));
    const hard = helper('hard-requirement');
    expect({ status: hard.status, stderr: hard.stderr }).toEqual({
      status: 125,
      stderr:
        'volt-landlock: this kernel cannot enforce the whole policy (hard requirement): fs:resolve-unix: needs Landlock ABI 9 (Linux 7.1); this kernel has ABI 7; thread-sync: needs Landlock ABI 8 (Linux 7.0); this kernel has ABI 7\n',
    });
    expect(existsSync(join(dir, 'helper-in'))).toBe(false);
  });

  it('a missing path is an error by default and skipped (and reported) when optional', async () => {
    const missing = join(dir, 'missing');
    const strict = withRules(fsPolicy([], dir), readWrite(missing));
    const { child, status } = await spawnLandlocked('/bin/true', [], { policy: strict, stdio: 'pipe' });
    // Listen before awaiting anything: the helper may be gone by the time the status settles.
    const closed = new Promise((resolve) => child.once('close', resolve));
    await expect(status).rejects.toMatchObject({
      code: 'INVALID_PATH',
      message: expect.stringContaining(missing),
    });
    expect(await closed).toBe(125);
    const lenient = withRules(fsPolicy([], dir), ignoreIfMissing(readWrite(missing)));
    const run = await runSandboxed('/bin/true', [], lenient);
    expect(run.code).toBe(0);
    expect(run.status.dropped).toEqual([
      { feature: `path:${missing}`, reason: 'optional path does not exist' },
    ]);
  });

  it('directory-only rights on a file: an error by default, masked and reported on request', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const policy = withRules(fsPolicy([], dir), readWrite(file));
    const failed = await spawnLandlocked('/bin/true', [], { policy, stdio: 'pipe' });
    await expect(failed.status).rejects.toMatchObject({ code: 'INVALID_ACCESS_RIGHT' });
    const run = await runSandboxed('/bin/sh', ['-c', `echo y >> ${file}`], policy, { fileRights: 'mask' });
    expect(run.code).toBe(0);
    expect(run.status.dropped[0]?.feature).toBe(`path:${file}`);
    expect(run.status.dropped[0]?.reason).toMatch(/remove-dir.*make-dir/);
  });
});

describe('hand-over from the helper to the command', () => {
  let dir = '';
  afterEach(() => removeTempDir(dir));

  it('reports the status before the command starts', async () => {
    dir = makeTempDir('order');
    const log = join(dir, 'log');
    const policy = fsPolicy(['write-file', 'read-file'], dir);
    writeFileSync(log, '');
    const run = await runLandlocked('/bin/sh', ['-c', `echo command >> ${log}`], {
      policy,
      stdio: 'pipe',
      onStatus: (status) => appendFileSync(log, `status ${status.enforcement}\n`),
    });
    expect(run.exitCode).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('status fully\ncommand\n');
  });

  it('a command that cannot be found: with onStatus, status first, then exit 127 and the reason on stderr', async () => {
    dir = makeTempDir('order');
    const seen: string[] = [];
    const run = await runSandboxed('/vtl-no-such-command', [], fsPolicy([], dir), {
      onStatus: (status) => seen.push(status.enforcement),
    });
    expect(seen).toEqual(['fully']);
    expect(run.status.enforcement).toBe('fully');
    expect(run.code).toBe(127);
    expect(run.stderr).toMatch(
      /volt-landlock: cannot execute \/vtl-no-such-command: No such file or directory/,
    );
  });

  it('a command that cannot be found: without onStatus, the status rejects with NOT_FOUND', async () => {
    dir = makeTempDir('order');
    const { child, status } = await spawnLandlocked('/vtl-no-such-command', [], {
      policy: fsPolicy([], dir),
      stdio: 'pipe',
    });
    const closed = new Promise((resolve) => child.once('close', resolve));
    await expect(status).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('/vtl-no-such-command'),
    });
    expect(await closed).toBe(127);
  });
});

describe('seccomp hook of the helper', () => {
  let dir = '';
  afterEach(() => removeTempDir(dir));

  /** A classic-BPF program: x86_64 only; mkdir/mkdirat fail with EMLINK; everything else allowed. */
  function mkdirFilter(errno: number): Uint8Array {
    const program: [number, number, number, number][] = [
      [0x20, 0, 0, 4], // ld arch
      [0x15, 0, 5, 0xc000003e], // jeq AUDIT_ARCH_X86_64, else kill
      [0x20, 0, 0, 0], // ld nr
      [0x15, 2, 0, 83], // jeq mkdir
      [0x15, 1, 0, 258], // jeq mkdirat
      [0x06, 0, 0, 0x7fff0000], // ret ALLOW
      [0x06, 0, 0, 0x00050000 | errno], // ret ERRNO(errno)
      [0x06, 0, 0, 0x80000000], // ret KILL_PROCESS
    ];
    const bytes = new DataView(new ArrayBuffer(program.length * 8));
    program.forEach(([code, jt, jf, k], index) => {
      bytes.setUint16(index * 8, code, true);
      bytes.setUint8(index * 8 + 2, jt);
      bytes.setUint8(index * 8 + 3, jf);
      bytes.setUint32(index * 8 + 4, k, true);
    });
    return new Uint8Array(bytes.buffer);
  }

  it.skipIf(process.arch !== 'x64')(
    'installs the filter last: mkdir gets the chosen errno, Landlock still applies',
    async () => {
      dir = makeTempDir('seccomp');
      const policy = fsPolicy(['make-dir', 'make-reg', 'write-file'], dir);
      const run = await runSandboxed(
        '/bin/sh',
        ['-c', `touch ${dir}/file && mkdir ${dir}/sub; echo $? ; echo x > /var/tmp/vtl-seccomp-denied`],
        policy,
        {
          seccompFilter: mkdirFilter(31),
        },
      );
      expect(run.stderr).toMatch(/Too many links/);
      expect(run.stderr).toMatch(/Permission denied/);
      expect(existsSync(join(dir, 'file'))).toBe(true);
      expect(existsSync(join(dir, 'sub'))).toBe(false);
    },
  );

  it('refuses a filter whose size is not a multiple of 8', async () => {
    dir = makeTempDir('seccomp');
    const { status } = await spawnLandlocked('/bin/true', [], {
      policy: fsPolicy([], dir),
      seccompFilter: new Uint8Array(12),
      stdio: 'pipe',
    });
    await expect(status).rejects.toMatchObject({ code: 'PARSE_ERROR' });
  });
});

describe('helper size and memory', () => {
  it('is a static binary under 1 MiB', () => {
    const helper = landlockHelperPath();
    expect(statSync(helper).size).toBeLessThan(1024 * 1024);
    // ELF64 program headers: no PT_INTERP (3) and no PT_DYNAMIC (2) means nothing is loaded at run time.
    const elf = readFileSync(helper);
    const offset = Number(elf.readBigUInt64LE(0x20));
    const size = elf.readUInt16LE(0x36);
    const types = Array.from({ length: elf.readUInt16LE(0x38) }, (_, index) =>
      elf.readUInt32LE(offset + index * size),
    );
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(types).not.toContain(3);
    expect(types).not.toContain(2);
  });

  it('peaks under 2 MiB RSS while setting up a policy', async () => {
    const dir = makeTempDir('rss');
    try {
      const { bytes } = await prepareLandlock(withRules(fsPolicy([], dir), readWrite(dir)));
      writeFileSync(join(dir, 'policy'), bytes);
      // A command that does not exist: the helper does all its work, then exits 127, so the figure is its own.
      const run = spawnSync(
        '/usr/bin/time',
        ['-v', landlockHelperPath(), '--policy', join(dir, 'policy'), '--', '/vtl-none'],
        {
          encoding: 'utf8',
        },
      );
      const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);
      expect(run.status).toBe(127);
      expect(kib).toBeGreaterThan(0);
      expect(kib).toBeLessThan(2048);
    } finally {
      removeTempDir(dir);
    }
  });
});
