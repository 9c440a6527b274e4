import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMachineName, parseWorkloadUnitName, VoltError } from '@volt/core';
import { z } from 'zod';
import { runsInForeground } from './routes.js';

/**
 * One thing the suite looks at. `rootfsFile` reads a file of the container's directory once the
 * container has finished (for the template route, whose output goes to the journal). `host` runs a command on the VM host while the container runs (a port
 * forward, say) and matches its output and exit code. `cgroup` reads a file of the container's unit cgroup, `leaderCgroup` a
 * file of the cgroup the container's PID 1 is in (nspawn may put it in a sub-cgroup of the unit's), and
 * `leader` a file of /proc/LEADER (all from outside, while the container runs); `output` matches what a
 * `run` route container printed (on the `volt-apply` route: what the volt commands printed); `exit` is
 * systemd-nspawn's exit code (on the `volt-apply` route: the exit code of `volt apply`, which a check that
 * expects a refusal sets to non-zero).
 */
export type Expectation =
  | {
      readonly source: 'cgroup' | 'leaderCgroup' | 'leader';
      readonly file: string;
      readonly equals?: string;
      readonly matches?: string;
    }
  | { readonly source: 'host'; readonly command: readonly string[]; readonly matches: string }
  | {
      readonly source: 'rootfsFile';
      readonly file: string;
      readonly equals?: string;
      readonly matches?: string;
    }
  | { readonly source: 'output'; readonly matches: string }
  | { readonly source: 'exit'; readonly equals: number };

/**
 * A rendered plan, as @volt/nspawn will produce it: for the `run` route, nspawn options and the command;
 * for the `template` route, the trusted `.nspawn` file and the service drop-in.
 */
export interface CheckPlan {
  readonly args?: readonly string[];
  readonly command?: readonly string[];
  readonly nspawnFile?: string;
  readonly dropIn?: string;
  /** A rendered `run` route: the whole argv, starting with `systemd-nspawn`, taken as it is. */
  readonly argv?: readonly string[];
  /** Environment of the systemd-nspawn process (`run` route). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Files installed before the container starts and removed after it (a rendered plan's files). */
  readonly files?: readonly PlanFile[];
}

/** A file of a rendered plan, as it travels into the VM. */
export interface PlanFile {
  readonly path: string;
  readonly mode: number;
  readonly base64: string;
}

/** An entry the runner plants in the container's rootfs before Volt sees it: a file or a symlink. */
export interface RootfsEntry {
  /** Relative to the rootfs. */
  readonly path: string;
  readonly text?: string;
  /** The symlink's target, as it is (an absolute target is the image's business, not the host's). */
  readonly symlink?: string;
}

/** The roots a check's container can have; see {@link CheckSpec.rootfs}. */
export type CheckRootfs = 'busybox' | 'vm-root';

/** The OCI runtimes the VM has, for the `oci` route. */
export type OciRuntime = 'crun' | 'runc';

/** How a check starts its container; see {@link CheckSpec.route}. */
export type CheckRoute = 'run' | 'template' | 'volt-run' | 'volt-apply' | 'oci' | 'kube';

/** One end-to-end check, as stored in e2e/checks/*.json and handed to the runner inside the VM. */
export interface CheckSpec {
  readonly name: string;
  /** The machine name; starts with `vtv`. */
  readonly machine: string;
  /**
   * `run`: systemd-nspawn started directly (scope); `template`: systemd-nspawn@NAME.service. Both take a
   * hand-written plan or one rendered on the host from `profile`. `volt-run` and `volt-apply` hand the
   * profile to the volt CLI inside the VM: `volt run`, or `volt apply` + `volt start`/`stop`; both end
   * with `volt remove`. `oci`: the profile's limits (`linux.resources`) and seccomp filter
   * (`linux.seccomp`), rendered on the host into an OCI runtime config, run in the VM by
   * {@link CheckSpec.ociRuntime}. `kube`: the profile rendered on the host as Kubernetes manifests, played
   * in the VM by podman (`kube play`).
   */
  readonly route: CheckRoute;
  /** The OCI runtime of an `oci` check: crun (the default) or runc. */
  readonly ociRuntime?: OciRuntime;
  readonly plan: CheckPlan;
  /**
   * A Volt profile document: the host renders it with @volt/nspawn into `plan` (argv and files for
   * `run`, files for `template`). A check has either a hand-written plan or a profile.
   */
  readonly profile?: Readonly<Record<string, unknown>>;
  /** The leased address the renderer puts in a private container's network file (as `volt apply` would). */
  readonly containerAddress?: string;
  /**
   * The container's root: `busybox` (the default: busybox applets, no init) or `vm-root`, the VM's own
   * Debian root with systemd under a throw-away overlay, for a container that boots (`boot: true`). On
   * `vm-root` the payload runs as the profile's `workloadUnit`, started by the container's systemd.
   */
  readonly rootfs?: CheckRootfs;
  /** A shell script the runner writes to PAYLOAD_PATH in the container's rootfs. */
  readonly payload?: string;
  /** Files and symlinks the image ships: planted in the rootfs after it is made, before Volt runs. */
  readonly rootfsEntries?: readonly RootfsEntry[];
  /** Commands run on the VM host before the container starts (argv lists). */
  readonly setup?: readonly (readonly string[])[];
  /** Commands run on the VM host after the container is gone, also after a failure. */
  readonly teardown?: readonly (readonly string[])[];
  /** For the `run` route: observe only once the output matches this regular expression. */
  readonly readyOutput?: string;
  /** Observe only once this file (relative to the container's directory) exists: the payload's signal. */
  readonly readyFile?: string;
  readonly expect: readonly Expectation[];
  /** Seconds the container may take to become ready and to finish (default 60). */
  readonly timeoutSeconds?: number;
}

const fileName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a file name in that directory, e.g. memory.max');
const regex = z.string().refine((text) => {
  try {
    new RegExp(text, 'm');
    return true;
  } catch {
    return false;
  }
}, 'a valid regular expression');
const argv = z.array(z.string()).min(1);
const rootfsPath = z
  .string()
  .regex(
    /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    'a relative path inside the rootfs, e.g. var/vtv-result',
  );

const expectationSchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.enum(['cgroup', 'leaderCgroup', 'leader']),
      file: fileName,
      equals: z.string().optional(),
      matches: regex.optional(),
    })
    .strict()
    .refine(
      (e) => (e.equals === undefined) !== (e.matches === undefined),
      'exactly one of equals or matches',
    ),
  z.object({ source: z.literal('host'), command: argv, matches: regex }).strict(),
  z
    .object({
      source: z.literal('rootfsFile'),
      file: rootfsPath,
      equals: z.string().optional(),
      matches: regex.optional(),
    })
    .strict()
    .refine(
      (e) => (e.equals === undefined) !== (e.matches === undefined),
      'exactly one of equals or matches',
    ),
  z.object({ source: z.literal('output'), matches: regex }).strict(),
  z.object({ source: z.literal('exit'), equals: z.number().int().min(0).max(255) }).strict(),
]);

const checkSchema = z
  .object({
    name: z.string().min(1),
    machine: z.string().regex(/^vtv/, 'a machine name that starts with vtv'),
    route: z.enum(['run', 'template', 'volt-run', 'volt-apply', 'oci', 'kube']),
    ociRuntime: z.enum(['crun', 'runc']).optional(),
    plan: z
      .object({
        args: z.array(z.string()).optional(),
        command: argv.optional(),
        nspawnFile: z.string().optional(),
        dropIn: z.string().optional(),
      })
      .strict()
      .optional(),
    profile: z.record(z.string(), z.unknown()).optional(),
    containerAddress: z.ipv4().optional(),
    rootfs: z.enum(['busybox', 'vm-root']).optional(),
    payload: z.string().optional(),
    rootfsEntries: z
      .array(
        z
          .object({ path: rootfsPath, text: z.string().optional(), symlink: z.string().min(1).optional() })
          .strict()
          .refine(
            (e) => (e.text === undefined) !== (e.symlink === undefined),
            'exactly one of text or symlink',
          ),
      )
      .optional(),
    setup: z.array(argv).optional(),
    teardown: z.array(argv).optional(),
    readyOutput: regex.optional(),
    readyFile: rootfsPath.optional(),
    expect: z.array(expectationSchema).min(1),
    timeoutSeconds: z.number().int().min(1).max(600).optional(),
  })
  .strict()
  .superRefine((check, context) => {
    const { plan, route, profile } = check;
    if ((route.startsWith('volt-') || route === 'oci' || route === 'kube') && profile === undefined) {
      context.addIssue({ code: 'custom', path: ['profile'], message: `the ${route} route needs a profile` });
    }
    if ((plan === undefined) === (profile === undefined)) {
      context.addIssue({ code: 'custom', path: ['plan'], message: 'exactly one of plan or profile' });
      return;
    }
    if (profile !== undefined && profile['name'] !== check.machine) {
      context.addIssue({
        code: 'custom',
        path: ['profile', 'name'],
        message: 'the profile name must be the machine name',
      });
    }
    if (
      plan !== undefined &&
      route === 'run' &&
      (plan.command === undefined || plan.nspawnFile !== undefined || plan.dropIn !== undefined)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['plan'],
        message: 'the run route takes args and command only',
      });
    }
    if (
      plan !== undefined &&
      route === 'template' &&
      (plan.nspawnFile === undefined || plan.args !== undefined || plan.command !== undefined)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['plan'],
        message: 'the template route takes nspawnFile and dropIn only',
      });
    }
    if (check.rootfs === 'vm-root') {
      const unit = check.profile?.['workloadUnit'];
      // The runner writes the unit into the rootfs before volt sees the profile: its name becomes a path.
      const unitName =
        typeof unit === 'string' && parseWorkloadUnitName(unit).ok && unit.endsWith('.service');
      if (route !== 'volt-apply' || check.profile?.['boot'] !== true || !unitName) {
        context.addIssue({
          code: 'custom',
          path: ['rootfs'],
          message:
            'a vm-root container is a booting volt-apply check whose profile names its workloadUnit (NAME.service)',
        });
      }
    }
    if (route !== 'oci' && check.ociRuntime !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['ociRuntime'],
        message: 'only an oci check has an OCI runtime',
      });
    }
    if (
      (route === 'oci' || route === 'kube') &&
      check.expect.some((e) => e.source !== 'output' && e.source !== 'exit')
    ) {
      context.addIssue({
        code: 'custom',
        path: ['expect'],
        message: `an ${route} container is not a registered machine: its checks observe output and exit only`,
      });
    }
    if (
      !runsInForeground(route) &&
      route !== 'volt-apply' &&
      check.expect.some((e) => e.source === 'output' || e.source === 'exit')
    ) {
      context.addIssue({
        code: 'custom',
        path: ['expect'],
        message: 'output and exit are observed for the run, volt-run, volt-apply, oci and kube routes only',
      });
    }
  });

/**
 * Validates one check read from JSON.
 *
 * @example
 * ```ts
 * const check = parseCheck(JSON.parse(text), 'checks/01-memory.json');
 * ```
 * @throws VoltError `INVALID_VALUE` naming the file and the field when the check is malformed, and
 * `INVALID_MACHINE_NAME` when the machine name is not one systemd accepts.
 */
export function parseCheck(data: unknown, source: string): CheckSpec {
  const parsed = checkSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VoltError('INVALID_VALUE', `${source}: ${issue?.message ?? 'invalid check'}`, {
      path: (issue?.path ?? []).filter((part): part is string | number => typeof part !== 'symbol'),
      hint: 'see e2e/README.md, "Adding a check"',
    });
  }
  const machine = parseMachineName(parsed.data.machine);
  if (!machine.ok) throw machine.error.at(['machine']);
  const { plan, ...rest } = parsed.data;
  return { ...rest, plan: plan ?? {} } as CheckSpec;
}

/**
 * Reads every `*.json` file of `directory` in name order as a check, and refuses duplicate names or
 * machines.
 *
 * @example
 * ```ts
 * const checks = await loadChecks('e2e/checks');
 * ```
 * @throws VoltError `INVALID_VALUE` for a malformed file, `CONFLICT` for a repeated name or machine.
 */
export async function loadChecks(directory: string): Promise<readonly CheckSpec[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.json')).sort();
  const checks: CheckSpec[] = [];
  for (const file of files) {
    const text = await readFile(join(directory, file), 'utf8');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (cause) {
      throw new VoltError('PARSE_ERROR', `checks/${file} is not JSON`, { cause });
    }
    checks.push(parseCheck(data, `checks/${file}`));
  }
  for (const key of ['name', 'machine'] as const) {
    const seen = new Set<string>();
    for (const check of checks) {
      if (seen.has(check[key])) throw new VoltError('CONFLICT', `two checks use the ${key} ${check[key]}`);
      seen.add(check[key]);
    }
  }
  return checks;
}

/**
 * The start-up benchmark inside the VM: `volt run PROFILE` against systemd-nspawn with the argv and
 * environment the same profile renders to, each timed from spawn to `marker` on the payload's output.
 */
export interface BenchSpec {
  readonly name: string;
  readonly machine: string;
  readonly profile: Readonly<Record<string, unknown>>;
  readonly payload: string;
  readonly marker: string;
  readonly rounds: number;
  readonly plainArgv: readonly string[];
  readonly plainEnvironment: Readonly<Record<string, string>>;
}
