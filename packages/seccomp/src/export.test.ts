import { describe, expect, it } from 'vitest';
import { decodeBpf } from './bpf.js';
import {
  exportSeccomp,
  parseSeccompArch,
  parseSeccompExportFormat,
  seccompArchOfNode,
  seccompConfigFrom,
} from './export.js';

describe('exportSeccomp', () => {
  it('fills defaults', () => {
    expect(seccompConfigFrom()).toEqual({
      profile: 'default',
      allow: [],
      deny: [],
      action: { kind: 'errno', errno: 1 },
    });
  });

  it('exports bpf, oci and nspawn', () => {
    const config = seccompConfigFrom({ profile: 'strict' });
    const bpf = exportSeccomp(config, { format: 'bpf', arch: 'aarch64' });
    expect(bpf).toBeInstanceOf(Uint8Array);
    expect(decodeBpf(bpf as Uint8Array)[1]?.k).toBe(0xc00000b7);
    const oci = JSON.parse(exportSeccomp(config, { format: 'oci', arch: 'x86_64' }) as string);
    expect(oci.architectures).toEqual(['SCMP_ARCH_X86_64']);
    const nspawn = exportSeccomp(config, { format: 'nspawn', arch: 'x86_64' }) as string;
    expect(nspawn).toMatch(/^\[Exec\]$/m);
    expect(nspawn).toMatch(/^SystemCallFilter=~.*\bmount\b/m);
    expect(nspawn).toMatch(/^# command line: --system-call-filter=/m);
    const unconfined = exportSeccomp(seccompConfigFrom({ profile: 'unconfined' }), {
      format: 'nspawn',
      arch: 'x86_64',
    });
    expect(unconfined).toMatch(/SYSTEMD_SECCOMP=0/);
  });

  it('throws CONFLICT for strict with boot on nspawn', () => {
    expect(() =>
      exportSeccomp(seccompConfigFrom({ profile: 'strict' }), {
        format: 'nspawn',
        arch: 'x86_64',
        boot: true,
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('parses formats and architectures', () => {
    expect(parseSeccompArch('x86_64').ok).toBe(true);
    const amd64 = parseSeccompArch('amd64');
    expect(amd64.ok ? '' : amd64.error.message).toMatch(/accepted: x86_64, aarch64/);
    expect(parseSeccompExportFormat('json').ok).toBe(false);
    expect(seccompArchOfNode('arm64')).toEqual({ ok: true, value: 'aarch64' });
    expect(seccompArchOfNode('ia32').ok ? '' : seccompArchOfNode('ia32').ok).toBe(false);
  });
});
