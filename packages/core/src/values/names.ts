import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue, notAString } from './describe.js';

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

const SAFE_PATH_CHARACTERS = /^[A-Za-z0-9._+@,~/-]+$/;
/** What normalising would change or refuse: `//`, a `.` or `..` component, a trailing slash. */
const NOT_NORMAL_PATH = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

/**
 * Parses an absolute path and normalises it: repeated slashes collapse, `.` components go, a trailing
 * slash goes. `..` is refused rather than resolved, as systemd does for its own paths. Only characters
 * that are safe in every file format and argument list Volt writes are accepted: ASCII letters, digits and
 * `. _ + @ , ~ / -`. Spaces, `=`, `:`, `%`, `$`, quotes, back-slashes and control characters are refused.
 *
 * @example
 * ```ts
 * parseAbsolutePath('/var//lib/./machines/'); // { ok: true, value: '/var/lib/machines' }
 * parseAbsolutePath('relative/path').ok; // false, code INVALID_PATH
 * ```
 */
export function parseAbsolutePath(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  if (
    text.length <= 4095 &&
    text.startsWith('/') &&
    SAFE_PATH_CHARACTERS.test(text) &&
    !NOT_NORMAL_PATH.test(text)
  )
    return ok(text);
  const accepted = "accepted: an absolute path of ASCII letters, digits and . _ + @ , ~ / - without '..'";
  const invalid = (why: string) =>
    fail<string>(
      new VoltError('INVALID_PATH', `${describeValue(text)} is not a valid path: ${why}; ${accepted}`),
    );
  if (!text.startsWith('/')) return invalid('it is not absolute');
  if (text.length > 4095) return invalid('it is longer than PATH_MAX');
  if (!SAFE_PATH_CHARACTERS.test(text)) {
    const bad = /[^A-Za-z0-9._+@,~/-]/.exec(text)?.[0] ?? '';
    return invalid(`it contains ${JSON.stringify(bad)}`);
  }
  const parts = text.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return invalid("it contains '..'");
  return ok(`/${parts.join('/')}`);
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

const UNSAFE_VALUE_CHARACTER = /[^\x21-\x7e]|["'\\%$[;`]/;

/**
 * Parses a value that Volt writes into a settings file, a unit file or one argument: printable ASCII
 * without white space, quotes, back-slashes, `%`, `$`, `[`, `;` or back-ticks, at most 1024 characters.
 * These are the characters that systemd's file parsers would split, unquote or expand.
 *
 * @example
 * ```ts
 * parseSafeValue('-Dkey=value').ok; // true
 * parseSafeValue('a b').ok; // false, code UNSAFE_STRING
 * ```
 */
export function parseSafeValue(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  const bad = UNSAFE_VALUE_CHARACTER.exec(text)?.[0];
  if (text.length <= 1024 && bad === undefined) return ok(text);
  const why = bad === undefined ? 'it is longer than 1024 characters' : `it contains ${JSON.stringify(bad)}`;
  return fail(
    new VoltError(
      'UNSAFE_STRING',
      `${describeValue(text)} cannot be written safely: ${why}; accepted: printable ASCII without spaces, quotes, back-slashes, back-ticks, '%', '$', '[' or ';'`,
    ),
  );
}

/**
 * Parses a DNS domain name (for resolv.conf `search`): dot-separated labels of ASCII letters, digits and
 * `-`, each 1..63 characters, at most 253 in all.
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
      `${describeValue(text)} is not a domain name; accepted: dot-separated labels of letters, digits and '-' (e.g. corp.example.com)`,
    ),
  );
}
