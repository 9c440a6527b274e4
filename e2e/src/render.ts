import { readFile } from 'node:fs/promises';
import { ociLinuxResources } from '@volt/cgroups';
import { unwrap, VoltError } from '@volt/core';
import { landlockHelperPath } from '@volt/landlock';
import { parseContainerLease, planBridge } from '@volt/netns';
import {
  type IsolationPlan,
  type PlannedFile,
  type PlanTarget,
  parseIsolation,
  renderPlan,
  renderPlanFromDocument,
} from '@volt/nspawn';
import { renderOciSeccomp } from '@volt/seccomp';
import type { BenchSpec, CheckSpec, PlanFile } from './checks.js';

/**
 * The Landlock ABI of the VM's kernel: Debian bookworm's 6.1 has ABI 2 (REFER; TRUNCATE came with 6.2).
 * Plans are rendered on the host for that kernel, not for the host's own.
 */
export const GUEST_LANDLOCK_ABI = 2;

/**
 * What the plans are rendered for: the guest's Landlock ABI and the host's helper binary (its bytes
 * travel into the VM with the plan's files).
 *
 * @example
 * ```ts
 * guestPlanTarget(); // { landlockAbi: 2, landlockHelper: '…/packages/landlock/dist/volt-landlock' }
 * ```
 */
export function guestPlanTarget(): PlanTarget {
  return { landlockAbi: GUEST_LANDLOCK_ABI, landlockHelper: landlockHelperPath() };
}

async function planFile(file: PlannedFile): Promise<PlanFile> {
  const { content } = file;
  const bytes =
    'text' in content
      ? Buffer.from(content.text, 'utf8')
      : 'bytes' in content
        ? Buffer.from(content.bytes)
        : await readFile(content.copyOf);
  return { path: file.path, mode: file.mode, base64: bytes.toString('base64') };
}

/**
 * The check with its plan taken from a rendered {@link IsolationPlan}: the direct argv, its environment
 * and every file for the `run` route (what `volt run` installs and starts), every file for the
 * `template` route (what `volt apply` installs before `volt start`).
 *
 * @example
 * ```ts
 * const rendered = await checkWithPlan(check, await renderPlanFromDocument(check.profile, { target }));
 * rendered.plan.argv?.[0]; // 'systemd-nspawn'
 * ```
 */
export async function checkWithPlan(check: CheckSpec, plan: IsolationPlan): Promise<CheckSpec> {
  const files = await Promise.all(plan.files.map(planFile));
  return {
    ...check,
    plan:
      check.route === 'run'
        ? { argv: plan.direct.argv, environment: plan.direct.environment, files }
        : { files },
  };
}

/** Where an `oci` check's bundle (its config.json) goes in the VM; its rootfs is the check's machine directory. */
export const OCI_BUNDLES = '/var/lib/vtv/oci';

/**
 * The check with its plan for the `oci` route: an OCI runtime config whose `linux.resources` and
 * `linux.seccomp` are the profile's limits and seccomp filter as @volt/cgroups and @volt/seccomp render
 * them for OCI, around the profile's command in the machine directory (the busybox rootfs), with a
 * cgroup namespace and the cgroup2 file system mounted read-only, so the process can read its own limits;
 * the process keeps CAP_SYS_ADMIN, so a denied mount is the filter's doing. The check's OCI runtime (crun
 * unless it names runc) runs it.
 *
 * @throws VoltError whatever code the profile schema or the renderers raise.
 * @example
 * ```ts
 * const rendered = ociCheckPlan(check);
 * rendered.plan.argv; // ['crun', 'run', '--no-pivot', '--bundle', '/var/lib/vtv/oci/vtv-oci', 'vtv-oci']
 * ```
 */
export function ociCheckPlan(check: CheckSpec): CheckSpec {
  const config = unwrap(parseIsolation(check.profile));
  const capabilities = ['CAP_SYS_ADMIN'];
  const runtimeConfig = {
    ociVersion: '1.0.2',
    process: {
      user: { uid: 0, gid: 0 },
      args: config.command,
      cwd: '/',
      env: ['PATH=/usr/bin:/bin'],
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      noNewPrivileges: true,
    },
    root: { path: `/var/lib/machines/${check.machine}` },
    hostname: check.machine,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs' },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'ro'],
      },
    ],
    linux: {
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'cgroup'].map((type) => ({ type })),
      cgroupsPath: `/${check.machine}`,
      resources: ociLinuxResources(config.resources).resources,
      seccomp: renderOciSeccomp(config.seccomp, ['x86_64']),
    },
  };
  const bundle = `${OCI_BUNDLES}/${check.machine}`;
  return {
    ...check,
    plan: {
      // The VM's root is an initramfs, where pivot_root(2) fails (EINVAL); the runtime moves the root instead.
      argv: [check.ociRuntime ?? 'crun', 'run', '--no-pivot', '--bundle', bundle, check.machine],
      files: [
        {
          path: `${bundle}/config.json`,
          mode: 0o644,
          base64: Buffer.from(JSON.stringify(runtimeConfig, null, 2)).toString('base64'),
        },
      ],
    },
  };
}

/**
 * Renders every `run` or `template` check that carries a profile with @volt/nspawn (the same code
 * `volt run` and `volt apply` use) for the guest, and every `oci` check ({@link ociCheckPlan}); checks
 * with a hand-written plan, and the volt routes (the CLI renders inside the VM), pass through unchanged.
 *
 * @example
 * ```ts
 * const checks = await renderCheckPlans(await loadChecks('e2e/checks'));
 * ```
 * @throws VoltError whatever code the profile schema or the renderer raises, for the first bad profile.
 */
export async function renderCheckPlans(
  checks: readonly CheckSpec[],
  target: PlanTarget = guestPlanTarget(),
): Promise<readonly CheckSpec[]> {
  const rendered: CheckSpec[] = [];
  for (const check of checks) {
    if (check.profile === undefined || check.route === 'volt-run' || check.route === 'volt-apply') {
      rendered.push(check);
      continue;
    }
    if (check.route === 'oci') {
      rendered.push(ociCheckPlan(check));
      continue;
    }
    const config = unwrap(parseIsolation(check.profile));
    const address = check.containerAddress;
    const plan = renderPlan(
      config,
      address === undefined
        ? target
        : { ...target, containerLease: unwrap(parseContainerLease(planBridge(config.network), { address })) },
    );
    rendered.push(await checkWithPlan(check, plan));
  }
  return rendered;
}

/**
 * Reads the benchmark description (name, machine, profile, payload, marker, rounds) and renders its
 * profile for the guest: the plain systemd-nspawn side runs exactly the argv and environment that
 * `volt run` computes for the same profile.
 *
 * @example
 * ```ts
 * const bench = await loadBench('e2e/bench/start.json');
 * bench.plainArgv[0]; // 'systemd-nspawn'
 * ```
 * @throws VoltError `PARSE_ERROR` for a file that is not a bench description, or the renderer's code.
 */
export async function loadBench(file: string, target: PlanTarget = guestPlanTarget()): Promise<BenchSpec> {
  const data = JSON.parse(await readFile(file, 'utf8')) as Partial<BenchSpec>;
  const { name, machine, profile, payload, marker, rounds } = data;
  if (
    typeof name !== 'string' ||
    typeof machine !== 'string' ||
    !machine.startsWith('vtv') ||
    typeof profile !== 'object' ||
    profile === null ||
    profile['name'] !== machine ||
    typeof payload !== 'string' ||
    typeof marker !== 'string' ||
    typeof rounds !== 'number' ||
    !Number.isInteger(rounds) ||
    rounds < 1
  ) {
    throw new VoltError('PARSE_ERROR', `${file} is not a bench description`, {
      hint: 'name, machine (vtv…), profile (named machine), payload, marker and rounds (≥ 1) are required',
    });
  }
  const plan = await renderPlanFromDocument(profile, { target });
  return {
    name,
    machine,
    profile,
    payload,
    marker,
    rounds,
    plainArgv: plan.direct.argv,
    plainEnvironment: plan.direct.environment,
  };
}
