import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue, notAString } from './describe.js';
import { ARGUMENT_BYTES_MAX, freeTextProblem, unwritableCharacter, utf8Length } from './text.js';

/** The longest machine name systemd accepts (HOST_NAME_MAX). */
export const MACHINE_NAME_MAX = 64;
/** The longest network interface name the kernel accepts (IFNAMSIZ - 1). */
export const INTERFACE_NAME_MAX = 15;

/** A valid machine name, checked in one go; the slow path below says what is wrong with another. */
const MACHINE_NAME_LABELS =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * Parses a container (machine) name by the rules systemd applies to machine names (`hostname_is_valid`):
 * labels of ASCII letters, digits and `-`, separated by single dots, no label starting or ending with `-`,
 * at most 64 characters. The reserved `.host` is refused.
 *
 * @example
 * ```ts
 * parseMachineName('web-1'); // { ok: true, value: 'web-1' }
 * parseMachineName('a/b').ok; // false, code INVALID_MACHINE_NAME
 * ```
 */
export function parseMachineName(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  if (text.length <= MACHINE_NAME_MAX && MACHINE_NAME_LABELS.test(text)) return ok(text);
  const accepted = `accepted: 1 to ${MACHINE_NAME_MAX} ASCII letters, digits, '-' and '.', each dot-separated label starting and ending with a letter or digit (e.g. web-1)`;
  const invalid = (why: string) =>
    fail<string>(
      new VoltError(
        'INVALID_MACHINE_NAME',
        `${describeValue(text)} is not a valid machine name: ${why}; ${accepted}`,
      ),
    );
  if (text.length === 0) return invalid('it is empty');
  if (text.length > MACHINE_NAME_MAX) return invalid(`it has ${text.length} characters`);
  const bad = /[^A-Za-z0-9.-]/.exec(text);
  if (bad !== null) return invalid(`it contains ${JSON.stringify(bad[0])}`);
  for (const label of text.split('.')) {
    if (label === '') return invalid('it has an empty label (a leading, trailing or double dot)');
    if (label.startsWith('-') || label.endsWith('-'))
      return invalid(`label ${JSON.stringify(label)} starts or ends with '-'`);
  }
  return ok(text);
}

/**
 * Parses a network interface name (bridge, veth): 1 to 15 bytes of ASCII letters, digits, `_`, `.` and
 * `-`, starting with a letter or digit, and neither `all`, `default` nor all digits (systemd refuses those).
 * The kernel's own limit is 15 bytes; the character set is stricter than the kernel's so that names are
 * always safe in files and argument lists.
 *
 * @example
 * ```ts
 * parseInterfaceName('voltbr0'); // { ok: true, value: 'voltbr0' }
 * parseInterfaceName('a-very-long-bridge-name').ok; // false, code INVALID_INTERFACE_NAME
 * ```
 */
export function parseInterfaceName(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  const accepted = `accepted: 1 to ${INTERFACE_NAME_MAX} ASCII letters, digits, '_', '.' and '-', starting with a letter or digit, not all digits, not all or default`;
  // systemd's ifname_valid() also refuses `all` and `default` (the sysctl directories of those names) and
  // all-digit names (read as an interface index).
  const reserved = text === 'all' || text === 'default' || /^\d+$/.test(text);
  if (
    reserved ||
    text.length === 0 ||
    text.length > INTERFACE_NAME_MAX ||
    !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(text)
  ) {
    const why = reserved
      ? 'it is reserved (all, default and all-digit names are refused by systemd)'
      : text.length > INTERFACE_NAME_MAX
        ? `it has ${text.length} bytes, over the kernel's limit of 15`
        : 'it has a character that is not allowed';
    return fail(
      new VoltError(
        'INVALID_INTERFACE_NAME',
        `${describeValue(text)} is not a valid interface name: ${why}; ${accepted}`,
      ),
    );
  }
  return ok(text);
}

/** The most UTF-8 bytes a path may have: PATH_MAX (4096) less the terminating NUL. */
export const PATH_BYTES_MAX = 4095;
/** The most UTF-8 bytes one component of a path may have: NAME_MAX. */
export const PATH_COMPONENT_BYTES_MAX = 255;

const PATH_ACCEPTED = `accepted: an absolute path of any characters but NUL and line breaks, without '..' components, at most ${PATH_BYTES_MAX} UTF-8 bytes and ${PATH_COMPONENT_BYTES_MAX} per component`;

/**
 * Parses an absolute path and normalises it: repeated slashes collapse, `.` components go, a trailing
 * slash goes. `..` is refused rather than resolved, as systemd does for its own paths.
 *
 * A path may hold any character a file name can, except what no Volt output can carry: NUL, line breaks
 * (LF, CR: a `.nspawn` file's `Bind=` has no escape for them) and unpaired surrogates (see
 * {@link unwritableCharacter}). Spaces, quotes, back-slashes, `:`, `=`, `%`, `$` and any Unicode are
 * accepted; each output escapes them its own way (`nspawnBindSpec`, `unitFileWord`). At most
 * {@link PATH_BYTES_MAX} UTF-8 bytes once normalised, and {@link PATH_COMPONENT_BYTES_MAX} per component
 * (the kernel refuses longer ones with ENAMETOOLONG).
 *
 * @example
 * ```ts
 * parseAbsolutePath('/var//lib/./machines/'); // { ok: true, value: '/var/lib/machines' }
 * parseAbsolutePath('/srv/My Data: 100%'); // { ok: true, value: '/srv/My Data: 100%' }
 * parseAbsolutePath('relative/path').ok; // false, code INVALID_PATH
 * ```
 */
export function parseAbsolutePath(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  const invalid = (why: string) =>
    fail<string>(
      new VoltError('INVALID_PATH', `${describeValue(text)} is not a valid path: ${why}; ${PATH_ACCEPTED}`),
    );
  if (!text.startsWith('/')) return invalid('it is not absolute');
  const unwritable = unwritableCharacter(text);
  if (unwritable !== undefined)
    return invalid(`it contains ${JSON.stringify(unwritable.character)}, ${unwritable.why}`);
  const parts = text.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return invalid("it contains '..'");
  const long = parts.find((part) => utf8Length(part) > PATH_COMPONENT_BYTES_MAX);
  if (long !== undefined)
    return invalid(`its component ${describeValue(long)} has ${utf8Length(long)} UTF-8 bytes`);
  const path = `/${parts.join('/')}`;
  const bytes = utf8Length(path);
  return bytes > PATH_BYTES_MAX ? invalid(`it has ${bytes} UTF-8 bytes`) : ok(path);
}

/** What systemd's IO*= settings cannot carry in a device path (see {@link parseDevicePath}). */
const NOT_IN_DEVICE_PATH = /[ \t"'\\%]/;

/**
 * Parses the path of a block device or of a file on it, as the IO limits name it (`IOWeight=PATH 500`,
 * `--property=IOReadBandwidthMax=PATH 10M`): an absolute path ({@link parseAbsolutePath}) without white
 * space, quotes, back-slashes or `%`. systemd's `--property=` ends the path at the first space, and a unit
 * file reads quotes, back-slashes and `%` specifiers in it.
 *
 * @example
 * ```ts
 * parseDevicePath('/dev/disk/by-path/pci-0000:00:1f.2-ata-1'); // ok
 * parseDevicePath('/dev/my disk').ok; // false, code INVALID_PATH
 * ```
 */
export function parseDevicePath(text: string): Result<string> {
  const path = parseAbsolutePath(text);
  if (!path.ok) return path;
  const bad = NOT_IN_DEVICE_PATH.exec(path.value)?.[0];
  if (bad === undefined) return path;
  return fail(
    new VoltError(
      'INVALID_PATH',
      `${describeValue(text)} is not a device path systemd's IO settings can carry: it contains ${JSON.stringify(bad)} (--property= ends the path at a space; a unit file reads quotes, back-slashes and % specifiers); accepted: an absolute path without white space, quotes, back-slashes or '%'`,
    ),
  );
}

/**
 * Joins a rootfs and a path inside it: `joinUnderRoot('/var/lib/machines/web', '/usr')` →
 * `/var/lib/machines/web/usr`. Both must already be normalised absolute paths.
 *
 * @example
 * ```ts
 * joinUnderRoot('/srv/root', '/'); // '/srv/root'
 * ```
 */
export function joinUnderRoot(root: string, path: string): string {
  if (path === '/') return root;
  return root === '/' ? path : `${root}${path}`;
}

const WORKLOAD_UNIT_NAME = /^[A-Za-z0-9:_.@-]{1,250}\.(?:service|socket)$/;

/**
 * Parses the name of the unit a booting container runs its workload as: `NAME.service` or `NAME.socket`,
 * NAME of ASCII letters, digits and `: _ . @ -` (characters systemd allows in unit names; no `/`, so the
 * name is safe as a file name under /etc/systemd/system).
 *
 * @example
 * ```ts
 * parseWorkloadUnitName('app.service').ok; // true
 * parseWorkloadUnitName('../x.service').ok; // false, code INVALID_VALUE
 * ```
 */
export function parseWorkloadUnitName(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  if (WORKLOAD_UNIT_NAME.test(text)) return ok(text);
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `${describeValue(text)} is not a unit name; accepted: a .service or .socket name of letters, digits and : _ . @ -`,
    ),
  );
}

/**
 * Parses an environment variable name: a letter or `_`, then letters, digits and `_`.
 *
 * @example
 * ```ts
 * parseEnvironmentName('VOLT_CONTAINER').ok; // true
 * parseEnvironmentName('A=B').ok; // false, code UNSAFE_STRING
 * ```
 */
export function parseEnvironmentName(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  if (/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(text)) return ok(text);
  return fail(
    new VoltError(
      'UNSAFE_STRING',
      `${describeValue(text)} is not a valid environment variable name; accepted: a letter or '_' followed by letters, digits and '_'`,
    ),
  );
}

/**
 * Parses one environment variable: its name ({@link parseEnvironmentName}) and its value, free text as
 * `parseFreeText` accepts it, with `NAME=VALUE` at most {@link ARGUMENT_BYTES_MAX} UTF-8 bytes. Every problem is
 * reported.
 *
 * @example
 * ```ts
 * parseEnvironmentVariable('JAVA_OPTS', '-Xmx1g -Dx=y'); // { ok: true, value: ['JAVA_OPTS', '-Xmx1g -Dx=y'] }
 * parseEnvironmentVariable('A', 'x\ny').ok; // false, code UNSAFE_STRING
 * ```
 */
export function parseEnvironmentVariable(name: string, value: string): Result<readonly [string, string]> {
  const parsedName = parseEnvironmentName(name);
  const issues = parsedName.ok ? [] : [...parsedName.issues];
  const problem =
    typeof value !== 'string'
      ? 'it is not a string'
      : (freeTextProblem(value) ??
        (utf8Length(`${name}=${value}`) > ARGUMENT_BYTES_MAX
          ? `NAME=VALUE has ${utf8Length(`${name}=${value}`)} UTF-8 bytes`
          : undefined));
  if (problem !== undefined) {
    issues.push(
      new VoltError(
        'UNSAFE_STRING',
        `the value ${describeValue(value)} of ${describeValue(name)} cannot be written: ${problem}; accepted: a string without NUL, line breaks (LF, CR) or unpaired surrogates, NAME=VALUE at most ${ARGUMENT_BYTES_MAX} UTF-8 bytes`,
      ),
    );
  }
  const [first, ...rest] = issues;
  return first === undefined ? ok([name, value] as const) : fail(first, ...rest);
}

/**
 * Parses a DNS domain name (for resolv.conf `search`): dot-separated labels of ASCII letters, digits and
 * `-`, each 1..63 characters, at most 253 in all. That is what the container's resolver can use: the
 * `search` line is split at white space, and glibc drops answers whose names are not host names
 * (`res_hnok`: letters, digits, `-`); an internationalised name goes in its ASCII form (`xn--…`), which is
 * what DNS holds.
 *
 * @example
 * ```ts
 * parseDomainName('corp.example.com').ok; // true
 * parseDomainName('bad domain').ok; // false, code INVALID_VALUE
 * ```
 */
export function parseDomainName(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  const labels = text.replace(/\.$/, '').split('.');
  const valid =
    text.length > 0 &&
    text.length <= 253 &&
    labels.every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
  if (valid) return ok(text.replace(/\.$/, '').toLowerCase());
  return fail(
    new VoltError(
      'INVALID_VALUE',
      `${describeValue(text)} is not a domain name; accepted: dot-separated labels of letters, digits and '-' (e.g. corp.example.com; an internationalised name in its xn-- form)`,
    ),
  );
}
