import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { landlockHelperPath } from '@volt/landlock';
import { describe, expect, it } from 'vitest';
import { loadChecks, parseCheck } from './checks.js';
import { renderCheckPlans } from './render.js';

const profile = {
  name: 'vtv-render',
  boot: false,
  command: ['/bin/sh', '/usr/lib/vtv/payload.sh'],
  landlock: 'none',
  network: { mode: 'none' },
  resources: { memory: { high: '32M', max: '64M' } },
};
// every Boot=no plan copies the helper into the container's runtime directory: its first process
const target = { landlockAbi: 2, landlockHelper: landlockHelperPath() };

describe('rendered plans', () => {
  it('takes the run route from the direct argv, its environment and every planned file', async () => {
    const check = parseCheck(
      {
        name: 'r',
        machine: 'vtv-render',
        route: 'run',
        profile,
        expect: [{ source: 'output', matches: 'x' }],
      },
      'test.json',
    );
    const [rendered] = await renderCheckPlans([check], target);
    expect(rendered?.plan.argv?.[0]).toBe('systemd-nspawn');
    expect(rendered?.plan.argv).toContain('--property=MemoryMax=64M');
    expect(rendered?.plan.argv).toContain('--machine=vtv-render');
    const paths = rendered?.plan.files?.map((file) => file.path) ?? [];
    expect(paths).toContain('/etc/systemd/nspawn/vtv-render.nspawn');
    const dropIn = rendered?.plan.files?.find((file) =>
      file.path.includes('systemd-nspawn@vtv-render.service.d'),
    );
    expect(Buffer.from(dropIn?.base64 ?? '', 'base64').toString()).toContain('MemoryMax=64M');
  });

  it("renders the oci route as an OCI runtime config of the profile's limits and seccomp filter, run by crun", async () => {
    const check = parseCheck(
      {
        name: 'o',
        machine: 'vtv-render',
        route: 'oci',
        profile: { ...profile, seccomp: 'strict' },
        expect: [{ source: 'output', matches: 'x' }],
      },
      'test.json',
    );
    const [rendered] = await renderCheckPlans([check], target);
    expect(rendered?.plan.argv?.slice(-5)).toEqual([
      'crun',
      'run',
      '--bundle',
      '/var/lib/vtv/oci/vtv-render',
      'vtv-render',
    ]);
    expect(rendered?.plan.argv?.[0]).toBe('unshare');
    const [file] = rendered?.plan.files ?? [];
    expect(file?.path).toBe('/var/lib/vtv/oci/vtv-render/config.json');
    const config = JSON.parse(Buffer.from(file?.base64 ?? '', 'base64').toString());
    expect(config.process.args).toEqual(['/bin/sh', '/usr/lib/vtv/payload.sh']);
    expect(config.root.path).toBe('/var/lib/machines/vtv-render');
    expect(config.linux.resources.memory.limit).toBe(64 * 2 ** 20);
    expect(config.linux.resources.unified['memory.high']).toBe(String(32 * 2 ** 20));
    expect(config.linux.seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(config.linux.seccomp.syscalls[0].names).not.toContain('mount');
    expect(() =>
      parseCheck(
        { ...check, plan: undefined, expect: [{ source: 'cgroup', file: 'memory.max', equals: '1' }] },
        't.json',
      ),
    ).toThrow(/output and exit only/);
  });

  it('renders the kube route as the Kubernetes manifests, the seccomp profile and a script that plays them with podman', async () => {
    const check = parseCheck(
      {
        name: 'k',
        machine: 'vtv-render',
        route: 'kube',
        profile: { ...profile, landlock: 'server', seccomp: 'strict' },
        expect: [{ source: 'output', matches: 'x' }],
      },
      'test.json',
    );
    const helper = join(await mkdtemp(join(tmpdir(), 'vte-helper-')), 'volt-landlock');
    await writeFile(helper, 'helper');
    try {
      const [rendered] = await renderCheckPlans([check], { ...target, landlockHelper: helper });
      expect(rendered?.plan.argv?.slice(-2)).toEqual(['/bin/sh', '/var/lib/vtv/kube/vtv-render/run.sh']);
      const files = new Map(
        (rendered?.plan.files ?? []).map((file) => [
          file.path,
          Buffer.from(file.base64, 'base64').toString(),
        ]),
      );
      expect(files.get('/var/lib/vtv/kube/vtv-render/vtv-render.yaml')).toContain(
        'localhostProfile: volt-vtv-render.json',
      );
      expect(files.has('/var/lib/vtv/kube/vtv-render/seccomp/volt-vtv-render.json')).toBe(true);
      expect(files.get('/var/lib/vtv/kube/vtv-render/volt-landlock')).toBe('helper');
      expect(files.get('/var/lib/vtv/kube/vtv-render/run.sh')).toContain(
        'kube play --network none --seccomp-profile-root /var/lib/vtv/kube/vtv-render/seccomp',
      );
      expect(rendered?.teardown).toEqual([['rm', '-rf', '/var/lib/vtv/kube/vtv-render']]);
    } finally {
      await rm(dirname(helper), { recursive: true, force: true });
    }
  });

  it('takes the template route from the files alone, and passes hand-written plans through', async () => {
    const template = parseCheck(
      {
        name: 't',
        machine: 'vtv-render',
        route: 'template',
        profile,
        expect: [{ source: 'cgroup', file: 'memory.max', equals: '1' }],
      },
      'test.json',
    );
    const hand = parseCheck(
      {
        name: 'h',
        machine: 'vtv-hand',
        route: 'run',
        plan: { command: ['/bin/true'] },
        expect: [{ source: 'exit', equals: 0 }],
      },
      'test.json',
    );
    const [renderedTemplate, passed] = await renderCheckPlans([template, hand], target);
    expect(renderedTemplate?.plan.argv).toBeUndefined();
    expect(renderedTemplate?.plan.files?.length).toBeGreaterThanOrEqual(2);
    expect(passed).toBe(hand);
  });

  it('refuses a profile whose name is not the machine, and a check with both plan and profile', () => {
    const base = { name: 'x', machine: 'vtv-render', route: 'run', expect: [{ source: 'exit', equals: 0 }] };
    expect(() => parseCheck({ ...base, profile: { ...profile, name: 'vtv-other' } }, 'test.json')).toThrow(
      /machine name/,
    );
    expect(() => parseCheck({ ...base, profile, plan: { command: ['/bin/true'] } }, 'test.json')).toThrow(
      /exactly one/,
    );
  });

  it('renders the profile of every check in e2e/checks', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'vtv-e2e-render-'));
    try {
      const helper = join(directory, 'volt-landlock');
      await writeFile(helper, 'helper bytes');
      const checks = await loadChecks(join(import.meta.dirname, '..', 'checks'));
      const rendered = await renderCheckPlans(checks, { landlockAbi: 2, landlockHelper: helper });
      const fromProfiles = rendered.filter(
        (check) => check.profile !== undefined && (check.route === 'run' || check.route === 'template'),
      );
      expect(fromProfiles.length).toBeGreaterThanOrEqual(11);
      for (const check of fromProfiles) {
        expect(check.plan.files?.length).toBeGreaterThan(0);
        if (check.route === 'run') expect(check.plan.argv).toContain(`--machine=${check.machine}`);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
