import {
  deepFreeze,
  fail,
  failAll,
  type InputPath,
  isRecord,
  type LandlockCompatibility,
  type LandlockFsRight,
  type LandlockLogFlag,
  type LandlockNetRight,
  type LandlockPathRule,
  type LandlockPolicy,
  type LandlockPortRule,
  type LandlockScope,
  type Result,
  VoltError,
} from '@volt/core';
import { landlockAbiFeatures } from './abi.js';
import { requiredLandlockAbi } from './compat.js';
import { validateLandlockPolicy } from './policy.js';
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

const toConfigName = (name: string): string => name.replaceAll('-', '_');

function groupConsecutive<R, K>(rules: readonly R[], key: (rule: R) => K): R[][] {
  const groups: R[][] = [];
  let previous: K | undefined;
  for (const rule of rules) {
    const current = key(rule);
    const last = groups.at(-1);
    if (last !== undefined && JSON.stringify(current) === JSON.stringify(previous)) last.push(rule);
    else groups.push([rule]);
    previous = current;
  }
  return groups;
}

/**
 * Writes a policy as a landlockconfig-style JSON document. Rules with the same rights that follow each
 * other share one `pathBeneath` / `netPort` entry, so that reading the document back gives the same policy
 * in the same order. `abi` is the lowest ABI that enforces everything. With `{ volt: false }` the `volt`
 * object is left out, for strict landlockconfig readers; the compatibility mode, logging flags, thread sync
 * and optional paths are then lost.
 *
 * @example
 * ```ts
 * landlockPolicyToConfig(withRules(landlockPolicy({ abi: 4 }), bindTcp(80))).netPort;
 * // [{ allowedAccess: ['bind_tcp'], port: [80] }]
 * ```
 */
export function landlockPolicyToConfig(
  policy: LandlockPolicy,
  options: { readonly volt?: boolean } = {},
): LandlockConfigDocument {
  // A validated policy (frozen all the way down) always gives the same document; any other could change.
  if (!validateLandlockPolicy.accepts(policy)) return toConfig(policy, options);
  const key = options.volt === false ? 'plain' : 'volt';
  let byOptions = documents.get(policy);
  const known = byOptions?.get(key);
  if (known !== undefined) return known;
  const document = deepFreeze(toConfig(policy, options));
  if (byOptions === undefined) {
    byOptions = new Map();
    documents.set(policy, byOptions);
  }
  byOptions.set(key, document);
  return document;
}

const documents = new WeakMap<LandlockPolicy, Map<string, LandlockConfigDocument>>();

/**
 * A policy as landlockconfig JSON text ({@link landlockPolicyToConfig}), indented by two spaces, with a
 * final newline: the file Volt installs next to a container to say what was asked for.
 *
 * @example
 * ```ts
 * formatLandlockConfig(landlockPreset('server')).startsWith('{\n  "abi": '); // true
 * ```
 */
export function formatLandlockConfig(
  policy: LandlockPolicy,
  options: { readonly volt?: boolean } = {},
): string {
  const document = landlockPolicyToConfig(policy, options);
  let text = texts.get(document);
  if (text === undefined) {
    text = `${JSON.stringify(document, null, 2)}\n`;
    if (validateLandlockPolicy.accepts(policy)) texts.set(document, text);
  }
  return text;
}

const texts = new WeakMap<LandlockConfigDocument, string>();

function toConfig(policy: LandlockPolicy, options: { readonly volt?: boolean }): LandlockConfigDocument {
  const ruleset = {
    ...(policy.handledFs.length > 0 ? { handledAccessFs: policy.handledFs.map(toConfigName) } : {}),
    ...(policy.handledNet.length > 0 ? { handledAccessNet: policy.handledNet.map(toConfigName) } : {}),
    ...(policy.scopes.length > 0 ? { scoped: policy.scopes.map(toConfigName) } : {}),
  };
  const pathBeneath = groupConsecutive(policy.paths, (rule) => rule.access).map((group) => ({
    allowedAccess: (group[0]?.access ?? []).map(toConfigName),
    parent: group.map((rule) => rule.path),
  }));
  const netPort = groupConsecutive(policy.ports, (rule) => rule.access).map((group) => ({
    allowedAccess: (group[0]?.access ?? []).map(toConfigName),
    port: group.map((rule) => rule.port),
  }));
  const optional = policy.paths.filter((rule) => rule.optional).map((rule) => rule.path);
  return {
    abi: Math.max(1, requiredLandlockAbi(policy)),
    ...(Object.keys(ruleset).length > 0 ? { ruleset: [ruleset] } : {}),
    ...(pathBeneath.length > 0 ? { pathBeneath } : {}),
    ...(netPort.length > 0 ? { netPort } : {}),
    ...(options.volt === false
      ? {}
      : {
          volt: {
            compatibility: policy.compatibility,
            logFlags: policy.logFlags,
            threadSync: policy.threadSync,
            optional,
          },
        }),
  };
}

type Group = 'all' | 'read_execute' | 'read_write';

function expand<T extends string>(
  names: unknown,
  path: InputPath,
  abi: number | undefined,
  groups: Partial<Record<Group, (abi: number) => readonly T[]>>,
  issues: VoltError[],
): T[] {
  if (!Array.isArray(names)) {
    issues.push(new VoltError('PARSE_ERROR', 'expected a list of access names', { path }));
    return [];
  }
  return names.flatMap((name: unknown, index): T[] => {
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
    return [name.replaceAll('_', '-') as T];
  });
}

const FS_GROUPS: Partial<Record<Group, (abi: number) => readonly LandlockFsRight[]>> = {
  all: (abi) => landlockAbiFeatures(abi).fs,
  read_write: (abi) => landlockAbiFeatures(abi).fs,
  read_execute: (abi) => LANDLOCK_READ_EXEC.filter((right) => landlockAbiFeatures(abi).fs.includes(right)),
};
const NET_GROUPS: Partial<Record<Group, (abi: number) => readonly LandlockNetRight[]>> = {
  all: (abi) => landlockAbiFeatures(abi).net,
};
const SCOPE_GROUPS: Partial<Record<Group, (abi: number) => readonly LandlockScope[]>> = {
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

/** Where in the document a problem found in the flattened policy comes from. */
function locateInDocument(
  path: InputPath,
  pathOrigins: readonly [number, number][],
  portOrigins: readonly [number, number][],
): InputPath {
  const [field, index, part] = path;
  const origin =
    typeof index === 'number' ? (field === 'paths' ? pathOrigins : portOrigins)[index] : undefined;
  if ((field === 'paths' || field === 'ports') && origin !== undefined) {
    const entry = field === 'paths' ? 'pathBeneath' : 'netPort';
    if (part === 'access') return [entry, origin[0], 'allowedAccess'];
    return [entry, origin[0], field === 'paths' ? 'parent' : 'port', origin[1]];
  }
  return POLICY_FIELD_IN_DOCUMENT[String(field)] ?? path;
}

/**
 * Reads a landlockconfig-style JSON document (already parsed) into a validated policy. Several `ruleset`
 * entries are united; `abi.all`, `abi.read_execute` and `abi.read_write` expand for the document's `abi`.
 * Without a `volt` object, the policy is `best-effort` (as landlockconfig's own sandboxer), without logging
 * flags or thread sync, and no path is optional. Every problem is reported at once.
 *
 * @example
 * ```ts
 * const result = landlockPolicyFromConfig({ abi: 4, ruleset: [{ handledAccessNet: ['abi.all'] }], netPort: [{ allowedAccess: ['bind_tcp'], port: [80] }] });
 * result.ok && result.value.ports; // [{ port: 80, access: ['bind-tcp'] }]
 * ```
 */
export function landlockPolicyFromConfig(document: unknown): Result<LandlockPolicy> {
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

  const handledFs: LandlockFsRight[] = [];
  const handledNet: LandlockNetRight[] = [];
  const scopes: LandlockScope[] = [];
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

  const paths: LandlockPathRule[] = [];
  const pathOrigins: [number, number][] = [];
  list(document['pathBeneath'], ['pathBeneath'], issues).forEach((entry, index) => {
    const where: InputPath = ['pathBeneath', index];
    if (!isRecord(entry)) {
      issues.push(new VoltError('PARSE_ERROR', 'expected an object', { path: where }));
      return;
    }
    checkKeys(entry, ['allowedAccess', 'parent'], where, issues);
    const access = expand(entry['allowedAccess'], [...where, 'allowedAccess'], abi, FS_GROUPS, issues);
    list(entry['parent'], [...where, 'parent'], issues).forEach((parent, parentIndex) => {
      paths.push({ path: parent as string, access, optional: optional.has(parent) });
      pathOrigins.push([index, parentIndex]);
    });
  });
  const ports: LandlockPortRule[] = [];
  const portOrigins: [number, number][] = [];
  list(document['netPort'], ['netPort'], issues).forEach((entry, index) => {
    const where: InputPath = ['netPort', index];
    if (!isRecord(entry)) {
      issues.push(new VoltError('PARSE_ERROR', 'expected an object', { path: where }));
      return;
    }
    checkKeys(entry, ['allowedAccess', 'port'], where, issues);
    const access = expand(entry['allowedAccess'], [...where, 'allowedAccess'], abi, NET_GROUPS, issues);
    list(entry['port'], [...where, 'port'], issues).forEach((port, portIndex) => {
      ports.push({ port: port as number, access });
      portOrigins.push([index, portIndex]);
    });
  });

  const compatibility = extension['compatibility'] ?? 'best-effort';
  const validated = validateLandlockPolicy({
    handledFs,
    handledNet,
    paths,
    ports,
    scopes,
    logFlags: (extension['logFlags'] ?? []) as LandlockLogFlag[],
    threadSync: (extension['threadSync'] ?? false) as boolean,
    compatibility: compatibility as LandlockCompatibility,
  });
  const located = (validated.ok ? [] : validated.issues).map((issue) => {
    const path = locateInDocument(issue.path, pathOrigins, portOrigins);
    return new VoltError(issue.code, issue.message, {
      path,
      ...(issue.hint === undefined ? {} : { hint: issue.hint }),
    });
  });
  const seen = new Set<string>();
  const all = [...issues, ...located].filter((issue) => {
    const key = `${issue.code} ${issue.path.join('.')} ${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return failAll(all) ?? validated;
}
