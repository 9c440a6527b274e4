// Proof against systemd itself (252 here) that unitEnvironmentValue and unitExecStartValue write free text
// that systemd reads back exactly. One oneshot unit gets a drop-in (rendered by renderUnitFile) with an
// Environment= line per variable and an ExecStart= line per command; `systemd-analyze verify` must not
// complain about it, and `systemd --test` (run as nobody, with SYSTEMD_UNIT_PATH=DIR: so that nothing else
// is loaded) dumps what systemd parsed: every variable and every command line must equal the input. The
// dump quotes a command line like a shell (shell_maybe_quote: `"…"` with `\` before `"`, `\`, `` ` `` and
// `$`, control characters as C escapes), which readCommandLine undoes. Values written by hand in systemd's
// syntax must be read by core's readers (parseUnitEnvironment, parseUnitExecStart) as systemd reads them.
// The other direction: programs systemd cannot run by name are refused by unitExecStartValue, and systemd
// is shown to refuse them too.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemdTestDump } from '../../test/systemd-test.js';
import { EDGE_TEXT, freeTextArbitrary } from '../../test/text-arbitraries.js';
import { unwrap } from '../errors.js';
import { C_ESCAPE_LETTERS } from './systemd-words.js';
import { renderUnitFile, type UnitFileEntry } from './unit-file.js';
import {
  parseUnitEnvironment,
  parseUnitExecStart,
  unitEnvironmentValue,
  unitExecStartValue,
  unitFileWord,
} from './unit-values.js';

const ANALYZE = '/usr/bin/systemd-analyze';
const UNIT = 'vtcore18-values.service';
const refusedUnit = (index: number) => `vtcore18-refused-${index}.service`;
const SEED = 20261219;

const values = [
  ...EDGE_TEXT,
  ...fc.sample(freeTextArbitrary, {
    numRuns: Math.ceil((80 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
    seed: SEED,
  }),
];
const generatedArguments = fc.sample(fc.array(freeTextArbitrary, { maxLength: 5 }), {
  numRuns: Math.ceil((40 * (fc.readConfigureGlobal().numRuns ?? 100)) / 100),
  seed: SEED + 1,
});

/** Environment= values as a person writes them: quotes inside words, every kind of C escape, `%%`. */
const HAND_ENVIRONMENT: readonly string[] = [
  `W1=plain "W2=a b" 'W3="q"' W4=x"y"z`,
  'W5=\\x41\\101\\u00e9\\U0001F600\\s\\t\\a\\v%%',
  'W6=\\xc3\\xa9\\\\ W7=',
];
/** ExecStart= values as a person writes them: prefixes, `\\;`, escapes, quotes inside words. */
const HAND_EXEC: readonly string[] = [
  '-@/bin/echo argv0 "a b" \\; x"y z"\'w\' \\x41',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR} syntax, as a user writes it
  ':/bin/echo $X ${Y} 100%% "\\"q\\""',
  '!!/bin/echo \\ttab \\u00e9',
];

let workDir = '';
/** An executable whose path holds every character systemd allows in a program name that needs care. */
let oddProgram = '';

/** The commands of the drop-in: edge cases of the program name, then generated arguments. */
function commands(): string[][] {
  return [
    ['/bin/echo', ...EDGE_TEXT],
    [oddProgram, '%i', '$HOME'],
    ['@vtcore18-at', 'argv0', 'x'],
    [':vtcore18-colon', 'y'],
    [';', 'z'],
    ['/bin/echo', 'line\nbreak', 'carriage\rreturn', '\u0007\b\f\v\u0001\u001b\u007f'],
    ...generatedArguments.map((args) => ['/bin/echo', ...args]),
  ];
}

/** Undoes systemd's shell_maybe_quote() of each word of a dumped command line. */
function readCommandLine(line: string): string[] {
  const words: string[] = [];
  let at = 0;
  while (at < line.length) {
    let word = '';
    if (line.charAt(at) === '"') {
      at++;
      while (line.charAt(at) !== '"') {
        if (line.charAt(at) !== '\\') {
          word += line.charAt(at);
          at++;
          continue;
        }
        const escaped = line.charAt(at + 1);
        if (/[0-7]/.test(escaped)) {
          word += String.fromCharCode(Number.parseInt(line.slice(at + 1, at + 4), 8));
          at += 4;
        } else {
          word += C_ESCAPE_LETTERS[escaped] ?? escaped;
          at += 2;
        }
      }
      at++;
    } else {
      const end = line.indexOf(' ', at);
      word = line.slice(at, end < 0 ? undefined : end);
      at += word.length;
    }
    words.push(word);
    at++; // the space between words
  }
  return words;
}

/** What `systemd-analyze verify` says about one unit (it prints problems on stderr and exits 0). */
function verify(unit: string): string[] {
  const run = spawnSync(ANALYZE, ['verify', unit], {
    env: { ...process.env, SYSTEMD_UNIT_PATH: `${workDir}:`, SYSTEMD_LOG_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (run.error !== undefined) throw run.error;
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .filter((line) => line.includes(workDir) || line.includes(unit));
}

function writeUnit(unit: string, dropIn: string): void {
  writeFileSync(
    join(workDir, unit),
    '[Unit]\nDescription=volt core test\n[Service]\nType=oneshot\nExecStart=/bin/true\n',
  );
  mkdirSync(join(workDir, `${unit}.d`));
  writeFileSync(join(workDir, `${unit}.d`, '50-volt.conf'), dropIn);
}

/** Programs systemd cannot run by that name, each written the only way it could be, and systemd's complaint. */
const REFUSED_PROGRAMS: readonly (readonly [program: string, complaint: RegExp])[] = [
  ['/bin/ec"ho', /Executable name contains special characters/],
  ["/bin/ec'ho", /Executable name contains special characters/],
  ['/bin/ec\\ho', /Executable name contains special characters/],
  ['/bin/ec\tho', /Executable name contains special characters/],
  ['/bin/', /Executable path specifies a directory/],
  ['bin/echo', /Neither a valid executable name nor an absolute path/],
];

describe('unit-file values read back by systemd (root, systemd-analyze and systemd)', () => {
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'vtcore18-unit-'));
    chmodSync(workDir, 0o755);
    const odd = join(workDir, 'p r%o$g;ü 😀 @:x');
    mkdirSync(odd);
    chmodSync(odd, 0o755);
    oddProgram = join(odd, 'run');
    symlinkSync('/bin/true', oddProgram);
    const entries: UnitFileEntry[] = [
      ['ExecStart', ''],
      ...commands().map((argv): UnitFileEntry => ['ExecStart', unitExecStartValue(argv)]),
      ...values.map(
        (value, index): UnitFileEntry => ['Environment', unitEnvironmentValue(`V${index}`, value)],
      ),
      ['Environment', unitEnvironmentValue('LINES', 'a\nb\r\tc')],
      ...HAND_ENVIRONMENT.map((value): UnitFileEntry => ['Environment', value]),
      ...HAND_EXEC.map((value): UnitFileEntry => ['ExecStart', value]),
    ];
    writeUnit(UNIT, renderUnitFile({ sections: [{ name: 'Service', entries }] }));
    // systemd stops reading a unit at the first program it cannot run: one unit each.
    REFUSED_PROGRAMS.forEach(([program], index) => {
      const entries: UnitFileEntry[] = [
        ['ExecStart', ''],
        ['ExecStart', `:${unitFileWord(program)} x`],
      ];
      writeUnit(refusedUnit(index), renderUnitFile({ sections: [{ name: 'Service', entries }] }));
    });
  });
  afterAll(() => {
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it('systemd-analyze verify accepts the drop-in', () => {
    expect(verify(UNIT)).toEqual([]);
  });

  it(`systemd reads back ${values.length} Environment= values exactly (no % specifiers, no escapes left)`, () => {
    const { fields, text } = systemdTestDump(workDir, UNIT);
    const environment = (fields.get('Environment') ?? []).filter((entry) => /^V\d+=/.test(entry));
    expect(environment).toEqual(values.map((value, index) => `V${index}=${value}`));
    const hand = (fields.get('Environment') ?? []).filter((entry) => /^W\d+=/.test(entry));
    const read = HAND_ENVIRONMENT.flatMap((value) => unwrap(parseUnitEnvironment(value)));
    expect(read.map(([name, value]) => `${name}=${value}`)).toEqual(hand);
    expect(read).toEqual([
      ['W1', 'plain'],
      ['W2', 'a b'],
      ['W3', '"q"'],
      ['W4', 'xyz'],
      ['W5', 'AAé😀 \t\u0007\v%'],
      ['W6', 'é\\'],
      ['W7', ''],
    ]);
    // A line break, a carriage return and a tab are C escapes in the file; the dump prints them raw.
    expect(text).toContain('\t\tEnvironment: LINES=a\nb\r\tc\n');
  });

  it(`systemd reads back ${commands().length} ExecStart= command lines exactly`, () => {
    const { fields } = systemdTestDump(workDir, UNIT);
    const lines = (fields.get('Command Line') ?? []).map(readCommandLine);
    expect(lines).toEqual([
      ...commands(),
      ...HAND_EXEC.map((value) => unwrap(parseUnitExecStart(value)).argv),
    ]);
    expect(HAND_EXEC.map((value) => unwrap(parseUnitExecStart(value)))).toEqual([
      { prefixes: '-@', program: '/bin/echo', argv: ['argv0', 'a b', ';', 'xy zw', 'A'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR} syntax, as a user writes it
      { prefixes: ':', program: '/bin/echo', argv: ['/bin/echo', '$X', '${Y}', '100%', '"q"'] },
      { prefixes: '!!', program: '/bin/echo', argv: ['/bin/echo', '\ttab', 'é'] },
    ]);
  });

  it('programs systemd cannot run by that name are refused, and systemd refuses them too', () => {
    for (const [program] of REFUSED_PROGRAMS) {
      expect(() => unitExecStartValue([program, 'x'])).toThrow(
        expect.objectContaining({ code: 'UNSAFE_STRING' }),
      );
    }
    REFUSED_PROGRAMS.forEach(([program, complaint], index) => {
      expect(verify(refusedUnit(index)).join('\n'), JSON.stringify(program)).toMatch(complaint);
    });
  });
});
