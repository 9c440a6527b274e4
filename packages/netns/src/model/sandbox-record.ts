import {
  describeValue,
  fail,
  failAll,
  type InputPath,
  isRecord,
  type NetworkMode,
  ok,
  type PortForward,
  parseInteger,
  parseInterfaceName,
  parseIpAddress,
  parseMachineName,
  type Result,
  type Valid,
  VoltError,
} from '@volt/core';
import { portForwardIssues } from './config.js';
import { parseTableName } from './options.js';

/** What Volt remembers about one direct sandbox or nspawn container: its lease and what teardown undoes. */
export interface SandboxRecord {
  readonly name: string;
  readonly mode: Exclude<NetworkMode, 'host'>;
  /** The bridge the sandbox is attached to (private mode), else null. */
  readonly bridge: string | null;
  /** The nftables table holding its port forwards (direct sandboxes in private mode), else null. */
  readonly table: string | null;
  /** The leased IPv4 address and the bridge subnet's prefix length (private mode), else null. */
  readonly address: string | null;
  readonly prefixLength: number | null;
  readonly address6: string | null;
  readonly prefixLength6: number | null;
  /** The host side of the veth pair (private mode; null when nspawn names it and the name is not known). */
  readonly hostInterface: string | null;
  readonly ports: readonly PortForward[];
}

/** What a sandbox asks for before it has an address. */
export type SandboxDraft = Omit<SandboxRecord, 'address' | 'prefixLength' | 'address6' | 'prefixLength6'>;

/** Reads one field of a record: its value in canonical form, or the problem. */
type FieldParser = (value: unknown) => Result<unknown>;

const MODES: readonly SandboxRecord['mode'][] = ['private', 'none'];

const nullable =
  (parse: FieldParser): FieldParser =>
  (value) =>
    value === null ? ok(null) : parse(value);

const address =
  (family: 4 | 6): FieldParser =>
  (value) => {
    const parsed = parseIpAddress(value as string, family);
    return parsed.ok ? ok(parsed.value.text) : parsed;
  };

const prefixLength =
  (max: number): FieldParser =>
  (value) =>
    typeof value === 'number'
      ? parseInteger(value, { min: 0, max, what: 'a prefix length' })
      : fail(new VoltError('INVALID_NUMBER', `${describeValue(value)} is not a prefix length`));

function parsePortForwards(value: unknown): Result<readonly PortForward[]> {
  if (!Array.isArray(value)) {
    return fail(new VoltError('INVALID_VALUE', `${describeValue(value)} is not a list of port forwards`));
  }
  const issues: VoltError[] = [];
  const forwards = value.map((forward: unknown, index): PortForward | undefined => {
    const keys = isRecord(forward) ? Object.keys(forward).sort().join(',') : '';
    if (!isRecord(forward) || keys !== 'containerPort,hostPort,protocol') {
      issues.push(
        new VoltError(
          'INVALID_VALUE',
          `${describeValue(forward)} is not a port forward; accepted: { protocol, hostPort, containerPort }`,
          { path: [index] },
        ),
      );
      return undefined;
    }
    const typed = forward as unknown as PortForward;
    issues.push(...portForwardIssues(typed).map((issue) => issue.at([index])));
    return { protocol: typed.protocol, hostPort: typed.hostPort, containerPort: typed.containerPort };
  });
  return failAll(issues) ?? ok(forwards as PortForward[]);
}

/** Every field of a record with its parser: the record format, once. */
const RECORD_FIELDS: { readonly [Field in keyof SandboxRecord]-?: FieldParser } = {
  name: (value) => parseMachineName(value as string),
  mode: (value) =>
    (MODES as readonly unknown[]).includes(value)
      ? ok(value)
      : fail(
          new VoltError(
            'INVALID_VALUE',
            `${describeValue(value)} is not a sandbox mode; accepted: ${MODES.join(', ')}`,
          ),
        ),
  bridge: nullable((value) => parseInterfaceName(value as string)),
  table: nullable((value) => parseTableName(value as string)),
  address: nullable(address(4)),
  prefixLength: nullable(prefixLength(30)),
  address6: nullable(address(6)),
  prefixLength6: nullable(prefixLength(128)),
  hostInterface: nullable((value) => parseInterfaceName(value as string)),
  ports: parsePortForwards,
};

/** The fields a mode requires (non-null) and those it forbids (null, and no ports outside private mode). */
function modeIssues(record: SandboxRecord): VoltError[] {
  const issues: VoltError[] = [];
  const required: readonly (keyof SandboxRecord)[] =
    record.mode === 'private' ? ['bridge', 'address', 'prefixLength'] : [];
  const forbidden: readonly (keyof SandboxRecord)[] =
    record.mode === 'private'
      ? []
      : ['bridge', 'table', 'address', 'prefixLength', 'address6', 'prefixLength6', 'hostInterface'];
  for (const field of required) {
    if (record[field] === null)
      issues.push(new VoltError('INVALID_VALUE', `mode ${record.mode} needs a ${field}`, { path: [field] }));
  }
  for (const field of forbidden) {
    if (record[field] !== null)
      issues.push(new VoltError('INVALID_VALUE', `mode ${record.mode} has no ${field}`, { path: [field] }));
  }
  if (record.mode !== 'private' && record.ports.length > 0)
    issues.push(
      new VoltError('INVALID_VALUE', `mode ${record.mode} has no port forwards`, { path: ['ports'] }),
    );
  if ((record.address6 === null) !== (record.prefixLength6 === null)) {
    issues.push(
      new VoltError('INVALID_VALUE', 'address6 and prefixLength6 come together', { path: ['address6'] }),
    );
  }
  return issues;
}

/**
 * Parses a lease record as read from its file (JSON already decoded): exactly the fields of
 * {@link SandboxRecord}, each read by its rule (machine name, interface names, nftables table, canonical
 * addresses, prefix lengths, port forwards), the fields its mode needs, and the name the file is filed
 * under. Every problem at once, each at its field's path under `path`. Nothing read from a record reaches
 * a command line before this.
 *
 * @example
 * ```ts
 * parseSandboxRecord(JSON.parse(text), 'web-1').ok;
 * parseSandboxRecord({ ...record, hostInterface: '-f' }, 'web-1').ok; // false: INVALID_INTERFACE_NAME at ['hostInterface']
 * ```
 */
export function parseSandboxRecord(
  input: unknown,
  expectedName: string,
  path: InputPath = [],
): Result<Valid<SandboxRecord>> {
  if (!isRecord(input)) {
    return fail(
      new VoltError(
        'INVALID_VALUE',
        `${describeValue(input)} is not a lease record; accepted: a JSON object`,
        {
          path,
        },
      ),
    );
  }
  const issues: VoltError[] = [];
  const fields = Object.keys(RECORD_FIELDS) as (keyof SandboxRecord)[];
  const unknown = Object.keys(input).filter((key) => !(fields as string[]).includes(key));
  if (unknown.length > 0) {
    issues.push(
      new VoltError(
        'INVALID_VALUE',
        `unknown field(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')}`,
        {
          path,
        },
      ),
    );
  }
  const record: Record<string, unknown> = {};
  for (const field of fields) {
    if (!(field in input)) {
      issues.push(
        new VoltError('INVALID_VALUE', `the field ${field} is missing`, { path: [...path, field] }),
      );
      continue;
    }
    const parsed = RECORD_FIELDS[field](input[field]);
    if (parsed.ok) record[field] = parsed.value;
    else issues.push(...parsed.issues.map((issue) => issue.at([...path, field])));
  }
  const failed = failAll<Valid<SandboxRecord>>(issues);
  if (failed !== undefined) return failed;
  const valid = record as unknown as SandboxRecord;
  const problems = modeIssues(valid).map((issue) => issue.at(path));
  if (valid.name !== expectedName) {
    problems.push(
      new VoltError('INVALID_VALUE', `the record names ${valid.name}, but is filed under ${expectedName}`, {
        path: [...path, 'name'],
      }),
    );
  }
  return failAll<Valid<SandboxRecord>>(problems) ?? ok(valid as Valid<SandboxRecord>);
}
