import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import {
  INTERFACE_NAME_MAX,
  joinUnderRoot,
  MACHINE_NAME_MAX,
  PATH_BYTES_MAX,
  parseAbsolutePath,
  parseDevicePath,
  parseDomainName,
  parseEnvironmentName,
  parseEnvironmentVariable,
  parseInterfaceName,
  parseMachineName,
  parseWorkloadUnitName,
} from './names.js';
import { ARGUMENT_BYTES_MAX } from './text.js';

/** Characters that would break a line, a `Key=Value` pair, a section header or an argument list. */
const FILE_BREAKERS = /[\s\u0000-\u001f\u007f["'\\$%;`]/;

/**
 * systemd's `hostname_is_valid(s, 0)` (src/basic/hostname-util.c, v252), which `machine_name_is_valid()`
 * is, transcribed as the model for the property test.
 */
function systemdHostnameIsValid(s: string): boolean {
  if (s === '' || s === '.host') return false;
  let dot = true;
  let hyphen = true;
  let dots = 0;
  for (const c of s) {
    if (c === '.') {
      if (dot || hyphen) return false;
      dot = true;
      hyphen = false;
      dots++;
    } else if (c === '-') {
      if (dot) return false;
      dot = false;
      hyphen = true;
    } else {
      if (!/^[A-Za-z0-9]$/.test(c)) return false;
      dot = false;
      hyphen = false;
    }
  }
  if (dot || hyphen) return false;
  return dots >= 0 && s.length <= 64;
}

describe('parseMachineName', () => {
  it.each(['web-1', 'a', 'A', '0', 'a.b', 'a.b.c', 'a--b', 'Web01', 'x'.repeat(64)])(
    'accepts %j unchanged',
    (name) => {
      expect(value(parseMachineName(name))).toBe(name);
    },
  );

  it.each([
    ['', 'it is empty'],
    ['x'.repeat(65), 'it has 65 characters'],
    ['x'.repeat(200), 'it has 200 characters'],
    ['a/b', 'it contains "/"'],
    ['../etc', 'it contains "/"'],
    ['a b', 'it contains " "'],
    ['a\nb', 'it contains "\\n"'],
    ['web\n[Exec]', 'it contains "\\n"'],
    ['a\tb', 'it contains "\\t"'],
    ['a\u0000b', 'it contains "\\u0000"'],
    ['a_b', 'it contains "_"'],
    ['a:b', 'it contains ":"'],
    ['a=b', 'it contains "="'],
    ['wéb', 'it contains "é"'],
    ['-a', 'label "-a" starts or ends with \'-\''],
    ['a-', 'label "a-" starts or ends with \'-\''],
    ['a.-b', 'label "-b" starts or ends with \'-\''],
    ['a.', 'it has an empty label'],
    ['.a', 'it has an empty label'],
    ['a..b', 'it has an empty label'],
    ['.host', 'it has an empty label'],
    ['.', 'it has an empty label'],
  ])('rejects %j with INVALID_MACHINE_NAME (%s)', (name, why) => {
    const error = rejected(parseMachineName(name));
    expect(error.code).toBe('INVALID_MACHINE_NAME');
    expect(error.message).toContain(why);
    expect(error.message).toContain(`accepted: 1 to ${MACHINE_NAME_MAX} ASCII letters, digits, '-' and '.'`);
  });

  it('shortens very long input in the message', () => {
    const error = rejected(parseMachineName('y'.repeat(500)));
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain('...');
  });

  it('agrees with a transcription of systemd hostname_is_valid() (property)', () => {
    const alphabet = fc.constantFrom(...'ab0Z.-_/ \n'.split(''));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: alphabet, maxLength: 12 }),
          fc.string({ unit: fc.constantFrom('a', '.', '-'), minLength: 60, maxLength: 70 }),
          fc.string(),
        ),
        (name) => {
          expect(parseMachineName(name).ok).toBe(systemdHostnameIsValid(name));
        },
      ),
    );
  });

  it('never accepts a name that could break a file, a path or an argument (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (name) => {
        const result = parseMachineName(name);
        if (!result.ok) return;
        expect(result.value).toMatch(/^[A-Za-z0-9.-]{1,64}$/);
        expect(result.value).not.toMatch(FILE_BREAKERS);
        expect(result.value).not.toContain('/');
        expect(result.value).not.toContain('..');
      }),
    );
  });
});

describe('parseInterfaceName', () => {
  it.each(['voltbr0', 'a', 've-web', 'vb-web.1', 'x_y', 'x'.repeat(15)])('accepts %j', (name) => {
    expect(value(parseInterfaceName(name))).toBe(name);
  });

  it.each([
    ['x'.repeat(16), "it has 16 bytes, over the kernel's limit of 15"],
    ['a-very-long-bridge-name', "over the kernel's limit of 15"],
    ['', 'not allowed'],
    ['-a', 'not allowed'],
    ['.a', 'not allowed'],
    ['a b', 'not allowed'],
    ['a/b', 'not allowed'],
    ['a:b', 'not allowed'],
    ['a\nb', 'not allowed'],
    ['brü', 'not allowed'],
    ['all', 'it is reserved'],
    ['default', 'it is reserved'],
    ['123', 'it is reserved'],
    ['0', 'it is reserved'],
  ])('rejects %j with INVALID_INTERFACE_NAME (%s)', (name, why) => {
    const error = rejected(parseInterfaceName(name));
    expect(error.code).toBe('INVALID_INTERFACE_NAME');
    expect(error.message).toContain(why);
    expect(error.message).toContain(`accepted: 1 to ${INTERFACE_NAME_MAX} ASCII letters, digits`);
  });

  it('accepts only names the kernel takes and files keep intact (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (name) => {
        const result = parseInterfaceName(name);
        if (!result.ok) return;
        expect(Buffer.byteLength(result.value)).toBeLessThanOrEqual(15);
        expect(result.value).not.toMatch(FILE_BREAKERS);
        expect(result.value).not.toMatch(/[/:]/);
        expect(['.', '..', 'all', 'default']).not.toContain(result.value);
        expect(result.value).not.toMatch(/^\d+$/);
      }),
    );
  });
});

describe('parseAbsolutePath', () => {
  it.each([
    ['/', '/'],
    ['//', '/'],
    ['/var//lib/./machines/', '/var/lib/machines'],
    ['/var/lib/machines', '/var/lib/machines'],
    ['/./a/.', '/a'],
    ['/a/.b/..c/...', '/a/.b/..c/...'],
    ['/srv/web_1/data-2/file.tar.gz', '/srv/web_1/data-2/file.tar.gz'],
    ['/a/b+c@d,e~f', '/a/b+c@d,e~f'],
    ['/My Data/ leading and trailing ', '/My Data/ leading and trailing '],
    ['/a=b:c%i$HOME;[x]`y`', '/a=b:c%i$HOME;[x]`y`'],
    ['/say "hi"/it\'s/back\\slash', '/say "hi"/it\'s/back\\slash'],
    ['/tab\there/\u001bescape\u007f', '/tab\there/\u001bescape\u007f'],
    ['/ä/∞/😀/\u00a0/\u2028', '/ä/∞/😀/\u00a0/\u2028'],
    [`/${'é'.repeat(127)}`, `/${'é'.repeat(127)}`],
    [`/${'a/'.repeat(2046)}ab`, `/${'a/'.repeat(2046)}ab`],
    [`//${'a//'.repeat(2046)}ab/./`, `/${'a/'.repeat(2046)}ab`],
  ])('accepts %j as %j', (text, normalised) => {
    expect(value(parseAbsolutePath(text))).toBe(normalised);
  });

  it.each([
    ['relative/path', 'it is not absolute'],
    ['', 'it is not absolute'],
    ['./a', 'it is not absolute'],
    ['~/a', 'it is not absolute'],
    [' /a', 'it is not absolute'],
    ['/a/../b', "it contains '..'"],
    ['/..', "it contains '..'"],
    ['/a\nb', 'it contains "\\n", a line break'],
    ['/a\rb', 'it contains "\\r", a line break'],
    ['/a\u0000', 'it contains "\\u0000", NUL'],
    ['/a\ud800b', 'an unpaired surrogate'],
    ['/a\udc00', 'an unpaired surrogate'],
    [`/${'a'.repeat(256)}`, 'has 256 UTF-8 bytes'],
    [`/${'é'.repeat(128)}`, 'has 256 UTF-8 bytes'],
    [`/${'a/'.repeat(2047)}a`, 'it has 4096 UTF-8 bytes'],
  ])('rejects %j with INVALID_PATH (%s)', (text, why) => {
    const error = rejected(parseAbsolutePath(text));
    expect(error.code).toBe('INVALID_PATH');
    expect(error.message).toContain(why);
    expect(error.message).toContain(
      "accepted: an absolute path of any characters but NUL and line breaks, without '..' components",
    );
  });

  it('returns a normalised path, and normalising is idempotent (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', 'a', 'lib', '.hidden', 'x y', 'a=b', 'é', 'a:b', '%i', '"', '\\'),
      fc.string({ unit: fc.constantFrom(...'az09._-+@,~ \t\n'.split('')), maxLength: 6 }),
    );
    const pathLike = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(fc.oneof(pathLike, fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const result = parseAbsolutePath(text);
        if (!result.ok) {
          expect(result.error.code).toBe('INVALID_PATH');
          return;
        }
        const path = result.value;
        expect(path.startsWith('/')).toBe(true);
        expect(path).not.toMatch(/[\0\n\r]/);
        expect(path).not.toMatch(/\/\/|\/\.\/|\/\.$|(^|\/)\.\.(\/|$)/);
        if (path !== '/') expect(path.endsWith('/')).toBe(false);
        expect(Buffer.byteLength(path)).toBeLessThanOrEqual(PATH_BYTES_MAX);
        expect(parseAbsolutePath(path)).toEqual({ ok: true, value: path });
      }),
    );
  });

  it('returns a path unchanged exactly when it is writable and already normal (property)', () => {
    // The definition, component by component: '/' alone, or '/'-separated components without NUL or a
    // line break, none empty, '.' or '..', at most 255 bytes each.
    const alreadyNormal = (text: string): boolean =>
      text === '/' ||
      (text.startsWith('/') &&
        Buffer.from(text).toString() === text &&
        text
          .slice(1)
          .split('/')
          .every(
            (part) =>
              part !== '' &&
              part !== '.' &&
              part !== '..' &&
              !/[\0\n\r]/.test(part) &&
              Buffer.byteLength(part) <= 255,
          ));
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '...', '.a', 'a.', 'a b', 'é', 'a/', '/', '\n', '\ud800'),
      fc.string({ unit: fc.constantFrom(...'aZ09._-+@,~/: "\\%$'.split('')), maxLength: 5 }),
    );
    const pathLike = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(fc.oneof(pathLike, fc.string()), (text) => {
        const result = parseAbsolutePath(text);
        expect(result.ok && result.value === text).toBe(alreadyNormal(text));
      }),
    );
  });

  it('joinUnderRoot puts a container path under a rootfs', () => {
    expect(joinUnderRoot('/srv/root', '/')).toBe('/srv/root');
    expect(joinUnderRoot('/srv/root', '/usr/bin')).toBe('/srv/root/usr/bin');
    expect(joinUnderRoot('/', '/usr')).toBe('/usr');
    expect(joinUnderRoot('/', '/')).toBe('/');
  });
});

describe('parseWorkloadUnitName', () => {
  it.each(['app.service', 'web@1.service', 'api-v2.socket', 'a:b_c.service'])('accepts %j', (text) => {
    expect(value(parseWorkloadUnitName(text))).toBe(text);
  });

  it.each([
    '',
    'app',
    'app.timer',
    '.service',
    'a b.service',
    '../x.service',
    'x/y.service',
    'app.service\n[Service]',
    `${'a'.repeat(251)}.service`,
  ])('refuses %j with INVALID_VALUE', (text) => {
    const error = rejected(parseWorkloadUnitName(text));
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain('accepted: a .service or .socket name');
  });

  it('refuses a value that is not a string', () => {
    expect(rejected(parseWorkloadUnitName(42 as unknown as string)).code).toBe('INVALID_VALUE');
  });
});

describe('parseEnvironmentName', () => {
  it.each(['VOLT_CONTAINER', '_', '_a1', 'a', 'x'.repeat(128)])('accepts %j', (name) => {
    expect(value(parseEnvironmentName(name))).toBe(name);
  });

  it.each(['A=B', '1A', '', 'A B', 'A-B', 'A\nB', 'Ä', 'x'.repeat(129)])(
    'rejects %j with UNSAFE_STRING',
    (name) => {
      const error = rejected(parseEnvironmentName(name));
      expect(error.code).toBe('UNSAFE_STRING');
      expect(error.message).toContain("accepted: a letter or '_' followed by letters, digits and '_'");
    },
  );

  it('never accepts "=" or white space (property)', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const result = parseEnvironmentName(name);
        if (result.ok) expect(result.value).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }),
    );
  });
});

describe('parseEnvironmentVariable', () => {
  it.each([
    ['GREETING', 'hello world'],
    ['JAVA_OPTS', '-Xmx1g -Dx=y'],
    ['A', ''],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR} syntax, as a user writes it
    ['A', ' = "q" \'s\' \\ %i $HOME ${X} ; ` [x]\t'],
    ['_', 'ü∞😀\u00a0'],
    ['A', 'x'.repeat(ARGUMENT_BYTES_MAX - 2)],
  ])('accepts %s with any writable value', (name, text) => {
    expect(value(parseEnvironmentVariable(name, text))).toEqual([name, text]);
  });

  it.each([
    ['A', 'a\nb', 'it contains "\\n", a line break'],
    ['A', 'a\rb', 'it contains "\\r", a line break'],
    ['A', 'a\u0000', 'NUL'],
    ['A', '\udfff', 'an unpaired surrogate'],
    ['A', 'x'.repeat(ARGUMENT_BYTES_MAX - 1), `NAME=VALUE has ${ARGUMENT_BYTES_MAX + 1} UTF-8 bytes`],
  ])('refuses the value of %s %j with UNSAFE_STRING (%s)', (name, text, why) => {
    const error = rejected(parseEnvironmentVariable(name, text));
    expect(error.code).toBe('UNSAFE_STRING');
    expect(error.message).toContain(why);
    expect(error.message).toContain(
      'accepted: a string without NUL, line breaks (LF, CR) or unpaired surrogates',
    );
  });

  it('reports a bad name and a bad value together', () => {
    const result = parseEnvironmentVariable('A=B', 'x\ny');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map((issue) => issue.code)).toEqual(['UNSAFE_STRING', 'UNSAFE_STRING']);
  });

  it('refuses a value that is not a string', () => {
    expect(rejected(parseEnvironmentVariable('A', 7 as unknown as string)).message).toContain(
      'it is not a string',
    );
  });
});

describe('parseDevicePath', () => {
  it.each([
    ['/dev/sda', '/dev/sda'],
    ['/dev//disk/by-path/pci-0000:00:1f.2-ata-1', '/dev/disk/by-path/pci-0000:00:1f.2-ata-1'],
    ['/var/lib/machines', '/var/lib/machines'],
  ])('accepts %j as %j', (text, normalised) => {
    expect(value(parseDevicePath(text))).toBe(normalised);
  });

  it.each([
    ['/dev/my disk', '" "'],
    ['/dev/a\tb', '"\\t"'],
    ['/dev/100%', '"%"'],
    ['/dev/"q"', '"\\""'],
    ["/dev/it's", '"\'"'],
    ['/dev/a\\b', '"\\\\"'],
  ])('refuses %j with INVALID_PATH (it contains %s)', (text, shown) => {
    const error = rejected(parseDevicePath(text));
    expect(error.code).toBe('INVALID_PATH');
    expect(error.message).toContain(`it contains ${shown}`);
    expect(error.message).toContain(
      "accepted: an absolute path without white space, quotes, back-slashes or '%'",
    );
  });

  it('refuses what parseAbsolutePath refuses', () => {
    expect(rejected(parseDevicePath('dev/sda')).message).toContain('it is not absolute');
  });
});

describe('parseDomainName', () => {
  it.each([
    ['corp.example.com', 'corp.example.com'],
    ['Corp.Example.COM.', 'corp.example.com'],
    ['localdomain', 'localdomain'],
    ['a-b.c1', 'a-b.c1'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('accepts %j as %j', (text, normalised) => {
    expect(value(parseDomainName(text))).toBe(normalised);
  });

  it.each([
    'bad domain',
    '',
    '.',
    '-a.com',
    'a-.com',
    'a..b',
    `${'a'.repeat(64)}.com`,
    `${'abcdefghi.'.repeat(26)}com`,
    'a_b.com',
    'a\nb',
  ])('rejects %j with INVALID_VALUE', (text) => {
    const error = rejected(parseDomainName(text));
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain("accepted: dot-separated labels of letters, digits and '-'");
  });

  it('returns lower-case names without white space (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.domain()), (text) => {
        const result = parseDomainName(text);
        if (result.ok) {
          expect(result.value).toMatch(/^[a-z0-9.-]+$/);
          expect(parseDomainName(result.value)).toEqual(result);
        }
      }),
    );
  });
});
