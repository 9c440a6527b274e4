import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECCOMP_CONFIG, parseSeccompConfig } from '../model/config.js';
import { decodeBpf } from './bpf.js';
import { exportSeccomp, parseSeccompExportFormat } from './export.js';

const strict = unwrap(parseSeccompConfig('strict'));

describe('exportSeccomp', () => {
  it('exports bpf, oci and nspawn', () => {
    const bpf = exportSeccomp(strict, { format: 'bpf', arch: 'aarch64' });
    expect(bpf).toBeInstanceOf(Uint8Array);
    expect(decodeBpf(bpf as Uint8Array)[1]?.k).toBe(0xc00000b7);
    const oci = JSON.parse(exportSeccomp(strict, { format: 'oci', arch: 'x86_64' }) as string);
    expect(oci.architectures).toEqual(['SCMP_ARCH_X86_64']);
    const nspawn = exportSeccomp(strict, { format: 'nspawn', arch: 'x86_64' }) as string;
    expect(nspawn).toMatch(/^\[Exec\]$/m);
    expect(nspawn).toMatch(/^SystemCallFilter=~.*\bmount\b/m);
    expect(nspawn).toMatch(/^# command line: --system-call-filter=/m);
    const unconfined = exportSeccomp(unwrap(parseSeccompConfig('unconfined')), {
      format: 'nspawn',
      arch: 'x86_64',
    });
    expect(unconfined).toMatch(/SYSTEMD_SECCOMP=0/);
    const notes = exportSeccomp(unwrap(parseSeccompConfig({ action: 'log' })), {
      format: 'nspawn',
      arch: 'x86_64',
    });
    expect(notes).toMatch(/^# note: systemd-nspawn denies with EPERM/m);
    expect(exportSeccomp(DEFAULT_SECCOMP_CONFIG, { format: 'nspawn', arch: 'x86_64' })).not.toMatch(/# note/);
  });

  it('throws CONFLICT for strict with boot on nspawn', () => {
    expect(() => exportSeccomp(strict, { format: 'nspawn', arch: 'x86_64', boot: true })).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
  });

  it('parses formats', () => {
    expect(parseSeccompExportFormat('oci')).toEqual({ ok: true, value: 'oci' });
    const json = parseSeccompExportFormat('json');
    expect(json.ok ? '' : json.error.message).toMatch(/accepted: bpf, oci, nspawn/);
  });
});
