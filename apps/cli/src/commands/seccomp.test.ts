// `volt seccomp export` in-process: writes the artifacts, refuses bad input with its code and path.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerSeccompCommands } from './seccomp.js';

const dir = mkdtempSync(join(tmpdir(), 'vts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function volt(...args: string[]): Promise<void> {
  const program = new Command('volt').exitOverride();
  registerSeccompCommands(program);
  await program.parseAsync(['node', 'volt', ...args]);
}

describe('volt seccomp export', () => {
  it('writes a BPF filter, OCI JSON and an nspawn fragment', async () => {
    const bpf = join(dir, 'strict.bpf');
    await volt('seccomp', 'export', '--format', 'bpf', '--profile', 'strict', '--arch', 'aarch64', '-o', bpf);
    const bytes = readFileSync(bpf);
    expect(bytes.length % 8).toBe(0);
    expect(bytes.readUInt32LE(12)).toBe(0xc00000b7);
    const oci = join(dir, 'oci.json');
    await volt(
      'seccomp',
      'export',
      '--format',
      'oci',
      '--errno',
      'EACCES',
      '--deny',
      'mount,umount2',
      '-o',
      oci,
    );
    const json = JSON.parse(readFileSync(oci, 'utf8'));
    expect(json.defaultErrnoRet).toBe(13);
    expect(json.syscalls[0].names).not.toContain('mount');
    const nspawn = join(dir, 'volt.nspawn');
    await volt('seccomp', 'export', '--format', 'nspawn', '--profile', 'unconfined', '-o', nspawn);
    expect(readFileSync(nspawn, 'utf8')).toMatch(/SYSTEMD_SECCOMP=0/);
  });

  it.each([
    [['--format', 'bpf', '--allow', 'mnt'], 'INVALID_SYSCALL', ['seccomp', 'allow', 0]],
    [['--format', 'oci', '--errno', 'EFOO'], 'INVALID_VALUE', ['seccomp', 'action', 'errno']],
    [['--format', 'nspawn', '--profile', 'strict', '--boot'], 'CONFLICT', ['seccomp', 'profile']],
    [['--format', 'oci', '--profile', 'tight'], 'INVALID_VALUE', ['seccomp', 'profile']],
    [['--format', 'xml'], 'INVALID_VALUE', []],
    [['--format', 'bpf', '--arch', 'arm64'], 'INVALID_VALUE', []],
    [['--format', 'bpf', '--kill', '--log'], 'USAGE', []],
  ])('volt seccomp export %j fails with its code and input path', async (args, code, path) => {
    await expect(volt('seccomp', 'export', ...args, '-o', join(dir, 'never'))).rejects.toMatchObject({
      code,
      path,
    });
  });

  it('writes -o FILE through a temp file of a random name: a symlink planted at the old predictable name, or at FILE, is never written through (issue 16, finding 2)', async () => {
    const out = mkdtempSync(join(dir, 'out-'));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const file = join(out, 'strict.bpf');
    // The old temp name was FILE.tmp-PID: a link there made the export write into the victim.
    symlinkSync(victim, `${file}.tmp-${process.pid}`);
    await volt('seccomp', 'export', '--format', 'bpf', '--profile', 'strict', '-o', file);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(file).length % 8).toBe(0);
    // A symlink at FILE itself is replaced, not followed.
    const linked = join(out, 'linked.bpf');
    symlinkSync(victim, linked);
    await volt('seccomp', 'export', '--format', 'bpf', '--profile', 'strict', '-o', linked);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
