import type { Document } from 'yaml';
import * as z from 'zod/mini';
import { fail, type InputPath, ok, type Result, VoltError, type VoltErrorCode } from '../errors.js';
import { type ByteLimit, formatPercentage } from '../values/bytes.js';
import { describeValue } from '../values/describe.js';
import { parseErrno } from '../values/errno.js';
import { parseIpAddress, parseSubnet } from '../values/ip.js';
import {
  parseAbsolutePath,
  parseDevicePath,
  parseDomainName,
  parseEnvironmentVariable,
  parseInterfaceName,
  parseMachineName,
  parseWorkloadUnitName,
} from '../values/names.js';
import { parsePort } from '../values/numbers.js';
import { parseFreeText } from '../values/text.js';
import {
  DEVICE_LIMITS,
  MEMORY_ORDER,
  parseResourceValue,
  RESOURCE_LIMITS,
  RESOURCE_VALUE_ACCEPTED,
  type ResourceLimitRow,
  type ResourceValueKind,
  resourceValue,
} from './resources.js';
import {
  LANDLOCK_COMPATIBILITY_MODES,
  LANDLOCK_FS_RIGHTS,
  LANDLOCK_LOG_FLAGS,
  LANDLOCK_NET_RIGHTS,
  LANDLOCK_PRESETS,
  LANDLOCK_SCOPES,
  type LandlockCompatibility,
  type LandlockFsRight,
  type LandlockLogFlag,
  type LandlockNetRight,
  type LandlockPresetName,
  type LandlockScope,
  NETWORK_MODES,
  type NetworkMode,
  PORT_PROTOCOLS,
  type PortForward,
  type ResourceLimits,
  SECCOMP_PROFILES,
  type SeccompAction,
  type SeccompProfileName,
} from './types.js';
import type { Valid } from './valid.js';

// ── What a profile document becomes ──────────────────────────────────────────────────────────────────

/** The Landlock part of a profile: a preset, rules added to it, or both. `null` turns Landlock off. */
export interface LandlockProfile {
  readonly preset?: LandlockPresetName;
  readonly handledFs?: readonly LandlockFsRight[];
  readonly handledNet?: readonly LandlockNetRight[];
  readonly paths?: readonly {
    readonly path: string;
    readonly access: readonly LandlockFsRight[];
    readonly optional: boolean;
  }[];
  readonly ports?: readonly { readonly port: number; readonly access: readonly LandlockNetRight[] }[];
  readonly scopes?: readonly LandlockScope[];
  readonly logFlags?: readonly LandlockLogFlag[];
  readonly threadSync?: boolean;
  readonly compatibility?: LandlockCompatibility;
}

/** The seccomp part of a profile. */
export interface SeccompProfile {
  readonly profile?: SeccompProfileName;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly action?: SeccompAction;
}

/** The resources part of a profile: the resource set itself (every field optional). */
export type ResourcesProfile = ResourceLimits;

/** The network part of a profile. */
export interface NetworkProfile {
  readonly mode?: NetworkMode;
  readonly bridge?: string;
  readonly subnet?: string;
  readonly subnet6?: string;
  readonly ports?: readonly PortForward[];
  readonly dns?: readonly string[];
  readonly searchDomains?: readonly string[];
}

/**
 * A validated isolation profile. Everything is optional: `@volt/nspawn` fills what is missing from the
 * defaults and resolves presets into an {@link IsolationConfig}.
 */
export interface Profile {
  /**
   * What this document is laid over, lowest first: built-in presets and other profile files. Resolved by
   * `@volt/nspawn`, which merges them under the document; core only checks the form.
   */
  readonly extends?: readonly string[];
  readonly name?: string;
  readonly rootfs?: string;
  readonly boot?: boolean;
  readonly command?: readonly string[];
  readonly workloadUnit?: string;
  readonly environment?: readonly (readonly [string, string])[];
  /** `null` when the profile says `landlock: none`. */
  readonly landlock?: LandlockProfile | null;
  readonly seccomp?: SeccompProfile;
  readonly resources?: ResourcesProfile;
  readonly network?: NetworkProfile;
  readonly privateUsers?: boolean;
  readonly readOnlyRoot?: boolean;
}

// ── The schema ───────────────────────────────────────────────────────────────────────────────────────
// zod/mini: the same validation as classic zod, tree-shakable, so loading the schema costs little.

/** Turns one of core's parsers into a zod transform that reports the parser's own code and message. */
function parsed<I, O>(parse: (input: I) => Result<O>) {
  return z.transform((input: I, ctx): O => {
    const result = parse(input);
    if (result.ok) return result.value;
    ctx.issues.push({
      code: 'custom',
      message: result.error.message,
      input,
      params: { voltCode: result.error.code },
    });
    return z.NEVER;
  });
}

/**
 * A schema seen as producing one of core's types: zod infers `field?: T | undefined` where the types say
 * `field?: T` (exactOptionalPropertyTypes), which is what the schema really produces.
 */
function typed<T>(schema: z.ZodMiniType): z.ZodMiniType<T, unknown> {
  return schema as unknown as z.ZodMiniType<T, unknown>;
}

/** A schema, then one of core's parsers. */
function parsedFrom<S extends z.ZodMiniType, O>(schema: S, parse: (input: z.output<S>) => Result<O>) {
  return z.pipe(schema, parsed(parse));
}

/**
 * The most a profile may hold, so that a hostile document fails fast instead of taking seconds or
 * gigabytes: its size in bytes (checked before YAML parsing), and the length of each list and map. One
 * table for the loader, the schema and the error messages.
 *
 * @example
 * ```ts
 * PROFILE_LIMITS.bytes; // 1048576
 * ```
 */
export const PROFILE_LIMITS: {
  /** A profile document, in bytes of UTF-8. */
  readonly bytes: number;
  /** `command`: the program and its arguments. */
  readonly commandArguments: number;
  /** `environment`: variables. */
  readonly environment: number;
  /** `landlock.paths` and `landlock.ports`: rules. */
  readonly landlockRules: number;
  /** Lists of rights, scopes and flags (each a small enumeration, repeated at most this often). */
  readonly enumerations: number;
  /** `seccomp.allow` and `seccomp.deny`: names and groups. */
  readonly syscalls: number;
  /** `network.ports`: forwards. */
  readonly ports: number;
  /** `network.dns` and `network.searchDomains`. */
  readonly nameServers: number;
  /** `resources.io.devices`: device entries. */
  readonly devices: number;
  /** CPU and NUMA-node index lists written as numbers. */
  readonly indexes: number;
  /** `extends`: the presets and files one document names. */
  readonly extends: number;
} = {
  bytes: 1024 * 1024,
  commandArguments: 256,
  environment: 1024,
  landlockRules: 1024,
  enumerations: 64,
  syscalls: 1024,
  ports: 256,
  nameServers: 16,
  devices: 64,
  indexes: 8192,
  extends: 16,
};

const text = z.string().check(z.maxLength(4096));
/** A list of at most `limit` items. */
const list = <T extends z.ZodMiniType>(item: T, limit: number) => z.array(item).check(z.maxLength(limit));
const absolutePath = parsedFrom(text, parseAbsolutePath).register(z.globalRegistry, {
  description:
    "an absolute path: any characters but NUL and line breaks, no '..' components, at most 4095 UTF-8 bytes",
});
const port = parsedFrom(z.union([z.number(), text]), parsePort);
const landlockRules = {
  handledFs: z.optional(list(z.enum(LANDLOCK_FS_RIGHTS), PROFILE_LIMITS.enumerations)),
  handledNet: z.optional(list(z.enum(LANDLOCK_NET_RIGHTS), PROFILE_LIMITS.enumerations)),
  paths: z.optional(
    list(
      z.strictObject({
        path: absolutePath,
        access: list(z.enum(LANDLOCK_FS_RIGHTS), PROFILE_LIMITS.enumerations),
        optional: z._default(z.boolean(), false),
      }),
      PROFILE_LIMITS.landlockRules,
    ),
  ),
  ports: z.optional(
    list(
      z.strictObject({
        port: z.int().check(z.minimum(0), z.maximum(65535)),
        access: list(z.enum(LANDLOCK_NET_RIGHTS), PROFILE_LIMITS.enumerations).check(z.minLength(1)),
      }),
      PROFILE_LIMITS.landlockRules,
    ),
  ),
  scopes: z.optional(list(z.enum(LANDLOCK_SCOPES), PROFILE_LIMITS.enumerations)),
  logFlags: z.optional(list(z.enum(LANDLOCK_LOG_FLAGS), PROFILE_LIMITS.enumerations)),
  threadSync: z.optional(z.boolean()),
  compatibility: z.optional(z.enum(LANDLOCK_COMPATIBILITY_MODES)),
};

const landlockSchema = typed<LandlockProfile | null>(
  z.union([
    z.pipe(
      z.literal('none'),
      z.transform(() => null),
    ),
    z.pipe(
      z.enum(LANDLOCK_PRESETS),
      z.transform((preset) => ({ preset })),
    ),
    z.strictObject({ preset: z.optional(z.enum(LANDLOCK_PRESETS)), ...landlockRules }),
  ]),
);

const syscallName = text.check(
  z.regex(/^(?:[a-z0-9_]{1,64}|@[a-z0-9_-]{1,64})$/, {
    message: 'not a system call or @group name; accepted: names such as mount or @mount',
  }),
);
const seccompAction = z.union([
  z.pipe(
    z.literal('kill-process'),
    z.transform((): SeccompAction => ({ kind: 'kill-process' })),
  ),
  z.pipe(
    z.literal('log'),
    z.transform((): SeccompAction => ({ kind: 'log' })),
  ),
  z.pipe(
    z.strictObject({ errno: parsedFrom(z.union([z.number(), text]), parseErrno) }),
    z.transform(({ errno }): SeccompAction => ({ kind: 'errno', errno })),
  ),
]);
const seccompSchema = typed<SeccompProfile>(
  z.union([
    z.pipe(
      z.enum(SECCOMP_PROFILES),
      z.transform((profile) => ({ profile })),
    ),
    z.strictObject({
      profile: z.optional(z.enum(SECCOMP_PROFILES)),
      allow: z.optional(list(syscallName, PROFILE_LIMITS.syscalls)),
      deny: z.optional(list(syscallName, PROFILE_LIMITS.syscalls)),
      action: z.optional(seccompAction),
    }),
  ]),
);

// ── Resources, from the one table of limits ───────────────────────────────────────────────────────

/** What a profile may write for each kind of value; the value then goes through the kind's one parser. */
function resourceInput(kind: ResourceValueKind): z.ZodMiniType {
  const error = (issue: { readonly input?: unknown }) =>
    `${describeValue(issue.input)} is not accepted; accepted: ${RESOURCE_VALUE_ACCEPTED[kind]}`;
  switch (kind) {
    case 'flag':
      return z.union([z.boolean(), text], { error });
    case 'cpu-quota':
    case 'quota-period':
      return z.string({ error }).check(z.maxLength(4096));
    case 'index-set':
      return z.union([text, list(z.int(), PROFILE_LIMITS.indexes)], { error });
    default:
      return z.union([z.number(), text], { error });
  }
}

function resourceSchema(row: Pick<ResourceLimitRow, 'kind' | 'positive' | 'systemd'>): z.ZodMiniType {
  return z
    .pipe(
      resourceInput(row.kind),
      parsed((value: unknown) => parseResourceValue(row, value)),
    )
    .register(z.globalRegistry, {
      description: `systemd ${row.systemd}=: ${RESOURCE_VALUE_ACCEPTED[row.kind]}${row.positive ? ' (not 0)' : ''}`,
    });
}

const deviceSchema = z.strictObject({
  device: parsedFrom(text, parseDevicePath).register(z.globalRegistry, {
    description:
      "an absolute path without white space, quotes, back-slashes or '%' (a device, or a file on it)",
  }),
  ...Object.fromEntries(DEVICE_LIMITS.map((row) => [row.key, z.optional(resourceSchema(row))])),
});

/** The resource groups (`memory`, `cpu`, …) with their limits, and the top-level flags, from the table. */
function resourceShape(): Record<string, z.ZodMiniType> {
  const groups = new Map<string, Record<string, z.ZodMiniType>>();
  const shape: Record<string, z.ZodMiniType> = {};
  for (const row of RESOURCE_LIMITS) {
    const [group, field] = row.key.split('.') as [string, string | undefined];
    if (field === undefined) {
      shape[group] = z.optional(resourceSchema(row));
      continue;
    }
    const fields = groups.get(group) ?? {};
    fields[field] = z.optional(resourceSchema(row));
    groups.set(group, fields);
  }
  const io = groups.get('io') ?? {};
  io['devices'] = z.optional(list(deviceSchema, PROFILE_LIMITS.devices));
  for (const [group, fields] of groups) shape[group] = z.optional(z.strictObject(fields));
  return shape;
}

function byteLimitAbove(a: ByteLimit, b: ByteLimit): boolean {
  if (b.kind === 'infinity') return false;
  if (a.kind === 'infinity') return true;
  if (a.kind === 'bytes' && b.kind === 'bytes') return a.bytes > b.bytes;
  if (a.kind === 'percent' && b.kind === 'percent') return a.permyriad > b.permyriad;
  return false; // bytes against a share of memory: only the host can compare them
}

function describeByteLimit(limit: ByteLimit): string {
  if (limit.kind === 'bytes') return `${limit.bytes} bytes`;
  return limit.kind === 'percent' ? formatPercentage(limit.permyriad) : 'infinity';
}

/** The rules that span limits: memory limits in order, one entry per device, each entry limiting something. */
function checkResourceRules(limits: ResourceLimits, ctx: { readonly issues: z.core.$ZodRawIssue[] }): void {
  const conflicting = new Set<string>();
  for (const [lower, upper] of MEMORY_ORDER) {
    const a = resourceValue(limits, lower) as ByteLimit | undefined;
    const b = resourceValue(limits, upper) as ByteLimit | undefined;
    if (a === undefined || b === undefined || conflicting.has(lower) || !byteLimitAbove(a, b)) continue;
    conflicting.add(lower);
    const name = (key: string) => RESOURCE_LIMITS.find((row) => row.key === key)?.systemd ?? key;
    ctx.issues.push({
      code: 'custom',
      input: limits,
      path: lower.split('.'),
      message: `${name(lower)} (${describeByteLimit(a)}) is above ${name(upper)} (${describeByteLimit(b)})`,
      params: {
        voltCode: 'CONFLICT',
        hint: `make ${name(lower)} at most ${name(upper)}`,
        related: upper.split('.'),
      },
    });
  }
  const seen = new Map<string, number>();
  (limits.io?.devices ?? []).forEach((entry, index) => {
    const first = seen.get(entry.device);
    if (first !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: entry,
        path: ['io', 'devices', index, 'device'],
        message: `device ${entry.device} is already limited by entry ${first}`,
        params: { voltCode: 'CONFLICT', hint: 'merge the two entries into one' },
      });
    }
    seen.set(entry.device, index);
    if (DEVICE_LIMITS.every((row) => entry[row.key] === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: entry,
        path: ['io', 'devices', index],
        message: 'the device entry sets no limit',
        params: {
          voltCode: 'INVALID_VALUE',
          hint: `set at least one of ${DEVICE_LIMITS.map((row) => row.key).join(', ')}`,
        },
      });
    }
  });
}

/** The zod schema of a resource set, as a profile's `resources:` writes it; built from {@link RESOURCE_LIMITS}. */
export const resourcesSchema: z.ZodMiniType<ResourceLimits, unknown> = z.pipe(
  typed<ResourceLimits>(z.strictObject(resourceShape())),
  z.transform((limits: ResourceLimits, ctx) => {
    // The rules between limits are checked once every limit is valid on its own.
    if (ctx.issues.length === 0) checkResourceRules(limits, ctx);
    return limits;
  }),
);

const portForward = z.union([
  parsedFrom(text, (value): Result<PortForward> => {
    const match = /^(?:(tcp|udp):)?(\+?\d{1,5})(?::(\+?\d{1,5}))?$/.exec(value);
    const host = parsePort(match?.[2] ?? '');
    const container = parsePort(match?.[3] ?? match?.[2] ?? '');
    if (match === null || !host.ok || !container.ok) {
      return fail(
        new VoltError(
          'INVALID_PORT',
          `${JSON.stringify(value)} is not a port forward; accepted: [tcp|udp:]HOSTPORT[:CONTAINERPORT] with ports 1..65535`,
        ),
      );
    }
    return ok({
      protocol: (match[1] ?? 'tcp') as 'tcp' | 'udp',
      hostPort: host.value,
      containerPort: container.value,
    });
  }),
  z.pipe(
    z.strictObject({ protocol: z._default(z.enum(PORT_PROTOCOLS), 'tcp'), host: port, container: port }),
    z.transform(
      (value): PortForward => ({
        protocol: value.protocol,
        hostPort: value.host,
        containerPort: value.container,
      }),
    ),
  ),
]);

const subnet = (family: 4 | 6) =>
  parsedFrom(text, (value) => {
    const result = parseSubnet(value, family);
    return result.ok ? ok(result.value.text) : result;
  });

const networkSchema = typed<NetworkProfile>(
  z.strictObject({
    mode: z.optional(z.enum(NETWORK_MODES)),
    bridge: z.optional(parsedFrom(text, parseInterfaceName)),
    subnet: z.optional(subnet(4)),
    subnet6: z.optional(subnet(6)),
    ports: z.optional(list(portForward, PROFILE_LIMITS.ports)),
    dns: z.optional(
      list(
        parsedFrom(text, (value) => {
          const address = parseIpAddress(value);
          return address.ok ? ok(address.value.text) : address;
        }),
        PROFILE_LIMITS.nameServers,
      ),
    ),
    searchDomains: z.optional(list(parsedFrom(text, parseDomainName), PROFILE_LIMITS.nameServers)),
  }),
);

/** Free text (command arguments, environment values): its own length limit, in bytes, is the parser's. */
const FREE_TEXT_DESCRIPTION =
  'any text but NUL and line breaks (spaces, quotes, %, $ and Unicode are kept as written), at most 131071 UTF-8 bytes';
const freeText = parsedFrom(z.string(), parseFreeText).register(z.globalRegistry, {
  description: FREE_TEXT_DESCRIPTION,
});

const environmentSchema = z.pipe(
  z.record(z.string(), z.string().register(z.globalRegistry, { description: FREE_TEXT_DESCRIPTION })).check(
    z.refine((record) => Object.keys(record).length <= PROFILE_LIMITS.environment, {
      error: (issue) =>
        `${Object.keys(issue.input as object).length} variables are too many; accepted: at most ${PROFILE_LIMITS.environment}`,
    }),
  ),
  z.transform((record, ctx) => {
    const entries: (readonly [string, string])[] = [];
    for (const [name, value] of Object.entries(record)) {
      const variable = parseEnvironmentVariable(name, value);
      if (variable.ok) entries.push(variable.value);
      for (const issue of variable.ok ? [] : variable.issues) {
        ctx.issues.push({
          code: 'custom',
          message: issue.message,
          input: record,
          path: [name],
          params: { voltCode: issue.code },
        });
      }
    }
    return entries;
  }),
);

/** One `extends` entry: a preset name or a path, any text a file name can hold. */
const extendsEntry = parsedFrom(text.check(z.minLength(1)), parseFreeText);
const extendsSchema = typed<readonly string[]>(
  z
    .pipe(
      z.union([extendsEntry, list(extendsEntry, PROFILE_LIMITS.extends).check(z.minLength(1))]),
      z.transform((value) => (typeof value === 'string' ? [value] : value)),
    )
    .register(z.globalRegistry, {
      description:
        'what this profile is laid over, lowest first: a built-in preset (server, desktop, strict-app; NAME means NAME@1, or name a version: strict-app@1) or another profile file (a path starting with ./, ../ or /, relative to this file), or a list of them. Merged field by field under this profile; see the "Presets and composition" section of @volt/nspawn',
    }),
);

const profileObject = z.strictObject({
  extends: z.optional(extendsSchema),
  name: z.optional(parsedFrom(text, parseMachineName)),
  rootfs: z.optional(absolutePath),
  boot: z.optional(z.boolean()),
  command: z.optional(list(freeText, PROFILE_LIMITS.commandArguments).check(z.minLength(1))),
  workloadUnit: z.optional(parsedFrom(text, parseWorkloadUnitName)),
  environment: z.optional(environmentSchema),
  landlock: z.optional(landlockSchema),
  seccomp: z.optional(seccompSchema),
  resources: z.optional(resourcesSchema),
  network: z.optional(networkSchema),
  privateUsers: z.optional(z.boolean()),
  readOnlyRoot: z.optional(z.boolean()),
});

/** The zod schema of a profile document (JSON or YAML after loading). */
export const profileSchema: z.ZodMiniType<Profile, unknown> = typed<Profile>(profileObject);

type ZodIssue = z.core.$ZodIssue;

/** The issues that explain a failed union: those of the branches whose type matched the input. */
function explainUnion(issue: ZodIssue): ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const mismatch = (inner: ZodIssue) =>
    inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value');
  const branches = issue.errors.filter((branch) => !branch.every(mismatch));
  if (branches.length === 0) {
    // A union given its own message (`{ error }`) says what it accepts itself.
    if (issue.message !== 'Invalid input') return [issue];
    const accepted = new Set(
      issue.errors.flat().flatMap((inner) => {
        if (inner.code === 'invalid_value') return inner.values.map((literal) => JSON.stringify(literal));
        if (inner.code !== 'invalid_type') return [];
        return [`${/^[aeiou]/.test(inner.expected) ? 'an' : 'a'} ${inner.expected}`];
      }),
    );
    return [
      {
        ...issue,
        message: `${describeValue(issue.input)} is not accepted; accepted: ${[...accepted].join(', ')}`,
      },
    ];
  }
  return (branches[0] as ZodIssue[]).flatMap((inner) =>
    explainUnion({ ...inner, path: [...issue.path, ...inner.path] } as ZodIssue),
  );
}

function toVoltError(issue: ZodIssue, prefix: InputPath): VoltError {
  const params = (issue as { params?: { voltCode?: VoltErrorCode; hint?: string } }).params;
  const path: InputPath = [
    ...prefix,
    ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
  ];
  if (params?.voltCode !== undefined) {
    return new VoltError(params.voltCode, issue.message, {
      path,
      ...(params.hint === undefined ? {} : { hint: params.hint }),
    });
  }
  if (issue.code === 'unrecognized_keys') {
    return new VoltError(
      'INVALID_PROFILE',
      `unknown key(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`,
      {
        path,
        hint: 'check the spelling against the profile schema (profile.schema.json)',
      },
    );
  }
  return new VoltError(
    issue.code === 'invalid_type' ? 'INVALID_PROFILE' : 'INVALID_VALUE',
    describeIssue(issue),
    {
      path,
    },
  );
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
};

/**
 * What was wrong and what is accepted, for the issues zod/mini leaves at "Invalid input" (it loads no
 * locale): a message given by the schema is kept; otherwise the value is echoed and what the schema
 * accepts is said from the issue itself.
 */
function describeIssue(issue: ZodIssue): string {
  if (issue.message !== 'Invalid input') return issue.message;
  const given = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_value':
      return `${given} is not accepted; accepted: ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'invalid_type':
      return `${given} is not ${TYPE_NAMES[issue.expected] ?? issue.expected}; accepted: ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return `${given} is too ${issue.origin === 'number' ? 'large' : 'long'}; accepted: at most ${String(issue.maximum)}${issue.origin === 'number' ? '' : ' items'}`;
    case 'too_small':
      return `${given} is too ${issue.origin === 'number' ? 'small' : 'short'}; accepted: at least ${String(issue.minimum)}${issue.origin === 'number' ? '' : ' items'}`;
    default:
      return `${given} is not accepted`;
  }
}

function toVoltErrors(error: z.core.$ZodError, prefix: InputPath): VoltError[] {
  return error.issues
    .flatMap((issue) => explainUnion(issue as ZodIssue))
    .map((issue) => toVoltError(issue, prefix));
}

/**
 * Runs a schema on an untrusted input: the value it builds, marked valid, or every problem, each with the
 * input path under `prefix`.
 */
function parseWith<T>(
  schema: z.ZodMiniType<T, unknown>,
  input: unknown,
  prefix: InputPath,
): Result<Valid<T>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return ok(result.data as Valid<T>);
  const [first, ...rest] = toVoltErrors(result.error, prefix);
  return fail(first ?? new VoltError('INVALID_VALUE', 'the value is not valid', { path: prefix }), ...rest);
}

/**
 * Parses a resource set as a profile's `resources:` writes it (the values are systemd's: `2G`, `50%`,
 * `infinity`, `150%`, `0-3,5`, …): the one validator of resource limits, for profile documents and for
 * JavaScript callers alike. Every problem is reported at once, each at its path under `path`. Unknown keys
 * are errors; a limit left out is left alone.
 *
 * @example
 * ```ts
 * parseResourceLimits({ memory: { max: '2G' }, tasks: { max: 256 } }).ok; // true
 * parseResourceLimits({ memory: { max: '0%' } }).ok; // false, code INVALID_PERCENTAGE
 * parseResourceLimits({ memroy: {} }).ok; // false, code INVALID_PROFILE
 * ```
 */
export function parseResourceLimits(
  input: unknown,
  path: InputPath = ['resources'],
): Result<Valid<ResourceLimits>> {
  return parseWith(resourcesSchema, input, path);
}

/**
 * Parses the Landlock part of a profile: `none` (null), a preset name, or a preset with rules and settings.
 * `@volt/landlock` turns the result into a policy (`parseLandlockPolicy`).
 *
 * @example
 * ```ts
 * parseLandlockProfile('server'); // { ok: true, value: { preset: 'server' } }
 * parseLandlockProfile('none'); // { ok: true, value: null }
 * ```
 */
export function parseLandlockProfile(
  input: unknown,
  path: InputPath = ['landlock'],
): Result<LandlockProfile | null> {
  return parseWith(landlockSchema, input, path);
}

/**
 * Parses the seccomp part of a profile: a profile name, or a profile with allowed and denied calls and an
 * action. `@volt/seccomp` completes it into a configuration (`parseSeccompConfig`).
 *
 * @example
 * ```ts
 * parseSeccompProfile({ profile: 'strict', deny: ['@mount'] }).ok; // true
 * ```
 */
export function parseSeccompProfile(input: unknown, path: InputPath = ['seccomp']): Result<SeccompProfile> {
  return parseWith(seccompSchema, input, path);
}

/**
 * Parses the network part of a profile. `@volt/netns` completes it into a configuration
 * (`parseNetworkConfig`).
 *
 * @example
 * ```ts
 * parseNetworkProfile({ mode: 'private', ports: ['8080:80'] }).ok; // true
 * ```
 */
export function parseNetworkProfile(input: unknown, path: InputPath = ['network']): Result<NetworkProfile> {
  return parseWith(networkSchema, input, path);
}

/**
 * Parses a profile's `extends:` value: one entry or a list of at most `PROFILE_LIMITS.extends`, each
 * non-empty text without NUL or line breaks; always a list. What an entry names (a preset, a file) is
 * `@volt/nspawn`'s to resolve.
 *
 * @example
 * ```ts
 * parseProfileExtends('strict-app'); // { ok: true, value: ['strict-app'] }
 * parseProfileExtends([]).ok; // false, code INVALID_VALUE: the list is empty
 * ```
 */
export function parseProfileExtends(
  input: unknown,
  path: InputPath = ['extends'],
): Result<readonly string[]> {
  return parseWith(extendsSchema, input, path);
}

/**
 * Validates an untrusted profile document (already loaded from JSON or YAML) without throwing. Every
 * problem is reported, each with its code and input path.
 *
 * @example
 * ```ts
 * const result = safeParseProfile({ name: 'web', resources: { memory: { max: '2GB' } } });
 * if (!result.ok) console.log(result.issues.map(formatVoltError));
 * // ['INVALID_BYTE_SIZE at resources.memory.max: "2GB" is not a size: ...']
 * ```
 */
export function safeParseProfile(input: unknown): Result<Profile> {
  return parseWith(profileSchema, input, []);
}

/**
 * Validates an untrusted profile document, throwing its first problem.
 *
 * @throws {@link VoltError} with the code of the first problem (e.g. INVALID_BYTE_SIZE, INVALID_PROFILE).
 * @example
 * ```ts
 * parseProfile({ name: 'web', network: { mode: 'none' } }).network?.mode; // 'none'
 * ```
 */
export function parseProfile(input: unknown): Profile {
  const result = safeParseProfile(input);
  if (result.ok) return result.value;
  throw result.error;
}

/** The first key that appears twice in one map of a YAML document, with its offset; a linear check. */
function duplicateKey(
  yaml: typeof import('yaml'),
  document: Document.Parsed,
): { key: string; offset: number } | undefined {
  const { isScalar, visit } = yaml;
  let found: { key: string; offset: number } | undefined;
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          found = { key: String(pair.key.value), offset: pair.key.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(pair.key.value);
      }
      return undefined;
    },
  });
  return found;
}

/** A place in a profile's text: line and column, both counted from 1. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A profile document loaded from its text, with where each of its values was written. */
export interface ProfileSource {
  /** The document, as {@link loadProfileDocument} gives it. */
  readonly document: unknown;
  /**
   * Where the value at `path` was written: a scalar or a list item where it starts, a map or list under a
   * key at its key; with `part` `key`, always the key that names it. A path to a key that is not written
   * points at the nearest written map or list that would hold it (line 1, column 1 for an empty document).
   */
  readonly positionOf: (path: InputPath, part?: 'value' | 'key') => SourcePosition;
}

/** What loading a profile's text gives: the document with positions, or the one reason it is not YAML/JSON. */
export type ProfileSourceResult =
  | { readonly ok: true; readonly value: ProfileSource }
  | { readonly ok: false; readonly error: VoltError; readonly position: SourcePosition | undefined };

/** Where each value of a parsed YAML document was written, for {@link ProfileSource.positionOf}. */
function sourcePositions(
  yaml: typeof import('yaml'),
  document: Document.Parsed,
  lines: import('yaml').LineCounter,
): (path: InputPath, part?: 'value' | 'key') => SourcePosition {
  const { isAlias, isCollection, isMap, isScalar, isSeq } = yaml;
  const at = (offset: number | undefined): SourcePosition => {
    const { line, col } = lines.linePos(offset ?? 0);
    return { line, column: col };
  };
  const start = (node: unknown): number | undefined =>
    isScalar(node) || isCollection(node) || isAlias(node) ? node.range?.[0] : undefined;
  return (path, part = 'value') => {
    let node: unknown = document.contents;
    let position = at(start(node));
    for (const key of path) {
      if (isAlias(node)) node = node.resolve(document);
      let keyNode: unknown;
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
        if (pair === undefined) break;
        keyNode = pair.key;
        next = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
        next = node.items[key];
      } else {
        break;
      }
      // A map or list under a key is shown at its key (a block one starts on the next line); a value at its start.
      const shown =
        (part === 'value' && isScalar(next)) || keyNode === undefined
          ? (start(next) ?? start(keyNode))
          : start(keyNode);
      if (shown !== undefined) position = at(shown);
      node = next;
    }
    return position;
  };
}

/**
 * Loads a profile's JSON or YAML text as {@link loadProfileDocument} does (the same limits and checks),
 * keeping where each value was written, so that a problem found in the document can be shown at its line
 * and column. A text that is not YAML/JSON gives its error with the position the parser names.
 *
 * @example
 * ```ts
 * await loadProfileSource('name: web\nresources:\n  memory:\n    max: 2GB\n').then((l) => l.ok && l.value.positionOf(['resources', 'memory', 'max'])); // { line: 4, column: 10 }
 * await loadProfileSource('name: web\nresources:\n  memory:\n    max: 2GB\n').then((l) => l.ok && l.value.positionOf(['resources', 'tasks'])); // { line: 2, column: 1 }: the key that would hold it
 * ```
 */
export async function loadProfileSource(source: string, fileName = 'profile'): Promise<ProfileSourceResult> {
  const size = Buffer.byteLength(source);
  if (size > PROFILE_LIMITS.bytes) {
    return {
      ok: false,
      error: new VoltError(
        'PARSE_ERROR',
        `${fileName} has ${size} bytes; accepted: a profile of at most ${PROFILE_LIMITS.bytes} bytes`,
      ),
      position: undefined,
    };
  }
  // Loaded here, not with the module: rendering without a profile file never parses YAML.
  const yaml = await import('yaml');
  const lines = new yaml.LineCounter();
  const invalid = (
    why: string,
    position: SourcePosition | undefined,
    cause?: unknown,
  ): ProfileSourceResult => ({
    ok: false,
    error: new VoltError('PARSE_ERROR', `${fileName} is not valid YAML or JSON: ${why.split('\n')[0]}`, {
      cause,
      hint: 'check the indentation and quoting around the line named',
    }),
    position,
  });
  try {
    const document = yaml.parseDocument(source, { uniqueKeys: false, lineCounter: lines });
    const [error] = document.errors;
    if (error !== undefined) {
      const [start] = error.linePos ?? [];
      return invalid(
        error.message,
        start === undefined ? undefined : { line: start.line, column: start.col },
        error,
      );
    }
    const duplicate = duplicateKey(yaml, document);
    if (duplicate !== undefined) {
      const { line, col } = lines.linePos(duplicate.offset);
      return invalid(
        `Map keys must be unique: ${JSON.stringify(duplicate.key)} again at line ${line}, column ${col}`,
        { line, column: col },
      );
    }
    return {
      ok: true,
      value: {
        document: document.toJS({ maxAliasCount: 100 }) ?? {},
        positionOf: sourcePositions(yaml, document, lines),
      },
    };
  } catch (error) {
    if (VoltError.isInstance(error)) return { ok: false, error, position: undefined };
    return invalid((error as Error).message, undefined, error);
  }
}

/**
 * Loads a profile document from JSON or YAML text without validating it. YAML is a superset of JSON, so
 * one loader reads both; duplicate keys are an error (found in linear time: the YAML library's own check
 * compares every pair of keys, 15 s for 40 000 keys); a text over {@link PROFILE_LIMITS}`.bytes` is refused
 * before it is parsed; aliases expand to at most 100 nodes.
 *
 * @throws {@link VoltError} PARSE_ERROR when the text is too large or not valid YAML/JSON.
 * @example
 * ```ts
 * await loadProfileDocument('name: web\n'); // { name: 'web' }
 * ```
 */
export async function loadProfileDocument(source: string, fileName = 'profile'): Promise<unknown> {
  const loaded = await loadProfileSource(source, fileName);
  if (!loaded.ok) throw loaded.error;
  return loaded.value.document;
}

/**
 * Loads a profile from JSON or YAML text and validates it.
 *
 * @throws {@link VoltError} PARSE_ERROR when the text is not valid YAML/JSON, or a validation code.
 * @example
 * ```ts
 * const profile = await parseProfileText('name: web\nnetwork:\n  mode: host\n');
 * ```
 */
export async function parseProfileText(source: string, fileName = 'profile'): Promise<Profile> {
  return parseProfile(await loadProfileDocument(source, fileName));
}

/**
 * The JSON Schema of a profile document, generated from {@link profileSchema} (input side).
 *
 * @example
 * ```ts
 * profileJsonSchema().$schema; // 'https://json-schema.org/draft/2020-12/schema'
 * ```
 */
export function profileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(profileObject, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
