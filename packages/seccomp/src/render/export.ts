import { describeValue, fail, ok, type Result, type SeccompConfig, type Valid, VoltError } from '@volt/core';
import type { SeccompArch } from '../model/catalog.js';
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
      `unknown format ${describeValue(input)}; accepted: ${SECCOMP_EXPORT_FORMATS.join(', ')}`,
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
 * @throws {@link VoltError} `CONFLICT` for an nspawn combination that cannot work (see
 *   {@link renderNspawnSeccomp}).
 * @example
 * ```ts
 * exportSeccomp(unwrap(parseSeccompConfig('strict')), { format: 'bpf', arch: 'x86_64' }) instanceof Uint8Array; // true
 * ```
 */
export function exportSeccomp(
  config: Valid<SeccompConfig>,
  options: SeccompExportOptions,
): Uint8Array | string {
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
