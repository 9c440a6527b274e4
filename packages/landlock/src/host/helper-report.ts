import { fail, ok, type Result, VoltError, type VoltErrorCode } from '@volt/core';
import { LANDLOCK_ENFORCEMENTS, type LandlockDropped, type LandlockEnforcement } from '../model/compat.js';

/** The ruleset the helper gave the kernel, as bit masks. */
export interface HelperRuleset {
  readonly fs: number;
  readonly net: number;
  readonly scoped: number;
  readonly restrictFlags: number;
}

/** What the helper reported on its status descriptor. */
export interface HelperReport {
  /** The ABI its decisions used (0: no Landlock). */
  readonly abi: number;
  readonly errata: number;
  /** How much of the policy this kernel enforces, as the helper decided. */
  readonly enforcement?: LandlockEnforcement;
  /** What the downgrade dropped: rights, scopes and flags the kernel lacks, rules left without rights. */
  readonly dropped: readonly LandlockDropped[];
  /** Rule paths skipped or cut when they were opened: missing, symlinks, directory-only rights on files. */
  readonly skipped: readonly LandlockDropped[];
  /** The ruleset the kernel got, when something is enforced. */
  readonly ruleset?: HelperRuleset;
  /** The rules added to it, with their rights as bit masks. */
  readonly rules: {
    readonly paths: readonly { readonly path: string; readonly access: number }[];
    readonly ports: readonly { readonly port: number; readonly access: number }[];
  };
  /** True once `landlock_restrict_self()` succeeded. */
  readonly enforced: boolean;
  /** Why nothing was enforced, when the helper runs the command unconfined. */
  readonly unenforced?: string;
  /** What the helper set up in the container (host0's address, resolv.conf), as one line. */
  readonly container?: string;
  /** Number of seccomp instructions installed, if a filter was given. */
  readonly seccompInstructions?: number;
  /** True when the helper waits for the caller's acknowledgement before it executes (`--status-ack`). */
  readonly ready: boolean;
  /** True when the helper got as far as executing the command. */
  readonly executing: boolean;
  /** The helper's error, if it stopped before running the command. */
  readonly error?: VoltError;
}

const HELPER_ERROR_CODES: Readonly<Record<string, VoltErrorCode>> = {
  'missing-path': 'INVALID_PATH',
  'symlink-path': 'INVALID_PATH',
  'not-a-directory': 'INVALID_ACCESS_RIGHT',
  usage: 'USAGE',
  'bad-policy': 'PARSE_ERROR',
  'bad-seccomp': 'PARSE_ERROR',
  unsupported: 'UNSUPPORTED',
  'not-found': 'NOT_FOUND',
  'permission-denied': 'PERMISSION_DENIED',
};

const HELPER_ERROR_HINTS: Readonly<Record<string, string>> = {
  'missing-path': 'create the path, or mark the rule optional (volt sandbox run --ignore-missing)',
  'symlink-path': 'name the path the link points to, or mark the rule optional to skip it',
  'not-a-directory': "grant only file rights on files, or use the 'mask' file-rights mode",
};

/** Records and how many tokens follow each. */
const RECORD_SIZES: Readonly<Record<string, number>> = {
  abi: 1,
  errata: 1,
  enforcement: 1,
  dropped: 2,
  skipped: 2,
  'handled-fs': 1,
  'handled-net': 1,
  scoped: 1,
  'restrict-flags': 1,
  'rule-path': 2,
  'rule-port': 2,
  container: 1,
  enforced: 0,
  unenforced: 1,
  seccomp: 1,
  ready: 0,
  exec: 0,
  error: 2,
};

/**
 * Parses the status records the helper writes to `--status-fd`: NUL-terminated tokens `abi N`,
 * `errata N`, `enforcement fully|partially|not`, `dropped NAME REASON`, `skipped NAME REASON`,
 * `handled-fs MASK`, `handled-net MASK`, `scoped MASK`, `restrict-flags MASK`, `rule-path MASK PATH`,
 * `rule-port MASK PORT`, `container TEXT`, `enforced`, `unenforced REASON`, `seccomp COUNT`, `ready`,
 * `exec`, `error KIND MESSAGE`.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode('abi\u00007\u0000errata\u00001\u0000enforced\u0000exec\u0000');
 * parseHelperReport(bytes).ok; // true
 * ```
 */
export function parseHelperReport(bytes: Uint8Array): Result<HelperReport> {
  const tokens = new TextDecoder().decode(bytes).split('\0');
  const trailing = tokens.pop();
  const broken = (why: string) =>
    fail<HelperReport>(new VoltError('PARSE_ERROR', `the helper's status report is malformed: ${why}`));
  if (trailing !== '') return broken('it does not end with a NUL byte');
  const numbers = new Map<string, number>();
  const texts = new Map<string, string>();
  const dropped: LandlockDropped[] = [];
  const skipped: LandlockDropped[] = [];
  const paths: { path: string; access: number }[] = [];
  const ports: { port: number; access: number }[] = [];
  const flags = new Set<string>();
  let error: VoltError | undefined;
  for (let index = 0; index < tokens.length; ) {
    const kind = tokens[index++] as string;
    const size = RECORD_SIZES[kind];
    if (size === undefined) return broken(`unknown record ${JSON.stringify(kind)}`);
    if (index + size > tokens.length) return broken(`the record ${kind} is cut short`);
    const [first = '', second = ''] = tokens.slice(index, index + size);
    index += size;
    if (size === 0) flags.add(kind);
    else if (kind === 'dropped' || kind === 'skipped')
      (kind === 'dropped' ? dropped : skipped).push({ feature: first, reason: second });
    else if (kind === 'rule-path') paths.push({ path: second, access: Number(first) });
    else if (kind === 'rule-port') ports.push({ port: Number(second), access: Number(first) });
    else if (kind === 'error') {
      const hint = HELPER_ERROR_HINTS[first];
      error = new VoltError(HELPER_ERROR_CODES[first] ?? 'SYSTEM_ERROR', `volt-landlock: ${second}`, {
        ...(hint === undefined ? {} : { hint }),
      });
    } else if (kind === 'enforcement' || kind === 'container' || kind === 'unenforced')
      texts.set(kind, first);
    else {
      const value = Number(first);
      if (!Number.isSafeInteger(value) || value < 0) return broken(`${kind} is not a number`);
      numbers.set(kind, value);
    }
  }
  const enforcement = LANDLOCK_ENFORCEMENTS.find((value) => value === texts.get('enforcement'));
  if (texts.has('enforcement') && enforcement === undefined) return broken('unknown enforcement');
  if ([...paths, ...ports].some((rule) => !Number.isSafeInteger(rule.access)))
    return broken('a rule is not a number');
  const unenforced = texts.get('unenforced');
  const container = texts.get('container');
  const seccompInstructions = numbers.get('seccomp');
  const fs = numbers.get('handled-fs');
  return ok({
    abi: numbers.get('abi') ?? 0,
    errata: numbers.get('errata') ?? 0,
    ...(enforcement === undefined ? {} : { enforcement }),
    dropped,
    skipped,
    ...(fs === undefined
      ? {}
      : {
          ruleset: {
            fs,
            net: numbers.get('handled-net') ?? 0,
            scoped: numbers.get('scoped') ?? 0,
            restrictFlags: numbers.get('restrict-flags') ?? 0,
          },
        }),
    rules: { paths, ports },
    enforced: flags.has('enforced'),
    ...(unenforced === undefined ? {} : { unenforced }),
    ...(container === undefined ? {} : { container }),
    ...(seccompInstructions === undefined ? {} : { seccompInstructions }),
    ready: flags.has('ready'),
    executing: flags.has('exec'),
    ...(error === undefined ? {} : { error }),
  });
}
