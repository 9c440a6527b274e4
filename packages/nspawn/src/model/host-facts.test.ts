import { describe, expect, it } from 'vitest';
import { IDMAPPED_FILE_SYSTEMS, idmappedMounts, kernelVersion, toolVersion } from './host-facts.js';

describe('host facts', () => {
  it('reads the major and minor version of a kernel release', () => {
    expect(kernelVersion('6.18.44-fc-v1045')).toEqual([6, 18]);
    expect(kernelVersion('5.4.0')).toEqual([5, 4]);
    expect(kernelVersion('unknown')).toBeUndefined();
  });

  it('says whether the machines directory can be ID-mapped, from the kernel and the file system', () => {
    const ext4 = 0xef53;
    const tmpfs = 0x01021994;
    expect(idmappedMounts('6.1.0-56-amd64', ext4, '/var/lib/machines')).toEqual({
      supported: 'yes',
      detail: '/var/lib/machines is on ext4 (idmapped since Linux 5.12)',
    });
    expect(idmappedMounts('5.11.0', ext4, '/var/lib/machines').supported).toBe('no');
    expect(idmappedMounts('6.1.0', tmpfs, '/var/lib/machines')).toMatchObject({
      supported: 'no',
      detail: expect.stringContaining('tmpfs, idmapped only since Linux 6.3'),
    });
    expect(idmappedMounts('6.3.0', tmpfs, '/var/lib/machines').supported).toBe('yes');
    expect(idmappedMounts('6.3.0', 0x1234, '/var').supported).toBe('unknown');
    expect(idmappedMounts('6.3.0', undefined, '/var').supported).toBe('unknown');
    expect(new Set(IDMAPPED_FILE_SYSTEMS.map((fs) => fs.type)).size).toBe(IDMAPPED_FILE_SYSTEMS.length);
  });

  it("reads a tool's version from its --version output", () => {
    expect(toolVersion('systemd 252 (252.39-1~deb12u2)\n+PAM +AUDIT\n')).toBe('252 (252.39-1~deb12u2)');
    expect(toolVersion('systemd 257\n')).toBe('257');
    expect(toolVersion('nftables v1.0.6 (Lester Gooch #5)\n')).toBe('1.0.6');
    expect(toolVersion('no version here\n')).toBeUndefined();
  });
});
