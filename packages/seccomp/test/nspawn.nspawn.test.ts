import { unwrap } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH,
  compileSeccompBpf,
  decodeBpf,
  renderNspawnSeccomp,
  SECCOMP_RET,
  type SeccompProfile,
  seccompConfigFromProfile,
  syscallNumber,
} from '../src/index.js';
import { runBpf } from './bpf-interpreter.js';
import { buildNativeTools, type NativeTools } from './native.js';
import { createProbeContainer, type ProbeContainer } from './nspawn-run.js';

// The real systemd-nspawn (252) judges the nspawn renderer: for each configuration, both routes (command
// line, trusted .nspawn file) must deny exactly the probes our BPF filter denies.

const canRun = process.getuid?.() === 0 && process.arch === 'x64';

/** Probes whose result tells "denied by seccomp" (EPERM) apart from "allowed" when run as root. */
const PROBES: readonly (readonly [string, ...number[]])[] = [
  ['landlock_create_ruleset', 0, 0, 1],
  ['mount'],
  ['umount2'],
  ['unshare', 0],
  ['setns', 0, 0],
  ['open_by_handle_at'],
  ['ptrace', 0],
  ['reboot'],
  ['io_uring_setup', 0, 0],
  ['kcmp'],
  ['userfaultfd', 0],
  ['chown'],
  ['setuid', 0],
  ['sethostname', 0, 0],
  ['capset'],
  ['mlock', 0, 0],
  ['getppid'],
];

const KNOWN_NSPAWN_NOISE =
  /^Attempted to remove disk file system under "\/run\/systemd\/nspawn\/propagate\/.*", and we can't allow that\.$/;

let tools: NativeTools;
let box: ProbeContainer;
beforeAll(() => {
  if (!canRun) return;
  tools = buildNativeTools();
  box = createProbeContainer(tools.probe);
});
afterAll(() => {
  try {
    box?.cleanup();
  } finally {
    tools?.cleanup();
  }
});

const script = PROBES.map(
  ([name, ...args]) => `/probe syscall ${syscallNumber('x86_64', name)} ${args.join(' ')}`,
).join('; ');

const valid = (part: SeccompProfile) => unwrap(seccompConfigFromProfile(part));

function expectedDenials(part: SeccompProfile): boolean[] {
  const program = decodeBpf(
    compileSeccompBpf(valid({ ...part, action: { kind: 'errno', errno: 1 } }), 'x86_64'),
  );
  return PROBES.map(([name]) => {
    const nr = syscallNumber('x86_64', name) ?? -1;
    return runBpf(program, { nr, arch: AUDIT_ARCH.x86_64 }).action !== SECCOMP_RET.ALLOW;
  });
}

function observe(output: { stdout: string; stderr: string; status: number | null }): boolean[] {
  const noise = output.stderr.split('\n').filter((line) => line !== '' && !KNOWN_NSPAWN_NOISE.test(line));
  expect(noise, 'systemd-nspawn printed a warning or error').toEqual([]);
  expect(output.status).toBe(0);
  const lines = output.stdout.trim().split('\n');
  expect(lines.length).toBe(PROBES.length);
  return lines.map((line) => line === 'errno=1');
}

const cases: readonly (readonly [string, SeccompProfile])[] = [
  ['default', { profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }],
  ['strict', { profile: 'strict', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }],
  ['unconfined', { profile: 'unconfined', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }],
  [
    'default, deny @chown and @clock',
    { profile: 'default', allow: [], deny: ['@chown', '@clock'], action: { kind: 'errno', errno: 1 } },
  ],
  [
    'strict, allow @mount and mlock',
    { profile: 'strict', allow: ['@mount', 'mlock'], deny: [], action: { kind: 'log' } },
  ],
  [
    'default, deny mount and landlock',
    { profile: 'default', allow: [], deny: ['mount', '@sandbox'], action: { kind: 'kill-process' } },
  ],
];

describe('systemd-nspawn 252 enforces what renderNspawnSeccomp renders (needs root on x86_64)', () => {
  for (const [label, config] of cases) {
    it(`${label}: command line and trusted settings file deny exactly what the BPF filter denies`, () => {
      const rendered = renderNspawnSeccomp(valid(config), { boot: false, settingsTrusted: true });
      if (!rendered.ok) throw rendered.error;
      const { arguments: args, systemCallFilter, environment } = rendered.value;
      const expected = expectedDenials(config);
      const viaArgs = observe(box.run({ args, env: environment, script }));
      const settings = `[Exec]\n${systemCallFilter.map((value) => `SystemCallFilter=${value}\n`).join('')}`;
      const viaFile = observe(box.run({ args: [], env: environment, settings, script }));
      const table = (denied: boolean[]) =>
        PROBES.map(([name], i) => `${name}:${denied[i] ? 'denied' : 'allowed'}`);
      expect(table(viaArgs)).toEqual(table(expected));
      expect(table(viaFile)).toEqual(table(expected));
    });
  }

  it('a filter denying what nspawn itself needs is refused, and nspawn really fails with it', () => {
    const config = {
      profile: 'default',
      allow: [],
      deny: ['@privileged'],
      action: { kind: 'errno', errno: 1 },
    } as const;
    const rendered = renderNspawnSeccomp(valid(config), { boot: false, settingsTrusted: true });
    expect(rendered.ok ? undefined : rendered.error.code).toBe('CONFLICT');
    const names = ['capset', 'setgroups', 'setresgid', 'setresuid'];
    const raw = box.run({
      args: [`--system-call-filter=~${names.join(' ')}`],
      env: {},
      script,
    });
    expect(raw.status).not.toBe(0);
    expect(raw.stderr).toMatch(/Failed to become root|Dropping capabilities failed/);
  });

  it('an untrusted file next to the tree: a deny-only filter (accepted by the renderer) is enforced; a file with any allow entry is ignored whole, denials too (refused by the renderer)', () => {
    const untrusted = { boot: false, settingsTrusted: false };
    const denyOnly = {
      profile: 'default',
      allow: [],
      deny: ['@sandbox', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'reboot', 'vhangup', 'mount'],
      action: { kind: 'errno', errno: 1 },
    } as const;
    const rendered = renderNspawnSeccomp(valid(denyOnly), untrusted);
    if (!rendered.ok) throw rendered.error;
    const file = `[Exec]\n${rendered.value.systemCallFilter.map((value) => `SystemCallFilter=${value}\n`).join('')}`;
    const denied = observe(box.run({ args: [], env: {}, untrustedSettings: file, script }));
    const table = (values: boolean[]) =>
      PROBES.map(([name], i) => `${name}:${values[i] ? 'denied' : 'allowed'}`);
    expect(table(denied)).toEqual(table(expectedDenials(denyOnly)));

    expect(renderNspawnSeccomp(valid({ ...denyOnly, deny: ['mount'] }), untrusted).ok).toBe(false);
    const mixed = box.run({
      args: [],
      env: {},
      untrustedSettings: '[Exec]\nSystemCallFilter=landlock_create_ruleset\nSystemCallFilter=~mount\n',
      script,
    });
    expect(mixed.stderr).toMatch(/Ignoring SystemCallFilter= settings, file .* is not trusted/);
    const mount = PROBES.findIndex(([name]) => name === 'mount');
    expect(mixed.stdout.trim().split('\n')[mount]).not.toBe('errno=1');
  });

  it('nspawn 252 alone denies landlock and ignores a ~@group that is not spelled as its own entry (why Volt renders names)', () => {
    const plain = observe(box.run({ args: [], env: {}, script }));
    expect(plain[0]).toBe(true);
    const groupDeny = observe(box.run({ args: ['--system-call-filter=~@privileged'], env: {}, script }));
    expect(groupDeny[PROBES.findIndex(([name]) => name === 'chown')]).toBe(false);
  });
});
