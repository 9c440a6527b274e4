import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, thrown, value } from '../../test/results.js';
import { freeTextArbitrary } from '../../test/text-arbitraries.js';
import { checkUnitFileEntry } from './unit-file.js';
import {
  parseUnitEnvironment,
  parseUnitExecStart,
  unitEnvironmentValue,
  unitExecStartValue,
  unitFileWord,
} from './unit-values.js';

/** Any text but NUL: unit files can carry line breaks as C escapes. */
const anyText = fc.oneof(
  freeTextArbitrary,
  fc.string({ unit: fc.constantFrom('\n', '\r', 'a', ' ', '%', '\\'), maxLength: 6 }),
);

describe('unitFileWord', () => {
  it.each([
    ['/usr/bin/env', '/usr/bin/env'],
    ['', '""'],
    [';', '";"'],
    [';x', ';x'],
    ['50%', '50%%'],
    ['%i %n', '"%%i %%n"'],
    ['$HOME', '$HOME'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["it's", `"it's"`],
    ['C:\\dir', '"C:\\\\dir"'],
    ['line\nbreak\r\ttab', '"line\\nbreak\\r\\ttab"'],
    ['\u0001\u001b\u007f', '"\\x01\\x1b\\x7f"'],
    ['\u00a0ü😀', '\u00a0ü😀'],
  ])('writes %j as %s', (word, written) => {
    expect(unitFileWord(word)).toBe(written);
  });
});

describe('unitEnvironmentValue', () => {
  it('writes NAME=VALUE as one word that systemd reads back exactly (property, model)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), anyText, (name, text) => {
        const written = unitEnvironmentValue(name, text);
        expect(checkUnitFileEntry('Environment', written).ok).toBe(true);
        expect(value(parseUnitEnvironment(written))).toEqual([[name, text]]);
      }),
    );
  });

  it('leaves a plain assignment as it is', () => {
    expect(unitEnvironmentValue('SYSTEMD_SECCOMP', '0')).toBe('SYSTEMD_SECCOMP=0');
    expect(unitEnvironmentValue('A', '')).toBe('A=');
  });
});

describe('unitExecStartValue', () => {
  it.each([
    [['/bin/true'], ':/bin/true'],
    [['/bin/echo', 'a b', '$X', '100%', ';', ''], ':/bin/echo "a b" $X 100%% ";" ""'],
    [['@prog', 'x'], ':@@prog @prog x'],
    [[':prog'], '::prog'],
    [[';'], ':";"'],
    [['/opt/my app/run'], ':"/opt/my app/run"'],
    [['/opt/100%/run'], ':/opt/100%%/run'],
    [['env', '-i'], ':env -i'],
  ])('writes %j as %s', (argv, written) => {
    expect(unitExecStartValue(argv)).toBe(written);
  });

  it('runs exactly argv, with no $ expansion, as systemd reads it (property, model)', () => {
    const program = fc.oneof(
      fc.constantFrom('/bin/true', 'true', '@at', ':colon', ';', '/opt/my app/%i'),
      anyText.map((text) => `/opt/p${text.replace(/["'\\\u0000-\u001f\u007f/]/g, '_')}`),
    );
    fc.assert(
      fc.property(program, fc.array(anyText, { maxLength: 5 }), (head, args) => {
        const written = unitExecStartValue([head, ...args]);
        expect(checkUnitFileEntry('ExecStart', written).ok).toBe(true);
        const read = value(parseUnitExecStart(written));
        expect(read.prefixes).toMatch(/^:@?$/);
        expect(read.program).toBe(head);
        expect(read.argv).toEqual([head, ...args]);
      }),
    );
  });

  it.each([
    ['an empty one', '', 'it is empty'],
    ['-x', '-x', 'as an ExecStart= prefix'],
    ['+x', '+x', 'as an ExecStart= prefix'],
    ['!x', '!x', 'as an ExecStart= prefix'],
    ['/bin/a"b', '/bin/a"b', 'systemd refuses'],
    ["/bin/a'b", "/bin/a'b", 'systemd refuses'],
    ['/bin/a\\b', '/bin/a\\b', 'systemd refuses'],
    ['one with a tab', '/bin/a\tb', 'systemd refuses'],
    ['/bin/', '/bin/', 'it names a directory'],
    ['bin/x', 'bin/x', 'neither an absolute path nor a plain file name'],
    ['..', '..', 'neither an absolute path nor a plain file name'],
    ['one with a 256-byte component', `/${'a'.repeat(256)}`, 'a component is longer than 255 bytes'],
    ['a 4097-byte path', `/${'a/'.repeat(2048)}a`, 'it is longer than 4095 bytes'],
  ])('refuses a program: %s', (_label, program, why) => {
    const error = thrown(() => unitExecStartValue([program, 'arg']));
    expect(error.code).toBe('UNSAFE_STRING');
    expect(error.message).toContain(why);
    expect(error.message).toContain('accepted: an absolute path or a file name');
  });

  it('refuses an empty command', () => {
    expect(thrown(() => unitExecStartValue([])).code).toBe('USAGE');
  });
});

describe('parseUnitEnvironment', () => {
  it.each([
    ['', []],
    [
      'A=1 B=2',
      [
        ['A', '1'],
        ['B', '2'],
      ],
    ],
    [
      '"A=x y" \'B=" "\'',
      [
        ['A', 'x y'],
        ['B', '" "'],
      ],
    ],
    ['A=\\x41\\101\\u00e9\\U0001F600\\s\\t', [['A', 'AAé😀 \t']]],
    ['A=\\xc3\\xa9', [['A', 'é']]],
    [
      'A=%%i B=',
      [
        ['A', '%i'],
        ['B', ''],
      ],
    ],
    [
      'A=1 A=2',
      [
        ['A', '1'],
        ['A', '2'],
      ],
    ],
  ])('reads %j', (text, variables) => {
    expect(value(parseUnitEnvironment(text))).toEqual(variables);
  });

  it.each([
    ['A=%n', 'the specifier "%n"'],
    ['A=\\x25n', 'the specifier "%n"'],
    ['A=\\q', 'is not an escape systemd reads'],
    ['A=\\x00', 'is not an escape systemd reads'],
    ['A=\\U0000FFFE', 'is not an escape systemd reads'],
    ['A=\\xc3', 'do not make UTF-8 text'],
    ['A=\\ud800', 'do not make UTF-8 text'],
    ['A=\\', 'it ends in a back-slash'],
    ['"A=1', 'is not closed'],
    ['1A=x', 'is not an assignment systemd reads'],
    ['A', 'is not an assignment systemd reads'],
  ])('refuses %j (%s)', (text, why) => {
    const error = rejected(parseUnitEnvironment(text));
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toContain(why);
  });
});

describe('parseUnitExecStart', () => {
  it.each([
    ['/bin/true', { prefixes: '', program: '/bin/true', argv: ['/bin/true'] }],
    [
      '-@/bin/echo  argv0 "a b" \\; x',
      { prefixes: '-@', program: '/bin/echo', argv: ['argv0', 'a b', ';', 'x'] },
    ],
    ['!!/bin/x', { prefixes: '!!', program: '/bin/x', argv: ['/bin/x'] }],
    ['+!x', { prefixes: '+', program: '!x', argv: ['!x'] }],
    ['::x $Y', { prefixes: ':', program: ':x', argv: [':x', '$Y'] }],
    ['/bin/echo ";" ;x', { prefixes: '', program: '/bin/echo', argv: ['/bin/echo', ';', ';x'] }],
  ])('reads %j', (text, command) => {
    expect(value(parseUnitExecStart(text))).toEqual(command);
  });

  it.each([
    ['', 'it is empty'],
    [';', "starts with the separator ';'"],
    ['/bin/true ; /bin/false', 'more than one command'],
    ['@/bin/true', 'no argv[0] after the @ prefix'],
    ['-', 'it is empty'],
    ['"/bin/a\\"b"', 'systemd refuses'],
    ['bin/x', 'neither an absolute path nor a plain file name'],
    ['/bin/%n', 'the specifier "%n"'],
    ['/bin/echo \\;x', '"\\\\;" is not an escape systemd reads'],
  ])('refuses %j (%s)', (text, why) => {
    const error = rejected(parseUnitExecStart(text));
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toContain(why);
  });
});
