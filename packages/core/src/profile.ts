import { z } from 'zod';
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

/** Turns one of core's parsers into a zod transform that reports the parser's own code and message. */
function parsed<I, O>(parse: (input: I) => Result<O>) {
  return (input: I, ctx: z.RefinementCtx): O => {
    const result = parse(input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.error.message, params: { voltCode: result.error.code } });
    return z.NEVER;
  };
}

const text = z.string().max(4096);
const byteLimit = (minBytes = 0) =>
  z
    .union([z.number().int().min(0), text])
    .transform(parsed((value: string | number) => parseByteLimit(String(value), { minBytes })));
const weight = z.union([z.number(), text]).transform(parsed(parseWeight));
const cpuWeight = z
  .union([z.literal('idle'), z.number(), text])
  .transform(
    parsed(
      (value: string | number): Result<CpuWeight> =>
        value === 'idle' ? { ok: true, value } : parseWeight(value),
    ),
  );
const indexSet = z
  .union([text, z.array(z.number().int().min(0))])
  .transform(
    parsed((value: string | readonly number[]) =>
      parseIndexSet(typeof value === 'string' ? value : value.join(',')),
    ),
  );
const absolutePath = text.transform(parsed(parseAbsolutePath));
const port = z.union([z.number(), text]).transform(parsed(parsePort));
const rate = (base: 1000) =>
  z.union([z.number().int().min(1), text]).transform(
    parsed((value: string | number): Result<RateLimit> => {
      if (value === 'infinity') return { ok: true, value: { kind: 'infinity' } };
      const size = typeof value === 'number' ? { ok: true as const, value } : parseByteSize(value, base);
      if (!size.ok) return size;
      if (size.value < 1)
        return fail(
          new VoltError('INVALID_VALUE', 'a rate of 0 is not accepted; give a positive rate or infinity'),
        );
      return ok({ kind: 'rate', perSecond: size.value });
    }),
  );

const landlockRules = {
  handledFs: z.array(z.enum(LANDLOCK_FS_RIGHTS)).optional(),
  handledNet: z.array(z.enum(LANDLOCK_NET_RIGHTS)).optional(),
  paths: z
    .array(
      z.strictObject({
        path: absolutePath,
        access: z.array(z.enum(LANDLOCK_FS_RIGHTS)),
        optional: z.boolean().default(false),
      }),
    )
    .optional(),
  ports: z
    .array(
      z.strictObject({
        port: z.number().int().min(0).max(65535),
        access: z.array(z.enum(LANDLOCK_NET_RIGHTS)).min(1),
      }),
    )
    .optional(),
  scopes: z.array(z.enum(LANDLOCK_SCOPES)).optional(),
  logFlags: z.array(z.enum(LANDLOCK_LOG_FLAGS)).optional(),
  threadSync: z.boolean().optional(),
  compatibility: z.enum(LANDLOCK_COMPATIBILITY_MODES).optional(),
};

const landlockSchema = z.union([
  z.literal('none').transform(() => null),
  z.enum(LANDLOCK_PRESETS).transform((preset) => ({ preset })),
  z.strictObject({ preset: z.enum(LANDLOCK_PRESETS).optional(), ...landlockRules }),
]);

const syscallName = text.regex(/^@?[a-z0-9_]{1,64}$/, {
  message: 'not a system call or @group name; accepted: names such as mount or @mount',
});
const seccompAction = z.union([
  z.literal('kill-process').transform((): SeccompAction => ({ kind: 'kill-process' })),
  z.literal('log').transform((): SeccompAction => ({ kind: 'log' })),
  z
    .strictObject({ errno: z.union([z.number(), text]).transform(parsed(parseErrno)) })
    .transform(({ errno }): SeccompAction => ({ kind: 'errno', errno })),
]);
const seccompSchema = z.union([
  z.enum(SECCOMP_PROFILES).transform((profile) => ({ profile })),
  z.strictObject({
    profile: z.enum(SECCOMP_PROFILES).optional(),
    allow: z.array(syscallName).optional(),
    deny: z.array(syscallName).optional(),
    action: seccompAction.optional(),
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

const tasksLimit = z.union([z.number(), text]).transform(
  parsed((value: string | number): Result<TasksLimit> => {
    if (value === 'infinity') return { ok: true, value: { kind: 'infinity' } };
    if (typeof value === 'string' && /[%‰‱]$/.test(value)) {
      const share = parsePercentage(value);
      return share.ok ? { ok: true, value: { kind: 'percent', permyriad: share.value } } : share;
    }
    const count = parseInteger(value, { min: 1, max: 4194304, what: 'a task limit' });
    return count.ok ? { ok: true, value: { kind: 'count', count: count.value } } : count;
  }),
);

const resourcesSchema = z.strictObject({
  delegate: z.boolean().optional(),
  memory: z
    .strictObject({
      min: byteLimit().optional(),
      low: byteLimit().optional(),
      high: byteLimit(1).optional(),
      max: byteLimit(1).optional(),
      swapMax: byteLimit().optional(),
      zswapMax: byteLimit().optional(),
    })
    .optional(),
  cpu: z
    .strictObject({
      weight: cpuWeight.optional(),
      startupWeight: cpuWeight.optional(),
      quota: text.transform(parsed(parseCpuQuota)).optional(),
      quotaPeriod: text.transform(parsed(parseTimeSpan)).optional(),
      allowedCpus: indexSet.optional(),
      allowedMemoryNodes: indexSet.optional(),
    })
    .optional(),
  io: z
    .strictObject({
      weight: weight.optional(),
      devices: z
        .array(
          z.strictObject({
            device: absolutePath,
            weight: weight.optional(),
            readBandwidthMax: rate(1000).optional(),
            writeBandwidthMax: rate(1000).optional(),
            readIopsMax: rate(1000).optional(),
            writeIopsMax: rate(1000).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  tasks: z.strictObject({ max: tasksLimit.optional() }).optional(),
});

const portForward = z.union([
  text.transform(
    parsed((value: string): Result<PortForward> => {
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
      return {
        ok: true,
        value: {
          protocol: (match[1] ?? 'tcp') as 'tcp' | 'udp',
          hostPort: host.value,
          containerPort: container.value,
        },
      };
    }),
  ),
  z.strictObject({ protocol: z.enum(PORT_PROTOCOLS).default('tcp'), host: port, container: port }).transform(
    (value): PortForward => ({
      protocol: value.protocol,
      hostPort: value.host,
      containerPort: value.container,
    }),
  ),
]);

const networkSchema = z.strictObject({
  mode: z.enum(NETWORK_MODES).optional(),
  bridge: text.transform(parsed(parseInterfaceName)).optional(),
  subnet: text
    .transform(parsed((value: string) => parseSubnet(value, 4)))
    .transform((subnet) => subnet.text)
    .optional(),
  subnet6: text
    .transform(parsed((value: string) => parseSubnet(value, 6)))
    .transform((subnet) => subnet.text)
    .optional(),
  ports: z.array(portForward).optional(),
  dns: z
    .array(
      text.transform(parsed((value: string) => parseIpAddress(value))).transform((address) => address.text),
    )
    .optional(),
  searchDomains: z.array(text.transform(parsed(parseDomainName))).optional(),
});

const environmentSchema = z.record(text, text).transform((record, ctx) => {
  const entries: (readonly [string, string])[] = [];
  for (const [name, value] of Object.entries(record)) {
    const checkedName = parseEnvironmentName(name);
    const checkedValue = parseSafeValue(value);
    for (const result of [checkedName, checkedValue]) {
      if (!result.ok) {
        ctx.addIssue({
          code: 'custom',
          message: result.error.message,
          path: [name],
          params: { voltCode: result.error.code },
        });
      }
    }
    entries.push([name, value]);
  }
  return entries;
});

const profileObject = z.strictObject({
  name: text.transform(parsed(parseMachineName)).optional(),
  rootfs: absolutePath.optional(),
  boot: z.boolean().optional(),
  command: z
    .array(text.transform(parsed(parseSafeValue)))
    .min(1)
    .optional(),
  workloadUnit: text
    .regex(/^[A-Za-z0-9:_.@-]{1,250}\.(service|socket)$/, {
      message: 'not a unit name; accepted: a .service or .socket name of letters, digits and : _ . @ -',
    })
    .optional(),
  environment: environmentSchema.optional(),
  landlock: landlockSchema.optional(),
  seccomp: seccompSchema.optional(),
  resources: resourcesSchema.optional(),
  network: networkSchema.optional(),
  privateUsers: z.boolean().optional(),
  readOnlyRoot: z.boolean().optional(),
});

/** The zod schema of a profile document (JSON or YAML after loading). */
export const profileSchema: z.ZodType<Profile, unknown> = profileObject.transform((value) => {
  const { quotaPeriod, ...cpu } = value.resources?.cpu ?? {};
  if (value.resources?.cpu === undefined) return value as Profile;
  return {
    ...value,
    resources: {
      ...value.resources,
      cpu: { ...cpu, ...(quotaPeriod === undefined ? {} : { quotaPeriodUs: quotaPeriod }) },
    },
  } as Profile;
});

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

function toVoltErrors(error: z.ZodError): VoltError[] {
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
