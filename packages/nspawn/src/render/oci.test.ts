import { unwrap, type ValidIsolation, VoltError } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { parseIsolation } from '../model/isolation.js';
import { NSPAWN_CAPABILITIES } from '../model/process.js';
import { networkNamespacePath, type OciTarget, pickUserRange, renderOciBundle } from './oci.js';

const target: OciTarget = {
  bundle: '/srv/bundles/web',
  landlockAbi: 7,
  landlockHelper: '/usr/lib/volt/volt-landlock',
  architectures: ['x86_64'],
};
const isolation = (document: Record<string, unknown>): ValidIsolation =>
  unwrap(parseIsolation({ name: 'web', boot: false, command: ['/usr/bin/app', '--serve'], ...document }));
const { landlockHelper: _, ...withoutHelper } = target;
const bundle = (document: Record<string, unknown>, overrides: Partial<OciTarget> = {}) =>
  renderOciBundle(isolation(document), { ...target, ...overrides });

describe('renderOciBundle', () => {
  it('wraps the command in the Landlock helper bound read-only at /run/volt, as the nspawn route does', () => {
    const rendered = bundle({});
    expect(rendered.config.process.args).toEqual([
      '/run/volt/volt-landlock',
      '--policy',
      '/run/volt/landlock.policy',
      '--',
      '/usr/bin/app',
      '--serve',
    ]);
    expect(rendered.config.mounts).toContainEqual({
      destination: '/run/volt',
      type: 'bind',
      source: '/srv/bundles/web/volt',
      options: ['rbind', 'ro', 'nosuid', 'nodev'],
    });
    expect(rendered.files.map((file) => file.path)).toEqual([
      '/srv/bundles/web/config.json',
      '/srv/bundles/web/resolv.conf',
      '/srv/bundles/web/volt/volt-landlock',
      '/srv/bundles/web/volt/landlock.policy',
    ]);
    expect(rendered.files[2]?.content).toEqual({ copyOf: '/usr/lib/volt/volt-landlock' });
    // the /run tmpfs comes before the bind that lands in it
    const destinations = rendered.config.mounts.map((mount) => mount.destination);
    expect(destinations.indexOf('/run')).toBeLessThan(destinations.indexOf('/run/volt'));
  });

  it('without a Landlock policy runs the command as it is and needs no helper', () => {
    const rendered = renderOciBundle(isolation({ landlock: 'none' }), withoutHelper);
    expect(rendered.config.process.args).toEqual(['/usr/bin/app', '--serve']);
    expect(rendered.files.map((file) => file.path)).toEqual([
      '/srv/bundles/web/config.json',
      '/srv/bundles/web/resolv.conf',
    ]);
    expect(rendered.enforcement[0]).toMatchObject({ layer: 'landlock', status: 'not-enforced' });
  });

  it('refuses a Landlock policy without a helper to bind, and a booting container', () => {
    expect(() => renderOciBundle(isolation({}), withoutHelper)).toThrow(/landlockHelper/);
    const boot = (() => {
      try {
        renderOciBundle(unwrap(parseIsolation({ name: 'web' })), target);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(VoltError.isInstance(boot) && boot.code).toBe('UNSUPPORTED');
    expect(VoltError.isInstance(boot) && boot.path).toEqual(['boot']);
  });

  it("gives the payload the profile's environment, nspawn's capabilities and open-file limit, root, no new privileges", () => {
    const { process } = bundle({ environment: { APP_MODE: 'production' }, network: { mode: 'host' } }).config;
    expect(process.env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'VOLT_CONTAINER=web',
      'VOLT_RUNTIME=oci',
      'APP_MODE=production',
    ]);
    expect(process.capabilities.bounding).toEqual(NSPAWN_CAPABILITIES);
    expect(process.capabilities.effective).toEqual(NSPAWN_CAPABILITIES);
    expect(process).toMatchObject({
      user: { uid: 0, gid: 0 },
      cwd: '/',
      noNewPrivileges: true,
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }],
    });
    // nspawn adds CAP_NET_ADMIN for a network of the container's own
    expect(bundle({}).config.process.capabilities.bounding).toEqual([
      ...NSPAWN_CAPABILITIES,
      'CAP_NET_ADMIN',
    ]);
  });

  it('picks the namespaces by network mode', () => {
    const types = (mode: string) =>
      bundle({ network: { mode } }).config.linux.namespaces.filter(
        (namespace) => namespace.type === 'network',
      );
    expect(types('none')).toEqual([{ type: 'network' }]);
    expect(types('host')).toEqual([]);
    expect(types('private')).toEqual([{ type: 'network', path: '/run/netns/web' }]);
    expect(networkNamespacePath('web')).toBe('/run/netns/web');
    expect(
      bundle({ network: { mode: 'private' } }, { networkNamespace: '/run/netns/other' }).config.linux
        .namespaces,
    ).toContainEqual({ type: 'network', path: '/run/netns/other' });
  });

  it('maps private users to a range of their own, and binds /sys where the user namespace cannot mount sysfs', () => {
    const { linux, mounts } = bundle({}).config;
    const range = pickUserRange('web');
    expect(linux.namespaces).toContainEqual({ type: 'user' });
    expect(linux.uidMappings).toEqual([{ containerID: 0, hostID: range.hostId, size: 65536 }]);
    expect(linux.gidMappings).toEqual(linux.uidMappings);
    expect(mounts.find((mount) => mount.destination === '/sys')?.type).toBe('bind');
    expect(
      bundle({ network: { mode: 'none' } }).config.mounts.find((mount) => mount.destination === '/sys')?.type,
    ).toBe('sysfs');
    const shared = bundle({ privateUsers: false }).config.linux;
    expect(shared.namespaces).not.toContainEqual({ type: 'user' });
    expect(shared.uidMappings).toBeUndefined();
  });

  it('picks user ranges as nspawn does: 64 Ki IDs, aligned, in 0x80000..0x6FFF0000, the same for the same name', () => {
    for (const name of ['web', 'db', 'a', 'vtv-oci-strict', 'x'.repeat(64)]) {
      const range = pickUserRange(name);
      expect(range.size).toBe(65536);
      expect(range.hostId % 65536).toBe(0);
      expect(range.hostId).toBeGreaterThanOrEqual(0x80000);
      expect(range.hostId).toBeLessThanOrEqual(0x6fff0000);
      expect(pickUserRange(name)).toEqual(range);
    }
    expect(pickUserRange('web')).not.toEqual(pickUserRange('db'));
  });

  it("mounts nspawn's file systems and the profile's DNS, with nspawn's masked and read-only /proc paths", () => {
    const rendered = bundle({ readOnlyRoot: true, network: { dns: ['192.0.2.53'] } });
    expect(rendered.config.root).toEqual({ path: '/var/lib/machines/web', readonly: true });
    expect(rendered.config.hostname).toBe('web');
    expect(rendered.config.mounts.map((mount) => mount.destination)).toEqual([
      '/proc',
      '/dev',
      '/dev/pts',
      '/dev/shm',
      '/dev/mqueue',
      '/sys',
      '/sys/fs/cgroup',
      '/tmp',
      '/run',
      '/etc/resolv.conf',
      '/run/volt',
    ]);
    expect(rendered.files[1]?.content).toEqual({ text: expect.stringContaining('nameserver 192.0.2.53\n') });
    expect(rendered.config.linux.maskedPaths).toContain('/proc/kcore');
    expect(rendered.config.linux.readonlyPaths).toContain('/proc/sys');
    expect(rendered.enforcement.find((entry) => entry.layer === 'root')?.status).toBe('enforced');
  });

  it('takes linux.resources and linux.seccomp from @volt/cgroups and @volt/seccomp, and reports what the spec cannot say', () => {
    const rendered = bundle({
      seccomp: { profile: 'strict', action: { errno: 'EXDEV' } },
      resources: { memory: { max: '256M', high: '192M' }, cpu: { startupWeight: 50 }, tasks: { max: 64 } },
    });
    expect(rendered.config.linux.resources.memory).toEqual({ limit: 268435456 });
    expect(rendered.config.linux.resources.unified?.['memory.high']).toBe('201326592');
    expect(rendered.config.linux.resources.pids).toEqual({ limit: 64 });
    expect(rendered.config.linux.seccomp).toMatchObject({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 18,
      architectures: ['SCMP_ARCH_X86_64'],
    });
    const resources = rendered.enforcement.find((entry) => entry.layer === 'resources');
    expect(resources?.status).toBe('partially-enforced');
    expect(resources?.detail).toContain('cpu.startupWeight (StartupCPUWeight exists only in systemd)');
    expect(rendered.enforcement.find((entry) => entry.layer === 'seccomp')).toMatchObject({
      status: 'enforced',
      detail: expect.stringContaining('denied calls get errno 18'),
    });
  });

  it('reports unconfined seccomp without a deny list as not enforced', () => {
    expect(
      bundle({ seccomp: 'unconfined' }).enforcement.find((entry) => entry.layer === 'seccomp'),
    ).toMatchObject({ status: 'not-enforced' });
  });

  it('writes config.json as the config it returns', () => {
    const rendered = bundle({});
    const file = rendered.files[0];
    expect(file?.path).toBe('/srv/bundles/web/config.json');
    expect(JSON.parse(file !== undefined && 'text' in file.content ? file.content.text : '')).toEqual(
      JSON.parse(JSON.stringify(rendered.config)),
    );
  });
});
