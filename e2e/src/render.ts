import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { unwrap, VoltError } from '@volt/core';
import { landlockHelperPath } from '@volt/landlock';
import { parseContainerLease, planBridge } from '@volt/netns';
import {
  type IsolationPlan,
  KUBERNETES_HELPER_PATH,
  kubernetesFiles,
  type PlannedFile,
  type PlanTarget,
  parseIsolation,
  renderKubernetes,
  renderOciBundle,
  renderPlan,
  renderPlanFromDocument,
} from '@volt/nspawn';
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

/**
 * Runs `argv` with a root that is not the VM's initramfs: pivot_root(2) refuses to move the initramfs
 * (EINVAL), and without it a runtime cannot remount a private user namespace's root (`--no-pivot`: "make
 * private: Permission denied"). In a mount namespace of its own, the root is bound onto itself and moved
 * over `/`, so the runtime's pivot_root moves that mount, as on a host booted from a disk.
 *
 * @example
 * ```ts
 * offInitramfs(['crun', 'run', '--bundle', dir, 'vtv-oci'])[0]; // 'unshare'
 * ```
 */
export function offInitramfs(argv: readonly string[]): readonly string[] {
  return [
    'unshare',
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    'mkdir -p /run/vtv-root && mount --rbind / /run/vtv-root && cd /run/vtv-root && mount --move . / && exec chroot . "$@"',
    'sh',
    ...argv,
  ];
}

/** Where an `oci` check's bundle (its config.json) goes in the VM; its rootfs is the check's machine directory. */
export const OCI_BUNDLES = '/var/lib/vtv/oci';

/**
 * The check with its plan for the `oci` route: the profile rendered by @volt/nspawn's `renderOciBundle`
 * (what `volt render --format oci --output` writes) for the guest, in `OCI_BUNDLES/MACHINE`, its root the
 * check's machine directory (the busybox rootfs) and its cgroup `/MACHINE`, so that the payload reads its
 * limits from its own cgroup. The check's OCI runtime (crun unless it names runc) runs it.
 *
 * @throws VoltError whatever code the profile schema or the renderers raise.
 * @example
 * ```ts
 * const rendered = await ociCheckPlan(check, guestPlanTarget());
 * rendered.plan.argv?.slice(-5); // ['crun', 'run', '--bundle', '/var/lib/vtv/oci/vtv-oci', 'vtv-oci']
 * ```
 */
export async function ociCheckPlan(check: CheckSpec, target: PlanTarget): Promise<CheckSpec> {
  const bundleDir = `${OCI_BUNDLES}/${check.machine}`;
  const bundle = renderOciBundle(unwrap(parseIsolation(check.profile)), {
    bundle: bundleDir,
    landlockAbi: target.landlockAbi,
    ...(target.landlockHelper === undefined ? {} : { landlockHelper: target.landlockHelper }),
    architectures: ['x86_64'],
    cgroupsPath: `/${check.machine}`,
  });
  return {
    ...check,
    plan: {
      argv: offInitramfs([check.ociRuntime ?? 'crun', 'run', '--bundle', bundleDir, check.machine]),
      files: await Promise.all(bundle.files.map(planFile)),
    },
  };
}

/** Where a `kube` check's manifests, seccomp profile, helper and image go in the VM. */
export const KUBE_DIRS = '/var/lib/vtv/kube';

/**
 * The check with its plan for the `kube` route: the profile rendered by @volt/nspawn's `renderKubernetes`
 * (what `volt render --format kubernetes --output` writes) as a Pod of the image `localhost/MACHINE`, run
 * with podman's `kube play` by a script: it builds that image from the check's busybox rootfs with the
 * Landlock helper added where the manifests expect it, gives podman the `containers` ID range its
 * `hostUsers: false` needs, plays the pod with the seccomp profile root the manifests name, waits for the
 * container, prints its output and exits with its code after `kube down`. The pod has no network (`kube
 * play --network none`): the VM has no network plugin to test.
 *
 * @throws VoltError whatever code the profile schema or the renderers raise.
 * @example
 * ```ts
 * (await kubeCheckPlan(check, guestPlanTarget())).plan.argv?.slice(-2); // ['/bin/sh', '/var/lib/vtv/kube/vtv-kube/run.sh']
 * ```
 */
export async function kubeCheckPlan(check: CheckSpec, target: PlanTarget): Promise<CheckSpec> {
  const config = unwrap(parseIsolation(check.profile));
  const dir = `${KUBE_DIRS}/${check.machine}`;
  const image = `localhost/${check.machine}:latest`;
  const manifests = renderKubernetes(config, {
    landlockAbi: target.landlockAbi,
    image,
    kind: 'pod',
    architectures: ['x86_64'],
  });
  const files = await kubernetesFiles(manifests, dir, config.name, target.landlockHelper ?? '');
  const container = `${config.name}-${config.name}`;
  const podman = `podman --root ${dir}/storage --runroot ${dir}/run --storage-driver vfs`;
  const script = [
    'set -u',
    `rootfs=/var/lib/machines/${check.machine}`,
    `mkdir -p "$rootfs${dirname(KUBERNETES_HELPER_PATH)}"`,
    `cp ${dir}/volt-landlock "$rootfs${KUBERNETES_HELPER_PATH}" 2>/dev/null || true`,
    `tar -C "$rootfs" -cf ${dir}/image.tar . || exit 90`,
    `${podman} import -q ${dir}/image.tar ${image} >/dev/null || exit 91`,
    "grep -q '^containers:' /etc/subuid || echo containers:1000000000:1000000000 >> /etc/subuid",
    "grep -q '^containers:' /etc/subgid || echo containers:1000000000:1000000000 >> /etc/subgid",
    `${podman} kube play --network none --seccomp-profile-root ${dir}/seccomp ${dir}/${config.name}.yaml >/dev/null || exit 92`,
    `${podman} wait ${container} >/dev/null`,
    `${podman} logs ${container}`,
    `code=$(${podman} inspect --format '{{.State.ExitCode}}' ${container})`,
    `${podman} kube down ${dir}/${config.name}.yaml >/dev/null`,
    `${podman} rmi -a -f >/dev/null 2>&1`,
    'exit "$code"',
  ].join('\n');
  const run: PlannedFile = {
    path: `${dir}/run.sh`,
    mode: 0o755,
    content: { text: `${script}\n` },
    purpose: 'plays the pod with podman',
  };
  return {
    ...check,
    plan: {
      argv: offInitramfs(['/bin/sh', run.path]),
      files: await Promise.all([...files, run].map(planFile)),
    },
    teardown: [...(check.teardown ?? []), ['rm', '-rf', dir]],
  };
}

/**
 * Renders every `run` or `template` check that carries a profile with @volt/nspawn (the same code
 * `volt run` and `volt apply` use) for the guest, every `oci` check ({@link ociCheckPlan}) and every
 * `kube` check ({@link kubeCheckPlan}); checks
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
      rendered.push(await ociCheckPlan(check, target));
      continue;
    }
    if (check.route === 'kube') {
      rendered.push(await kubeCheckPlan(check, target));
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
