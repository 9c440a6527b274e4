import { fail, ok, type Result, type SeccompAction, type SeccompConfig, VoltError } from '@volt/core';
import { SECCOMP_ARCHES, type SeccompArch } from './catalog.js';
import { compileSeccompBpf } from './compile.js';
import { renderNspawnSeccomp } from './nspawn.js';
import { renderOciSeccomp } from './oci.js';

/**
 * The formats `volt seccomp export` writes.
 *
 * @example
 * ```ts
 * SECCOMP_EXPORT_FORMATS; // ['bpf', 'oci', 'nspawn']
 * ```
 */
export const SECCOMP_EXPORT_FORMATS = ['bpf', 'oci', 'nspawn'] as const;
/** One of {@link SECCOMP_EXPORT_FORMATS}. */
export type SeccompExportFormat = (typeof SECCOMP_EXPORT_FORMATS)[number];

/** The seccomp part of a profile as written by a user: every field optional. */
export interface PartialSeccompConfig {
  readonly profile?: SeccompConfig['profile'] | undefined;
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
  readonly action?: SeccompAction | undefined;
}

/**
 * The action when none is given: fail the call with EPERM, as systemd-nspawn does.
 *
 * @example
 * ```ts
 * DEFAULT_SECCOMP_ACTION; // { kind: 'errno', errno: 1 }
 * ```
 */
export const DEFAULT_SECCOMP_ACTION: SeccompAction = { kind: 'errno', errno: 1 };

/**
 * Fills in the defaults of a partial seccomp configuration: profile `default`, no extra allow or
 * deny entries, action errno EPERM.
 *
 * @example
 * ```ts
 * seccompConfigFrom({ profile: 'strict' }); // { profile: 'strict', allow: [], deny: [], action: { kind: 'errno', errno: 1 } }
 * ```
 */
export function seccompConfigFrom(part: PartialSeccompConfig = {}): SeccompConfig {
  return {
    profile: part.profile ?? 'default',
    allow: part.allow ?? [],
    deny: part.deny ?? [],
    action: part.action ?? DEFAULT_SECCOMP_ACTION,
  };
}

/**
 * Parses an architecture name.
 *
 * @example
 * ```ts
 * parseSeccompArch('aarch64'); // { ok: true, value: 'aarch64' }
 * parseSeccompArch('arm64').ok; // false
 * ```
 */
export function parseSeccompArch(input: string): Result<SeccompArch> {
  if ((SECCOMP_ARCHES as readonly string[]).includes(input)) return ok(input as SeccompArch);
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `unknown architecture ${JSON.stringify(input)}; accepted: ${SECCOMP_ARCHES.join(', ')}`,
    ),
  );
}

/**
 * Parses an export format name.
 *
 * @example
 * ```ts
 * parseSeccompExportFormat('oci'); // { ok: true, value: 'oci' }
 * ```
 */
export function parseSeccompExportFormat(input: string): Result<SeccompExportFormat> {
  if ((SECCOMP_EXPORT_FORMATS as readonly string[]).includes(input)) return ok(input as SeccompExportFormat);
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `unknown format ${JSON.stringify(input)}; accepted: ${SECCOMP_EXPORT_FORMATS.join(', ')}`,
    ),
  );
}

/** Where and how to export. */
export interface SeccompExportOptions {
  readonly format: SeccompExportFormat;
  readonly arch: SeccompArch;
  /** nspawn format only: the container boots systemd (Boot=yes). */
  readonly boot?: boolean;
}

/**
 * Exports a configuration: `bpf` gives the raw `struct sock_filter` array for `arch`; `oci` the
 * runtime-spec `linux.seccomp` JSON for `arch`; `nspawn` a `.nspawn` `[Exec]` fragment with the
 * matching command-line arguments and environment as comments (trusted settings file assumed).
 *
 * @throws {@link VoltError} `INVALID_SYSCALL`, `INVALID_PROFILE`, `INVALID_VALUE` for an invalid config,
 *   `CONFLICT` for an nspawn combination that cannot work (see {@link renderNspawnSeccomp}).
 * @example
 * ```ts
 * exportSeccomp(seccompConfigFrom({ profile: 'strict' }), { format: 'bpf', arch: 'x86_64' }) instanceof Uint8Array; // true
 * ```
 */
export function exportSeccomp(config: SeccompConfig, options: SeccompExportOptions): Uint8Array | string {
  if (options.format === 'bpf') return compileSeccompBpf(config, options.arch);
  if (options.format === 'oci')
    return `${JSON.stringify(renderOciSeccomp(config, [options.arch]), null, 2)}\n`;
  const rendered = renderNspawnSeccomp(config, { boot: options.boot ?? false, settingsTrusted: true });
  if (!rendered.ok) throw rendered.error;
  const { arguments: args, systemCallFilter, environment, notes } = rendered.value;
  const lines = [
    `# seccomp profile ${config.profile} for systemd-nspawn 252 (trusted settings file)`,
    ...args.map((arg) => `# command line: ${arg}`),
    ...Object.entries(environment).map(([key, value]) => `# environment of systemd-nspawn: ${key}=${value}`),
    ...notes.map((note) => `# note: ${note}`),
    '[Exec]',
    ...systemCallFilter.map((value) => `SystemCallFilter=${value}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The seccomp architecture of a Node.js `process.arch` value, for filters meant for this host.
 *
 * @example
 * ```ts
 * seccompArchOfNode('x64'); // { ok: true, value: 'x86_64' }
 * seccompArchOfNode('ia32').ok; // false, UNSUPPORTED
 * ```
 */
export function seccompArchOfNode(nodeArch: string): Result<SeccompArch> {
  if (nodeArch === 'x64') return ok('x86_64');
  if (nodeArch === 'arm64') return ok('aarch64');
  return fail(
    new VoltError(
      'UNSUPPORTED',
      `no seccomp filter for the ${nodeArch} architecture; supported: x64 (x86_64), arm64 (aarch64)`,
    ),
  );
}
