import {
  fail,
  failAll,
  type InputPath,
  isRecord,
  type LandlockCompatibility,
  type LandlockLogFlag,
  type LandlockPolicy,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { landlockAbiFeatures } from './abi.js';
import { parsePolicyObject } from './policy.js';
import { LANDLOCK_READ_EXEC } from './rights.js';

/**
 * A Landlock policy document in the shape of the landlockconfig project's JSON format (`ruleset` with
 * `handledAccessFs` / `handledAccessNet` / `scoped`, `pathBeneath`, `netPort`; names with underscores,
 * `abi.*` groups), plus a `volt` object for what that format does not carry.
 */
export interface LandlockConfigDocument {
  readonly abi?: number;
  readonly ruleset?: readonly {
    readonly handledAccessFs?: readonly string[];
    readonly handledAccessNet?: readonly string[];
    readonly scoped?: readonly string[];
  }[];
  readonly pathBeneath?: readonly {
    readonly allowedAccess: readonly string[];
    readonly parent: readonly string[];
  }[];
  readonly netPort?: readonly {
    readonly allowedAccess: readonly string[];
    readonly port: readonly number[];
  }[];
  /** Volt's extension; a plain landlockconfig reader must drop it. */
  readonly volt?: {
    readonly compatibility?: LandlockCompatibility;
    readonly logFlags?: readonly LandlockLogFlag[];
    readonly threadSync?: boolean;
    /** `parent` paths that are skipped when missing. */
    readonly optional?: readonly string[];
  };
}

type Group = 'all' | 'read_execute' | 'read_write';

/**
 * Access names as the policy spells them (`read_file` → `read-file`), `abi.*` groups expanded for the
 * document's ABI. Names are not checked here: the policy's validator does that.
 */
function expand(
  names: unknown,
  path: InputPath,
  abi: number | undefined,
  groups: Partial<Record<Group, (abi: number) => readonly string[]>>,
  issues: VoltError[],
): string[] {
  if (!Array.isArray(names)) {
    issues.push(new VoltError('PARSE_ERROR', 'expected a list of access names', { path }));
    return [];
  }
  return names.flatMap((name: unknown, index): string[] => {
    if (typeof name !== 'string') {
      issues.push(
        new VoltError('PARSE_ERROR', 'expected an access name (a string)', { path: [...path, index] }),
      );
      return [];
    }
    if (name.startsWith('abi.')) {
      const group = groups[name.slice(4) as Group];
      if (group === undefined) {
        issues.push(
          new VoltError(
            'INVALID_ACCESS_RIGHT',
            `${JSON.stringify(name)} is not a group here; accepted: ${Object.keys(groups)
              .map((g) => `abi.${g}`)
              .join(', ')}`,
            {
              path: [...path, index],
            },
          ),
        );
        return [];
      }
      if (abi === undefined) {
        issues.push(
          new VoltError('PARSE_ERROR', `${JSON.stringify(name)} needs the document's "abi" number`, {
            path: [...path, index],
          }),
        );
        return [];
      }
      return [...group(abi)];
    }
    return [name.replaceAll('_', '-')];
  });
}

const FS_GROUPS: Partial<Record<Group, (abi: number) => readonly string[]>> = {
  all: (abi) => landlockAbiFeatures(abi).fs,
  read_write: (abi) => landlockAbiFeatures(abi).fs,
  read_execute: (abi) => LANDLOCK_READ_EXEC.filter((right) => landlockAbiFeatures(abi).fs.includes(right)),
};
const NET_GROUPS: Partial<Record<Group, (abi: number) => readonly string[]>> = {
  all: (abi) => landlockAbiFeatures(abi).net,
};
const SCOPE_GROUPS: Partial<Record<Group, (abi: number) => readonly string[]>> = {
  all: (abi) => landlockAbiFeatures(abi).scopes,
};

function checkKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  path: InputPath,
  issues: VoltError[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      issues.push(
        new VoltError('PARSE_ERROR', `unknown key ${JSON.stringify(key)}; accepted: ${known.join(', ')}`, {
          path: [...path, key],
        }),
      );
  }
}

function list(value: unknown, path: InputPath, issues: VoltError[]): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  issues.push(new VoltError('PARSE_ERROR', 'expected a list', { path }));
  return [];
}

const POLICY_FIELD_IN_DOCUMENT: Readonly<Record<string, InputPath>> = {
  handledFs: ['ruleset', 'handledAccessFs'],
  handledNet: ['ruleset', 'handledAccessNet'],
  scopes: ['ruleset', 'scoped'],
  logFlags: ['volt', 'logFlags'],
  threadSync: ['volt', 'threadSync'],
  compatibility: ['volt', 'compatibility'],
};

/** One rule of the policy from a `pathBeneath` or `netPort` entry: one per `parent` path or `port`. */
interface DocumentRule {
  /** The path or the port. */
  readonly target: unknown;
  readonly access: readonly string[];
  /** Where the path or port is in the document. */
  readonly at: InputPath;
  /** Where the entry's `allowedAccess` is. */
  readonly accessAt: InputPath;
}

/** The rules of the `pathBeneath` (target `parent`) or `netPort` (target `port`) entries. */
function documentRules(
  document: Record<string, unknown>,
  entries: 'pathBeneath' | 'netPort',
  target: 'parent' | 'port',
  groups: Partial<Record<Group, (abi: number) => readonly string[]>>,
  abi: number | undefined,
  issues: VoltError[],
): DocumentRule[] {
  return list(document[entries], [entries], issues).flatMap((entry, index) => {
    const where: InputPath = [entries, index];
    if (!isRecord(entry)) {
      issues.push(new VoltError('PARSE_ERROR', 'expected an object', { path: where }));
      return [];
    }
    checkKeys(entry, ['allowedAccess', target], where, issues);
    const accessAt: InputPath = [...where, 'allowedAccess'];
    const access = expand(entry['allowedAccess'], accessAt, abi, groups, issues);
    return list(entry[target], [...where, target], issues).map((value, valueIndex) => ({
      target: value,
      access,
      at: [...where, target, valueIndex],
      accessAt,
    }));
  });
}

/** Where in the document a problem found in the flattened policy comes from. */
function locateInDocument(
  path: InputPath,
  paths: readonly DocumentRule[],
  ports: readonly DocumentRule[],
): InputPath {
  const [field, index, part] = path;
  const rule =
    typeof index === 'number' && (field === 'paths' || field === 'ports')
      ? (field === 'paths' ? paths : ports)[index]
      : undefined;
  if (rule !== undefined) return part === 'access' ? rule.accessAt : rule.at;
  return POLICY_FIELD_IN_DOCUMENT[String(field)] ?? path;
}

/** The same problem once, where several flattened rules of one document entry had it. */
function withoutRepeats(issues: readonly VoltError[]): VoltError[] {
  const key = (issue: VoltError) => `${issue.code} ${issue.path.join('.')} ${issue.message}`;
  return issues.filter((issue, index) => issues.findIndex((other) => key(other) === key(issue)) === index);
}

/**
 * Reads a landlockconfig-style JSON document (already parsed) into a validated policy. Several `ruleset`
 * entries are united; `abi.all`, `abi.read_execute` and `abi.read_write` expand for the document's `abi`.
 * Without a `volt` object, the policy is `best-effort` (as landlockconfig's own sandboxer), without logging
 * flags or thread sync, and no path is optional. The document's shape is checked here; the policy it
 * describes goes through {@link parseLandlockPolicy}, and each of its problems is reported at the place in
 * the document it comes from.
 *
 * @example
 * ```ts
 * const result = landlockPolicyFromConfig({ abi: 4, ruleset: [{ handledAccessNet: ['abi.all'] }], netPort: [{ allowedAccess: ['bind_tcp'], port: [80] }] });
 * result.ok && result.value.ports; // [{ port: 80, access: ['bind-tcp'] }]
 * landlockPolicyFromConfig({ abi: 1, pathBeneath: [{ allowedAccess: ['fly'], parent: ['/x'] }] }).ok; // false, code INVALID_VALUE
 * ```
 */
export function landlockPolicyFromConfig(document: unknown): Result<Valid<LandlockPolicy>> {
  const issues: VoltError[] = [];
  if (!isRecord(document))
    return fail(new VoltError('PARSE_ERROR', 'a Landlock policy document must be a JSON object'));
  checkKeys(document, ['abi', 'ruleset', 'pathBeneath', 'netPort', 'volt', 'variable'], [], issues);
  if (document['variable'] !== undefined)
    issues.push(
      new VoltError('PARSE_ERROR', 'landlockconfig variables are not supported; write the paths out', {
        path: ['variable'],
      }),
    );
  const abiValue = document['abi'];
  let abi: number | undefined;
  if (abiValue !== undefined) {
    if (typeof abiValue === 'number' && Number.isInteger(abiValue) && abiValue >= 1) abi = abiValue;
    else issues.push(new VoltError('PARSE_ERROR', 'abi must be a whole number from 1', { path: ['abi'] }));
  }

  const handledFs: string[] = [];
  const handledNet: string[] = [];
  const scopes: string[] = [];
  list(document['ruleset'], ['ruleset'], issues).forEach((entry, index) => {
    const where: InputPath = ['ruleset', index];
    if (!isRecord(entry)) {
      issues.push(new VoltError('PARSE_ERROR', 'expected an object', { path: where }));
      return;
    }
    checkKeys(entry, ['handledAccessFs', 'handledAccessNet', 'scoped'], where, issues);
    if (entry['handledAccessFs'] !== undefined)
      handledFs.push(
        ...expand(entry['handledAccessFs'], [...where, 'handledAccessFs'], abi, FS_GROUPS, issues),
      );
    if (entry['handledAccessNet'] !== undefined)
      handledNet.push(
        ...expand(entry['handledAccessNet'], [...where, 'handledAccessNet'], abi, NET_GROUPS, issues),
      );
    if (entry['scoped'] !== undefined)
      scopes.push(...expand(entry['scoped'], [...where, 'scoped'], abi, SCOPE_GROUPS, issues));
  });

  const volt = document['volt'];
  const extension = isRecord(volt) ? volt : {};
  if (volt !== undefined && !isRecord(volt))
    issues.push(new VoltError('PARSE_ERROR', 'expected an object', { path: ['volt'] }));
  checkKeys(extension, ['compatibility', 'logFlags', 'threadSync', 'optional'], ['volt'], issues);
  const optional = new Set(list(extension['optional'], ['volt', 'optional'], issues));

  const paths = documentRules(document, 'pathBeneath', 'parent', FS_GROUPS, abi, issues);
  const ports = documentRules(document, 'netPort', 'port', NET_GROUPS, abi, issues);

  const validated = parsePolicyObject({
    handledFs,
    handledNet,
    paths: paths.map((rule) => ({
      path: rule.target,
      access: rule.access,
      optional: optional.has(rule.target),
    })),
    ports: ports.map((rule) => ({ port: rule.target, access: rule.access })),
    scopes,
    logFlags: extension['logFlags'] ?? [],
    threadSync: extension['threadSync'] ?? false,
    compatibility: extension['compatibility'] ?? 'best-effort',
  });
  const located = (validated.ok ? [] : validated.issues).map(
    (issue) =>
      new VoltError(issue.code, issue.message, {
        path: locateInDocument(issue.path, paths, ports),
        ...(issue.hint === undefined ? {} : { hint: issue.hint }),
      }),
  );
  return failAll(withoutRepeats([...issues, ...located])) ?? validated;
}
