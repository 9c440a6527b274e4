import { VoltError } from '@volt/core';

/**
 * How the helper starts a workload: where it and its inputs are, as the wrapped command sees them
 * (container paths), and what it does besides Landlock.
 */
export interface HelperInvocation {
  readonly helperPath: string;
  /** The policy file (`renderHelperPolicy`); without one the helper applies no Landlock policy. */
  readonly policyPath?: string;
  /** An optional classic-BPF seccomp filter, installed last, right before the command runs. */
  readonly seccompPath?: string;
  /**
   * Stay as the command's init (a Boot=no container's PID 1): run it as a child, forward signals to it,
   * reap every child, and exit with its status.
   */
  readonly init?: boolean;
  /** host0's addresses, `ADDRESS/PREFIX` (a private container's lease), added before the command starts. */
  readonly addresses?: readonly string[];
  /** A default route through each of these gateways on host0. */
  readonly gateways?: readonly string[];
  /** A file bound over the image's `/etc/resolv.conf`, when it has one (a read-only root). */
  readonly resolvConf?: string;
}

/**
 * Wraps a command so that it runs under the helper: `helper [--policy P] [--seccomp-bpf F] [--address A]…
 * [--gateway G]… [--resolv-conf R] [--init] -- argv...`. For containers, the helper and its files are
 * bind-mounted read-only and every path is a container path. The command's first word is looked up in
 * `PATH` when it has no slash; `--` ends the helper's options, so the command is never read as one.
 *
 * @throws {@link VoltError} `USAGE` when argv is empty, `INVALID_PATH` when a path is not absolute.
 * @example
 * ```ts
 * const paths = { helperPath: '/run/volt/volt-landlock', policyPath: '/run/volt/policy' };
 * landlockWrapCommand(paths, ['/app/server']); // ['/run/volt/volt-landlock', '--policy', '/run/volt/policy', '--', '/app/server']
 * landlockWrapCommand({ helperPath: '/h', init: true, addresses: ['10.0.0.2/24'], gateways: ['10.0.0.1'] }, ['httpd']).join(' ');
 * // '/h --address 10.0.0.2/24 --gateway 10.0.0.1 --init -- httpd'
 * ```
 */
export function landlockWrapCommand(invocation: HelperInvocation, argv: readonly string[]): string[] {
  if (argv.length === 0)
    throw new VoltError('USAGE', 'no command to wrap; accepted: a command and its arguments');
  const { helperPath, policyPath, seccompPath, resolvConf } = invocation;
  for (const path of [helperPath, policyPath, seccompPath, resolvConf]) {
    if (path !== undefined && (!path.startsWith('/') || path.includes('\0')))
      throw new VoltError(
        'INVALID_PATH',
        `${JSON.stringify(path)} is not an absolute path; accepted: /absolute/path`,
      );
  }
  const option = (name: string, value: string | undefined) => (value === undefined ? [] : [name, value]);
  return [
    helperPath,
    ...option('--policy', policyPath),
    ...option('--seccomp-bpf', seccompPath),
    ...(invocation.addresses ?? []).flatMap((address) => ['--address', address]),
    ...(invocation.gateways ?? []).flatMap((gateway) => ['--gateway', gateway]),
    ...option('--resolv-conf', resolvConf),
    ...(invocation.init === true ? ['--init'] : []),
    '--',
    ...argv,
  ];
}
