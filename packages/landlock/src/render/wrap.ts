import { VoltError } from '@volt/core';

/** Where the helper and its policy are, as the wrapped command sees them (container paths). */
export interface LandlockWrapPaths {
  readonly helperPath: string;
  readonly policyPath: string;
  /** An optional classic-BPF seccomp filter, installed last, right before the command runs. */
  readonly seccompPath?: string;
}

/**
 * Wraps a command so that it runs under the helper: `helper --policy P [--seccomp-bpf F] -- argv...`.
 * For containers, the helper and the policy are bind-mounted read-only and every path is a container
 * path. The command's first word is looked up in `PATH` when it has no slash.
 *
 * @throws {@link VoltError} `USAGE` when argv is empty, `INVALID_PATH` when a path is not absolute.
 * @example
 * ```ts
 * const paths = { helperPath: '/run/volt/volt-landlock', policyPath: '/run/volt/policy' };
 * landlockWrapCommand(paths, ['/app/server']); // ['/run/volt/volt-landlock', '--policy', '/run/volt/policy', '--', '/app/server']
 * ```
 */
export function landlockWrapCommand(paths: LandlockWrapPaths, argv: readonly string[]): string[] {
  if (argv.length === 0)
    throw new VoltError('USAGE', 'no command to wrap; accepted: a command and its arguments');
  for (const path of [paths.helperPath, paths.policyPath, paths.seccompPath]) {
    if (path !== undefined && (!path.startsWith('/') || path.includes('\0')))
      throw new VoltError(
        'INVALID_PATH',
        `${JSON.stringify(path)} is not an absolute path; accepted: /absolute/path`,
      );
  }
  return [
    paths.helperPath,
    '--policy',
    paths.policyPath,
    ...(paths.seccompPath === undefined ? [] : ['--seccomp-bpf', paths.seccompPath]),
    '--',
    ...argv,
  ];
}
