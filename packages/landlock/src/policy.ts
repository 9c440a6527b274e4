import {
  describeValue,
  fail,
  failAll,
  fieldTypeChecker,
  frozenCopy,
  type InputPath,
  isRecord,
  LANDLOCK_COMPATIBILITY_MODES,
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_LOG_FLAGS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_SCOPES,
  type LandlockFsRight,
  type LandlockNetRight,
  type LandlockPolicy,
  ok,
  parseInteger,
  type RememberingValidator,
  type Result,
  rememberValidated,
  VoltError,
  wrongType,
} from '@volt/core';
import { sortRights } from './rights.js';

/**
 * The longest path the kernel accepts, in bytes, without the terminating NUL (PATH_MAX - 1).
 *
 * @example
 * ```ts
 * parseLandlockPath(`/${'x'.repeat(LANDLOCK_PATH_MAX)}`).ok; // false
 * ```
 */
export const LANDLOCK_PATH_MAX = 4095;

/**
 * Parses a path for a Landlock rule and normalises it: repeated slashes collapse, `.` components and a
 * trailing slash go. Any byte but NUL is accepted (Landlock paths never reach a text format), but the path
 * must be absolute and must not contain `..`: rules bind to the inode the path names when the policy is
 * applied, so `..` could only be resolved against the live filesystem.
 *
 * @example
 * ```ts
 * parseLandlockPath('/srv//my data/./'); // { ok: true, value: '/srv/my data' }
 * parseLandlockPath('tmp').ok; // false, code INVALID_PATH
 * ```
 */
export function parseLandlockPath(text: unknown): Result<string> {
  const accepted = "accepted: an absolute path of any bytes but NUL, without '..', at most 4095 bytes";
  const invalid = (why: string) =>
    fail<string>(
      new VoltError('INVALID_PATH', `${describeValue(text)} is not a valid path: ${why}; ${accepted}`),
    );
  if (typeof text !== 'string') return invalid('it is not a string');
  if (!text.startsWith('/')) return invalid('it is not absolute');
  if (text.includes('\0')) return invalid('it contains a NUL byte');
  if (Buffer.byteLength(text) > LANDLOCK_PATH_MAX) return invalid('it is longer than PATH_MAX');
  const parts = text.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return invalid("it contains '..'");
  return ok(`/${parts.join('/')}`);
}

/**
 * Parses a TCP port for a Landlock rule: 0..65535. Port 0 is valid: a `bind-tcp` rule on port 0 allows
 * binding to an ephemeral port.
 *
 * @example
 * ```ts
 * parseLandlockPort(0); // { ok: true, value: 0 }
 * parseLandlockPort(65536).ok; // false, code INVALID_PORT
 * ```
 */
export function parseLandlockPort(input: unknown): Result<number> {
  const result =
    typeof input === 'number' || typeof input === 'string'
      ? parseInteger(input, { min: 0, max: 65535, what: 'a TCP port' })
      : parseInteger(Number.NaN, { min: 0, max: 65535, what: 'a TCP port' });
  return result.ok ? result : fail(new VoltError('INVALID_PORT', result.error.message));
}

function checkNames<T extends string>(
  names: unknown,
  known: readonly T[],
  what: string,
  path: InputPath,
  issues: VoltError[],
): T[] {
  if (!Array.isArray(names)) {
    issues.push(
      new VoltError('INVALID_ACCESS_RIGHT', `${what} must be a list; accepted: ${known.join(', ')}`, {
        path,
      }),
    );
    return [];
  }
  const good: T[] = [];
  names.forEach((name: unknown, index) => {
    if (typeof name === 'string' && (known as readonly string[]).includes(name)) good.push(name as T);
    else
      issues.push(
        new VoltError(
          'INVALID_ACCESS_RIGHT',
          `${describeValue(name)} is not a known ${what}; accepted: ${known.join(', ')}`,
          { path: [...path, index] },
        ),
      );
  });
  return sortRights(known, good);
}

function notHandled(rights: readonly string[], handled: readonly string[], kind: string): string | undefined {
  const extra = rights.filter((right) => !handled.includes(right));
  if (extra.length === 0) return undefined;
  return `it grants ${extra.join(', ')}, which the policy does not handle; accepted: rights listed in ${kind} (add them there or remove them from the rule)`;
}

const checkRuleListTypes = fieldTypeChecker({ paths: 'list', ports: 'list' });

function checkLandlockPolicy(input: LandlockPolicy): Result<LandlockPolicy> {
  const wrongTypes = failAll<LandlockPolicy>(checkRuleListTypes(input, []));
  if (wrongTypes !== undefined) return wrongTypes;
  const issues: VoltError[] = [];
  const handledFs = checkNames(
    input.handledFs,
    LANDLOCK_FS_RIGHTS,
    'filesystem right',
    ['handledFs'],
    issues,
  );
  const handledNet = checkNames(
    input.handledNet,
    LANDLOCK_NET_RIGHTS,
    'network right',
    ['handledNet'],
    issues,
  );
  const scopes = checkNames(input.scopes, LANDLOCK_SCOPES, 'scope', ['scopes'], issues);
  const logFlags = checkNames(input.logFlags, LANDLOCK_LOG_FLAGS, 'logging flag', ['logFlags'], issues);
  if (!LANDLOCK_COMPATIBILITY_MODES.includes(input.compatibility)) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `${describeValue(input.compatibility)} is not a compatibility mode; accepted: ${LANDLOCK_COMPATIBILITY_MODES.join(', ')}`,
        { path: ['compatibility'] },
      ),
    );
  }
  if (typeof input.threadSync !== 'boolean') {
    issues.push(new VoltError('INVALID_VALUE', 'threadSync must be true or false', { path: ['threadSync'] }));
  }

  const paths = new Map<string, { access: Set<LandlockFsRight>; optional: boolean }>();
  input.paths.forEach((rule, index) => {
    const where: InputPath = ['paths', index];
    if (!isRecord(rule)) {
      issues.push(wrongType(where, 'a path rule { path, access, optional? }', rule));
      return;
    }
    const path = parseLandlockPath(rule.path);
    if (!path.ok) issues.push(path.error.at([...where, 'path']));
    const access = checkNames(
      rule.access,
      LANDLOCK_FS_RIGHTS,
      'filesystem right',
      [...where, 'access'],
      issues,
    );
    const problem =
      access.length === 0
        ? 'it grants no right; accepted: at least one filesystem right'
        : notHandled(access, handledFs, 'handledFs');
    if (problem !== undefined)
      issues.push(
        new VoltError('INVALID_ACCESS_RIGHT', `the rule for ${describeValue(rule.path)}: ${problem}`, {
          path: [...where, 'access'],
        }),
      );
    if (!path.ok) return;
    const merged = paths.get(path.value);
    const optional = rule.optional === true;
    if (merged === undefined) paths.set(path.value, { access: new Set(access), optional });
    else {
      for (const right of access) merged.access.add(right);
      merged.optional &&= optional;
    }
  });

  const ports = new Map<number, Set<LandlockNetRight>>();
  input.ports.forEach((rule, index) => {
    const where: InputPath = ['ports', index];
    if (!isRecord(rule)) {
      issues.push(wrongType(where, 'a port rule { port, access }', rule));
      return;
    }
    const port = parseLandlockPort(rule.port);
    if (!port.ok) issues.push(port.error.at([...where, 'port']));
    const access = checkNames(
      rule.access,
      LANDLOCK_NET_RIGHTS,
      'network right',
      [...where, 'access'],
      issues,
    );
    const problem =
      access.length === 0
        ? 'it grants no right; accepted: bind-tcp and/or connect-tcp'
        : notHandled(access, handledNet, 'handledNet');
    if (problem !== undefined)
      issues.push(
        new VoltError('INVALID_ACCESS_RIGHT', `the rule for port ${describeValue(rule.port)}: ${problem}`, {
          path: [...where, 'access'],
        }),
      );
    if (!port.ok) return;
    const merged = ports.get(port.value) ?? new Set();
    for (const right of access) merged.add(right);
    ports.set(port.value, merged);
  });

  const failed = failAll<LandlockPolicy>(issues);
  if (failed !== undefined) return failed;
  const valid = freezePolicy({
    handledFs,
    handledNet,
    paths: [...paths].map(([path, rule]) => ({
      path,
      access: sortRights(LANDLOCK_FS_RIGHTS, rule.access),
      optional: rule.optional,
    })),
    ports: [...ports].map(([port, access]) => ({ port, access: sortRights(LANDLOCK_NET_RIGHTS, access) })),
    scopes,
    logFlags,
    threadSync: input.threadSync,
    compatibility: input.compatibility,
  });
  return ok(valid);
}

/**
 * Checks and normalises a Landlock policy, reporting every problem at once: known right, scope and flag
 * names; absolute paths without NUL or `..`; ports 0..65535; every granted right also handled; no rule
 * without rights. Rights come back in kernel bit order and duplicate paths or ports are merged into one
 * rule (the union of their rights; a merged path is optional only if every duplicate was). The result is
 * frozen, and checked only once: the result validated again (a preset passed through several layers)
 * is accepted at once.
 *
 * Whether a path is a directory is only known where the policy is applied: the helper checks it (see the
 * `fileRights` option of the enforcement functions).
 *
 * @example
 * ```ts
 * const checked = validateLandlockPolicy({ ...landlockPreset('server'), ports: [{ port: 70000, access: ['bind-tcp'] }] });
 * checked.ok; // false, code INVALID_PORT at ports[0].port
 * ```
 */
export const validateLandlockPolicy: RememberingValidator<LandlockPolicy, []> =
  rememberValidated(checkLandlockPolicy);

/**
 * Deep-freezes a policy so that no holder can change it under another.
 *
 * @example
 * ```ts
 * Object.isFrozen(freezePolicy(policy).paths[0]); // true
 * ```
 */
export function freezePolicy(policy: LandlockPolicy): LandlockPolicy {
  return frozenCopy(policy);
}
