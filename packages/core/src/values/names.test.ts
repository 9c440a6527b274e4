import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import {
  INTERFACE_NAME_MAX,
  joinUnderRoot,
  MACHINE_NAME_MAX,
  parseAbsolutePath,
  parseDomainName,
  parseEnvironmentName,
  parseInterfaceName,
  parseMachineName,
  parseSafeValue,
  parseWorkloadUnitName,
} from './names.js';

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
  ])('accepts %j as %j', (text, normalised) => {
    expect(value(parseAbsolutePath(text))).toBe(normalised);
  });

  it.each([
    ['relative/path', 'it is not absolute'],
    ['', 'it is not absolute'],
    ['./a', 'it is not absolute'],
    ['~/a', 'it is not absolute'],
    ['/a/../b', "it contains '..'"],
    ['/..', "it contains '..'"],
    ['/a b', 'it contains " "'],
    ['/a\nb', 'it contains "\\n"'],
    ['/a\u0000', 'it contains "\\u0000"'],
    ['/a=b', 'it contains "="'],
    ['/a:b', 'it contains ":"'],
    ['/a%i', 'it contains "%"'],
    ['/$HOME', 'it contains "$"'],
    ["/a'b", 'it contains "\'"'],
    ['/a"b', 'it contains "\\""'],
    ['/a\\b', 'it contains "\\\\"'],
    ['/a[b]', 'it contains "["'],
    ['/a;b', 'it contains ";"'],
    ['/ä', 'it contains "ä"'],
    [`/${'a'.repeat(4095)}`, 'it is longer than PATH_MAX'],
  ])('rejects %j with INVALID_PATH (%s)', (text, why) => {
    const error = rejected(parseAbsolutePath(text));
    expect(error.code).toBe('INVALID_PATH');
    expect(error.message).toContain(why);
    expect(error.message).toContain(
      "accepted: an absolute path of ASCII letters, digits and . _ + @ , ~ / - without '..'",
    );
  });

  it('returns a normalised, safe path, and normalising is idempotent (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', 'a', 'lib', '.hidden', 'x y', 'a=b', 'é'),
      fc.string({ unit: fc.constantFrom(...'az09._-+@,~'.split('')), maxLength: 6 }),
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
        expect(path).not.toMatch(FILE_BREAKERS);
        expect(path).not.toMatch(/[=:]/);
        expect(path).not.toMatch(/\/\/|\/\.\/|\/\.$|(^|\/)\.\.(\/|$)/);
        if (path !== '/') expect(path.endsWith('/')).toBe(false);
        expect(parseAbsolutePath(path)).toEqual({ ok: true, value: path });
      }),
    );
  });

  it('returns a path unchanged exactly when it is safe and already normal (property)', () => {
    // The definition, component by component: '/' alone, or '/'-separated components of safe characters,
    // none empty, '.' or '..'.
    const alreadyNormal = (text: string): boolean =>
      text === '/' ||
      (text.length <= 4095 &&
        text.startsWith('/') &&
        text
          .slice(1)
          .split('/')
          .every((part) => /^[A-Za-z0-9._+@,~-]+$/.test(part) && part !== '.' && part !== '..'));
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '...', '.a', 'a.', 'a b', 'é', 'a/', '/'),
      fc.string({ unit: fc.constantFrom(...'aZ09._-+@,~/:'.split('')), maxLength: 5 }),
    );
    const pathLike = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(fc.oneof(pathLike, fc.string()), (text) => {
        const result = parseAbsolutePath(text);
        expect(result.ok && result.value === text).toBe(alreadyNormal(text));
      }),
    );
    expect(parseAbsolutePath(`/${'a'.repeat(4094)}`)).toEqual({ ok: true, value: `/${'a'.repeat(4094)}` });
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

describe('parseSafeValue', () => {
  it.each(['-Dkey=value', 'web', '/usr/bin/env', 'a,b:c', 'x'.repeat(1024), '@#&*()!?<>{}|^~+'])(
    'accepts %j',
    (text) => {
      expect(value(parseSafeValue(text))).toBe(text);
    },
  );

  it.each([
    ['a b', '" "'],
    ['a\nb', '"\\n"'],
    ['a\tb', '"\\t"'],
    ['a"b', '"\\""'],
    ["a'b", '"\'"'],
    ['a\\b', '"\\\\"'],
    ['a%ib', '"%"'],
    ['$HOME', '"$"'],
    ['[Service]', '"["'],
    ['a;b', '";"'],
    ['`id`', '"`"'],
    ['ü', '"ü"'],
    ['a\u007f', '"\u007f"'],
  ])('rejects %j with UNSAFE_STRING, naming %s', (text, shown) => {
    const error = rejected(parseSafeValue(text));
    expect(error.code).toBe('UNSAFE_STRING');
    expect(error.message).toContain(`it contains ${shown}`);
    expect(error.message).toContain('accepted: printable ASCII without spaces');
  });

  it('rejects values over 1024 characters', () => {
    expect(rejected(parseSafeValue('x'.repeat(1025))).message).toContain('longer than 1024 characters');
  });

  it('never accepts a character that would split, unquote or expand in a systemd file (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const result = parseSafeValue(text);
        if (result.ok) {
          expect(result.value).toMatch(/^[\x21-\x7e]*$/);
          expect(result.value).not.toMatch(FILE_BREAKERS);
        } else expect(result.error.code).toBe('UNSAFE_STRING');
      }),
    );
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
