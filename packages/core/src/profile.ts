import * as z from 'zod/mini';
import { type ByteLimit, parseByteLimit, parseByteSize, parsePercentage } from './bytes.js';
import { parseErrno } from './errno.js';
import { fail, type InputPath, ok, type Result, VoltError, type VoltErrorCode } from './errors.js';
import { parseIpAddress, parseSubnet } from './ip.js';
import {
  parseAbsolutePath,
  parseDomainName,
  parseEnvironmentName,
  parseInterfaceName,
  parseMachineName,
  parseSafeValue,
  parseWorkloadUnitName,
} from './names.js';
import {
  type CpuWeight,
  type IoDeviceLimit,
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
  type RateLimit,
  SECCOMP_PROFILES,
  type SeccompAction,
  type SeccompProfileName,
  type TasksLimit,
} from './types.js';
import {
  type IndexSet,
  parseIndexSet,
  parseInteger,
  parsePort,
  parseTimeSpan,
  parseWeight,
} from './values.js';

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

/** The resources part of a profile: every field optional, parsed into typed values. */
export interface ResourcesProfile {
  readonly delegate?: boolean;
  readonly memory?: {
    readonly min?: ByteLimit;
    readonly low?: ByteLimit;
    readonly high?: ByteLimit;
    readonly max?: ByteLimit;
    readonly swapMax?: ByteLimit;
    readonly zswapMax?: ByteLimit;
  };
  readonly cpu?: {
    readonly weight?: CpuWeight;
    readonly startupWeight?: CpuWeight;
    readonly quota?: number;
    readonly quotaPeriodUs?: number;
    readonly allowedCpus?: IndexSet;
    readonly allowedMemoryNodes?: IndexSet;
  };
  readonly io?: { readonly weight?: number; readonly devices?: readonly IoDeviceLimit[] };
  readonly tasks?: { readonly max?: TasksLimit };
}

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

/** A schema, then one of core's parsers. */
function parsedFrom<S extends z.ZodMiniType, O>(schema: S, parse: (input: z.output<S>) => Result<O>) {
  return z.pipe(schema, parsed(parse));
}

const text = z.string().check(z.maxLength(4096));
const count = (min: number) => z.int().check(z.minimum(min));
const byteLimit = (minBytes = 0) =>
  parsedFrom(z.union([count(0), text]), (value) => parseByteLimit(String(value), { minBytes }));
const weight = parsedFrom(z.union([z.number(), text]), parseWeight);
const cpuWeight = parsedFrom(
  z.union([z.literal('idle'), z.number(), text]),
  (value): Result<CpuWeight> => (value === 'idle' ? { ok: true, value } : parseWeight(value)),
);
const indexSet = parsedFrom(z.union([text, z.array(count(0))]), (value) =>
  parseIndexSet(typeof value === 'string' ? value : value.join(',')),
);
const absolutePath = parsedFrom(text, parseAbsolutePath);
const port = parsedFrom(z.union([z.number(), text]), parsePort);
const rate = (base: 1000) =>
  parsedFrom(z.union([count(1), text]), (value): Result<RateLimit> => {
    if (value === 'infinity') return { ok: true, value: { kind: 'infinity' } };
    const size = typeof value === 'number' ? { ok: true as const, value } : parseByteSize(value, base);
    if (!size.ok) return size;
    if (size.value < 1)
      return fail(
        new VoltError('INVALID_VALUE', 'a rate of 0 is not accepted; give a positive rate or infinity'),
      );
    return ok({ kind: 'rate', perSecond: size.value });
  });

const landlockRules = {
  handledFs: z.optional(z.array(z.enum(LANDLOCK_FS_RIGHTS))),
  handledNet: z.optional(z.array(z.enum(LANDLOCK_NET_RIGHTS))),
  paths: z.optional(
    z.array(
      z.strictObject({
        path: absolutePath,
        access: z.array(z.enum(LANDLOCK_FS_RIGHTS)),
        optional: z._default(z.boolean(), false),
      }),
    ),
  ),
  ports: z.optional(
    z.array(
      z.strictObject({
        port: z.int().check(z.minimum(0), z.maximum(65535)),
        access: z.array(z.enum(LANDLOCK_NET_RIGHTS)).check(z.minLength(1)),
      }),
    ),
  ),
  scopes: z.optional(z.array(z.enum(LANDLOCK_SCOPES))),
  logFlags: z.optional(z.array(z.enum(LANDLOCK_LOG_FLAGS))),
  threadSync: z.optional(z.boolean()),
  compatibility: z.optional(z.enum(LANDLOCK_COMPATIBILITY_MODES)),
};

const landlockSchema = z.union([
  z.pipe(
    z.literal('none'),
    z.transform(() => null),
  ),
  z.pipe(
    z.enum(LANDLOCK_PRESETS),
    z.transform((preset) => ({ preset })),
  ),
  z.strictObject({ preset: z.optional(z.enum(LANDLOCK_PRESETS)), ...landlockRules }),
]);

const syscallName = text.check(
  z.regex(/^@?[a-z0-9_]{1,64}$/, {
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
const seccompSchema = z.union([
  z.pipe(
    z.enum(SECCOMP_PROFILES),
    z.transform((profile) => ({ profile })),
  ),
  z.strictObject({
    profile: z.optional(z.enum(SECCOMP_PROFILES)),
    allow: z.optional(z.array(syscallName)),
    deny: z.optional(z.array(syscallName)),
    action: z.optional(seccompAction),
  }),
]);

/** CPUQuota: a share of one CPU above 0%, over 100% allowed (systemd's `parse_permyriad_unbounded()`). */
function parseCpuQuota(value: string): Result<number> {
  const share = parsePercentage(value, { max: Number.MAX_SAFE_INTEGER });
  if (!share.ok || share.value > 0) return share;
  return fail(
    new VoltError('INVALID_PERCENTAGE', `${JSON.stringify(value)} is not a CPU quota; accepted: above 0%`),
  );
}

const tasksLimit = parsedFrom(z.union([z.number(), text]), (value): Result<TasksLimit> => {
  if (value === 'infinity') return { ok: true, value: { kind: 'infinity' } };
  if (typeof value === 'string' && /[%‰‱]$/.test(value)) {
    const share = parsePercentage(value);
    return share.ok ? { ok: true, value: { kind: 'percent', permyriad: share.value } } : share;
  }
  const limit = parseInteger(value, { min: 1, max: 4194304, what: 'a task limit' });
  return limit.ok ? { ok: true, value: { kind: 'count', count: limit.value } } : limit;
});

const resourcesSchema = z.strictObject({
  delegate: z.optional(z.boolean()),
  memory: z.optional(
    z.strictObject({
      min: z.optional(byteLimit()),
      low: z.optional(byteLimit()),
      high: z.optional(byteLimit(1)),
      max: z.optional(byteLimit(1)),
      swapMax: z.optional(byteLimit()),
      zswapMax: z.optional(byteLimit()),
    }),
  ),
  cpu: z.optional(
    z.strictObject({
      weight: z.optional(cpuWeight),
      startupWeight: z.optional(cpuWeight),
      quota: z.optional(parsedFrom(text, parseCpuQuota)),
      quotaPeriod: z.optional(parsedFrom(text, parseTimeSpan)),
      allowedCpus: z.optional(indexSet),
      allowedMemoryNodes: z.optional(indexSet),
    }),
  ),
  io: z.optional(
    z.strictObject({
      weight: z.optional(weight),
      devices: z.optional(
        z.array(
          z.strictObject({
            device: absolutePath,
            weight: z.optional(weight),
            readBandwidthMax: z.optional(rate(1000)),
            writeBandwidthMax: z.optional(rate(1000)),
            readIopsMax: z.optional(rate(1000)),
            writeIopsMax: z.optional(rate(1000)),
          }),
        ),
      ),
    }),
  ),
  tasks: z.optional(z.strictObject({ max: z.optional(tasksLimit) })),
});

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

const networkSchema = z.strictObject({
  mode: z.optional(z.enum(NETWORK_MODES)),
  bridge: z.optional(parsedFrom(text, parseInterfaceName)),
  subnet: z.optional(subnet(4)),
  subnet6: z.optional(subnet(6)),
  ports: z.optional(z.array(portForward)),
  dns: z.optional(
    z.array(
      parsedFrom(text, (value) => {
        const address = parseIpAddress(value);
        return address.ok ? ok(address.value.text) : address;
      }),
    ),
  ),
  searchDomains: z.optional(z.array(parsedFrom(text, parseDomainName))),
});

const environmentSchema = z.pipe(
  z.record(text, text),
  z.transform((record, ctx) => {
    const entries: (readonly [string, string])[] = [];
    for (const [name, value] of Object.entries(record)) {
      for (const result of [parseEnvironmentName(name), parseSafeValue(value)]) {
        if (!result.ok) {
          ctx.issues.push({
            code: 'custom',
            message: result.error.message,
            input: record,
            path: [name],
            params: { voltCode: result.error.code },
          });
        }
      }
      entries.push([name, value]);
    }
    return entries;
  }),
);

const profileObject = z.strictObject({
  name: z.optional(parsedFrom(text, parseMachineName)),
  rootfs: z.optional(absolutePath),
  boot: z.optional(z.boolean()),
  command: z.optional(z.array(parsedFrom(text, parseSafeValue)).check(z.minLength(1))),
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
export const profileSchema: z.ZodMiniType<Profile, unknown> = z.pipe(
  profileObject,
  z.transform((value) => {
    const { quotaPeriod, ...cpu } = value.resources?.cpu ?? {};
    if (value.resources?.cpu === undefined) return value as Profile;
    return {
      ...value,
      resources: {
        ...value.resources,
        cpu: { ...cpu, ...(quotaPeriod === undefined ? {} : { quotaPeriodUs: quotaPeriod }) },
      },
    } as Profile;
  }),
);

type ZodIssue = z.core.$ZodIssue;

/** The issues that explain a failed union: those of the branches whose type matched the input. */
function explainUnion(issue: ZodIssue): ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const mismatch = (inner: ZodIssue) =>
    inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value');
  const branches = issue.errors.filter((branch) => !branch.every(mismatch));
  if (branches.length === 0) {
    const accepted = new Set(
      issue.errors.flat().flatMap((inner) => {
        if (inner.code === 'invalid_value') return inner.values.map((literal) => JSON.stringify(literal));
        if (inner.code !== 'invalid_type') return [];
        return [`${/^[aeiou]/.test(inner.expected) ? 'an' : 'a'} ${inner.expected}`];
      }),
    );
    return [{ ...issue, message: `Invalid input; accepted: ${[...accepted].join(', ')}` }];
  }
  return (branches[0] as ZodIssue[]).flatMap((inner) =>
    explainUnion({ ...inner, path: [...issue.path, ...inner.path] } as ZodIssue),
  );
}

function toVoltError(issue: ZodIssue): VoltError {
  const params = (issue as { params?: { voltCode?: VoltErrorCode } }).params;
  const path: InputPath = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  if (params?.voltCode !== undefined) return new VoltError(params.voltCode, issue.message, { path });
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
  return new VoltError(issue.code === 'invalid_type' ? 'INVALID_PROFILE' : 'INVALID_VALUE', issue.message, {
    path,
  });
}

function toVoltErrors(error: z.core.$ZodError): VoltError[] {
  return error.issues.flatMap((issue) => explainUnion(issue as ZodIssue)).map(toVoltError);
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
  const result = profileSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const [first, ...rest] = toVoltErrors(result.error);
  const error = first ?? new VoltError('INVALID_PROFILE', 'the profile is not valid');
  return { ok: false, error, issues: [error, ...rest] };
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

/**
 * Loads a profile document from JSON or YAML text without validating it. YAML is a superset of JSON, so
 * one loader reads both; duplicate keys are an error.
 *
 * @throws {@link VoltError} PARSE_ERROR when the text is not valid YAML/JSON.
 * @example
 * ```ts
 * await loadProfileDocument('name: web\n'); // { name: 'web' }
 * ```
 */
export async function loadProfileDocument(source: string, fileName = 'profile'): Promise<unknown> {
  const { parse } = await import('yaml');
  try {
    return parse(source, { uniqueKeys: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new VoltError(
      'PARSE_ERROR',
      `${fileName} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
        hint: 'check the indentation and quoting around the line named',
      },
    );
  }
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
