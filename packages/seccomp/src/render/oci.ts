import type { SeccompAction, SeccompConfig, Valid } from '@volt/core';
import { type SeccompArch, syscallNumber } from '../model/catalog.js';
import { type ExpandedMobyProfile, type MobyArg, SCMP_ARCH_NAMES, type ScmpAction } from '../model/moby.js';
import { resolveSeccompNames } from '../model/profiles.js';

/** One rule of the OCI runtime-spec `linux.seccomp.syscalls`. */
export interface OciSeccompRule {
  readonly names: readonly string[];
  readonly action: ScmpAction;
  readonly errnoRet?: number;
  readonly args?: readonly MobyArg[];
}

/** The OCI runtime-spec `linux.seccomp` object. */
export interface OciSeccomp {
  readonly defaultAction: ScmpAction;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly string[];
  readonly syscalls: readonly OciSeccompRule[];
}

function ociAction(action: SeccompAction): { action: ScmpAction; errnoRet?: number } {
  if (action.kind === 'errno') return { action: 'SCMP_ACT_ERRNO', errnoRet: action.errno };
  if (action.kind === 'kill-process') return { action: 'SCMP_ACT_KILL_PROCESS' };
  return { action: 'SCMP_ACT_LOG' };
}

/**
 * Renders a configuration as OCI runtime-spec `linux.seccomp` for the given architectures. Only the
 * native architectures are listed, so a runtime kills calls from any other ABI (i386, x32), as the BPF
 * compiler does. Names that none of the architectures has are left out.
 *
 * @example
 * ```ts
 * renderOciSeccomp(unwrap(parseSeccompConfig('strict')), ['x86_64']);
 * // { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: [...], action: 'SCMP_ACT_ALLOW' }] }
 * ```
 */
export function renderOciSeccomp(config: Valid<SeccompConfig>, arches: readonly SeccompArch[]): OciSeccomp {
  const resolved = resolveSeccompNames(config);
  const onSomeArch = (name: string): boolean =>
    arches.some((arch) => syscallNumber(arch, name) !== undefined);
  const architectures = arches.map((arch) => SCMP_ARCH_NAMES[arch]);
  const denied = ociAction(resolved.action);
  if (resolved.mode === 'allowlist') {
    const names = [...resolved.allowed].filter(onSomeArch).sort();
    const { action, errnoRet } = denied;
    return {
      defaultAction: action,
      ...(errnoRet === undefined ? {} : { defaultErrnoRet: errnoRet }),
      architectures,
      syscalls: names.length === 0 ? [] : [{ names, action: 'SCMP_ACT_ALLOW' }],
    };
  }
  const names = [...resolved.denied].filter(onSomeArch).sort();
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures,
    syscalls: names.length === 0 ? [] : [{ names, ...denied }],
  };
}

/**
 * The OCI `linux.seccomp` of an expanded Docker profile: what moby hands to runc for that
 * architecture and capability set.
 *
 * @example
 * ```ts
 * mobyToOci(expandMobyProfile(profile, { arch: 'x86_64', capabilities: [] })).architectures[0];
 * // 'SCMP_ARCH_X86_64'
 * ```
 */
export function mobyToOci(expanded: ExpandedMobyProfile): OciSeccomp {
  return {
    defaultAction: expanded.defaultAction,
    ...(expanded.defaultErrnoRet === undefined ? {} : { defaultErrnoRet: expanded.defaultErrnoRet }),
    architectures: expanded.architectures,
    syscalls: expanded.rules.map((rule) => ({
      names: rule.names,
      action: rule.action,
      ...(rule.errnoRet === undefined ? {} : { errnoRet: rule.errnoRet }),
      ...(rule.args.length === 0 ? {} : { args: rule.args }),
    })),
  };
}
