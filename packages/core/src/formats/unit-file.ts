import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue, notAString } from '../values/describe.js';
import { unwritableCharacter } from '../values/text.js';

/** One `Key=Value` line. Keys may repeat (e.g. `Environment=`), order is kept. */
export type UnitFileEntry = readonly [key: string, value: string];

/** One `[Section]` with its entries. */
export interface UnitFileSection {
  readonly name: string;
  readonly entries: readonly UnitFileEntry[];
}

/** A systemd-style INI file: unit files, drop-ins and `.nspawn` settings files. */
export interface UnitFile {
  readonly sections: readonly UnitFileSection[];
}

const SECTION_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
const KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The white space systemd's parsers split words at and strip from both ends of a line (`WHITESPACE`).
 * Other white space (a no-break space, U+2028, …) is an ordinary character to systemd.
 *
 * @example
 * ```ts
 * SYSTEMD_WHITESPACE.includes('\t'); // true
 * ```
 */
export const SYSTEMD_WHITESPACE = ' \t\n\r';

/** Whether a line ends in a back-slash that is not itself escaped: systemd joins the next line to it. */
function continuesLine(text: string): boolean {
  let backslashes = 0;
  while (text.charAt(text.length - 1 - backslashes) === '\\') backslashes++;
  return backslashes % 2 === 1;
}

function strip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && SYSTEMD_WHITESPACE.includes(text.charAt(start))) start++;
  while (end > start && SYSTEMD_WHITESPACE.includes(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * Checks one entry before it is written, so that no input can start a new line, section or key.
 *
 * @example
 * ```ts
 * checkUnitFileEntry('Environment', 'A=1').ok; // true
 * checkUnitFileEntry('Environment', 'A=1\n[Service]').ok; // false, code UNSAFE_STRING
 * ```
 */
export function checkUnitFileEntry(key: string, value: string): Result<UnitFileEntry> {
  const problem = entryProblem(key, value);
  return problem === undefined ? ok([key, value]) : fail(problem);
}

function entryProblem(key: string, value: string): VoltError | undefined {
  if (typeof key !== 'string' || !KEY.test(key)) {
    return new VoltError(
      'UNSAFE_STRING',
      `${describeValue(key)} is not a unit-file key; accepted: letters and digits`,
    );
  }
  if (typeof value !== 'string') {
    return new VoltError(
      'INVALID_VALUE',
      `the value of ${key}= is ${describeValue(value)}; accepted: a string`,
    );
  }
  const unwritable = unwritableCharacter(value);
  if (unwritable !== undefined || strip(value) !== value || continuesLine(value)) {
    const why =
      unwritable !== undefined
        ? `it contains ${JSON.stringify(unwritable.character)}, ${unwritable.why}`
        : strip(value) !== value
          ? 'systemd strips the white space it starts or ends with'
          : 'it ends in a back-slash, which joins the next line to it';
    return new VoltError(
      'UNSAFE_STRING',
      `the value of ${key}= cannot be written safely: ${describeValue(value)}: ${why}; accepted: one line (no NUL, LF or CR), not starting or ending with a space or tab, not ending in an unescaped back-slash`,
    );
  }
  return undefined;
}

/**
 * Renders a unit file. Every section name, key and value is checked first; nothing is rendered when one
 * is unsafe. Empty sections are written (an empty `[Network]` still means something to nspawn).
 *
 * @throws {@link VoltError} UNSAFE_STRING when a name, key or value could break the format.
 * @example
 * ```ts
 * renderUnitFile({ sections: [{ name: 'Exec', entries: [['Boot', 'yes']] }] }); // '[Exec]\nBoot=yes\n'
 * ```
 */
export function renderUnitFile(file: UnitFile, header?: string): string {
  let text = header === undefined ? '' : renderHeader(header);
  for (const section of file.sections) {
    checkSectionName(section.name);
    text += `${text === '' ? '' : '\n'}[${section.name}]\n`;
    for (const [key, value] of section.entries) {
      const problem = entryProblem(key, value);
      if (problem !== undefined) throw problem;
      text += `${key}=${value}\n`;
    }
  }
  return text === '' ? '\n' : text;
}

/** A `Key=Value` line that names its section, for {@link renderSectionedUnitFile}. */
export interface SectionedEntry {
  readonly section: string;
  readonly key: string;
  readonly value: string;
}

/**
 * Renders a unit file from entries that each name their section, such as a container's settings: each
 * section of `sectionNames` is written once, in that order, even when it has no entry; entries keep their
 * order within their section. Names, keys and values are checked as {@link renderUnitFile} checks them;
 * nothing is rendered when one is unsafe.
 *
 * @throws {@link VoltError} UNSAFE_STRING when a name, key or value could break the format, or an entry
 *   names a section that is not in `sectionNames`.
 * @example
 * ```ts
 * renderSectionedUnitFile(['Exec', 'Network'], [{ section: 'Network', key: 'Private', value: 'yes' }]);
 * // '[Exec]\n\n[Network]\nPrivate=yes\n'
 * ```
 */
export function renderSectionedUnitFile(
  sectionNames: readonly string[],
  entries: readonly SectionedEntry[],
  header?: string,
): string {
  for (const entry of entries) {
    if (!sectionNames.includes(entry.section)) {
      throw new VoltError(
        'UNSAFE_STRING',
        `${describeValue(entry.section)} is not a section of this file; accepted: ${sectionNames.join(', ')}`,
      );
    }
  }
  return renderUnitFile(
    {
      sections: sectionNames.map((name) => ({
        name,
        entries: entries
          .filter((entry) => entry.section === name)
          .map((entry): UnitFileEntry => [entry.key, entry.value]),
      })),
    },
    header,
  );
}

function checkSectionName(name: string): void {
  if (typeof name !== 'string' || !SECTION_NAME.test(name)) {
    throw new VoltError(
      'UNSAFE_STRING',
      `${describeValue(name)} is not a section name; accepted: letters, digits, '-'`,
    );
  }
}

function renderHeader(header: string): string {
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(header))
    throw new VoltError('UNSAFE_STRING', 'a header line holds a control character');
  return header
    .split('\n')
    .map((line) => `${`# ${line}`.trimEnd()}\n`)
    .join('');
}

/**
 * Parses a unit file the way systemd reads one: `#` and `;` comments, `[Section]` headers, `Key=Value`
 * lines with systemd's white space ({@link SYSTEMD_WHITESPACE}) stripped around key and value. Line
 * continuations (a line ending in an unescaped back-slash) are refused: Volt never writes them.
 *
 * @example
 * ```ts
 * unwrap(parseUnitFile('[Exec]\nBoot=yes\n')).sections[0]?.entries; // [['Boot', 'yes']]
 * ```
 */
export function parseUnitFile(text: string): Result<UnitFile> {
  if (typeof text !== 'string') return notAString(text);
  const sections: { name: string; entries: UnitFileEntry[] }[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = strip(raw);
    const where = { path: [`line ${index + 1}`] };
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (continuesLine(line))
      return fail(new VoltError('PARSE_ERROR', 'line continuations are not supported', where));
    if (line.startsWith('[')) {
      const match = /^\[([^\]]+)\]$/.exec(line);
      if (match === null)
        return fail(new VoltError('PARSE_ERROR', `${JSON.stringify(line)} is not a section header`, where));
      sections.push({ name: match[1] as string, entries: [] });
      continue;
    }
    const equals = line.indexOf('=');
    const section = sections.at(-1);
    if (equals <= 0 || section === undefined) {
      return fail(
        new VoltError(
          'PARSE_ERROR',
          `${JSON.stringify(line)} is not a Key=Value line inside a section`,
          where,
        ),
      );
    }
    section.entries.push([strip(line.slice(0, equals)), strip(line.slice(equals + 1))]);
  }
  return ok({ sections });
}

/**
 * The values of one key in one section, in order.
 *
 * @example
 * ```ts
 * unitFileValues(file, 'Exec', 'Environment'); // ['VOLT_CONTAINER=web', 'VOLT_RUNTIME=hybrid']
 * ```
 */
export function unitFileValues(file: UnitFile, section: string, key: string): string[] {
  return file.sections
    .filter((candidate) => candidate.name === section)
    .flatMap((candidate) => candidate.entries.filter(([name]) => name === key).map(([, value]) => value));
}
