import { constants } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import {
  fail,
  failAll,
  formatInputPath,
  formatVoltError,
  ok,
  unwrap,
  VOLT_ERROR_CODES,
  VoltError,
  type VoltErrorCode,
} from './errors.js';
import { ERRNO, errnoName, parseErrno } from './values/errno.js';
import { parsePort } from './values/numbers.js';

type ErrorsModule = typeof import('./errors.js');

describe('VoltError', () => {
  it('carries code, path, hint, cause, message and name', () => {
    const cause = new Error('EACCES');
    const error = new VoltError('INVALID_PORT', 'port 70000 is out of range; accepted: 1..65535', {
      path: ['network', 'ports', 0, 'host'],
      hint: 'pick a port below 65536',
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VoltError');
    expect(error.code).toBe('INVALID_PORT');
    expect(error.path).toEqual(['network', 'ports', 0, 'host']);
    expect(error.hint).toBe('pick a port below 65536');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('port 70000 is out of range; accepted: 1..65535');
    expect(error.category).toBe('config');
    expect(String(error)).toBe('VoltError: port 70000 is out of range; accepted: 1..65535');
  });

  it('defaults to an empty path, no hint and no cause', () => {
    const error = new VoltError('BUSY', 'the cgroup is in use');
    expect(error.path).toEqual([]);
    expect(error.hint).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('maps every code to its category', () => {
    const categories = new Set(Object.values(VOLT_ERROR_CODES));
    expect(categories).toEqual(new Set(['config', 'usage', 'system']));
    for (const code of Object.keys(VOLT_ERROR_CODES) as VoltErrorCode[]) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(new VoltError(code, 'x').category).toBe(VOLT_ERROR_CODES[code]);
    }
    expect(new VoltError('USAGE', 'x').category).toBe('usage');
    expect(new VoltError('PERMISSION_DENIED', 'x').category).toBe('system');
    expect(new VoltError('INVALID_BYTE_SIZE', 'x').category).toBe('config');
  });

  it('at() places the error under a prefix and keeps code, message, hint and the original as cause', () => {
    const inner = new VoltError('INVALID_BYTE_SIZE', '"2GB" is not a size', { path: [0], hint: 'use 2G' });
    const placed = inner.at(['resources', 'memory', 'max']);
    expect(placed).not.toBe(inner);
    expect(placed.path).toEqual(['resources', 'memory', 'max', 0]);
    expect(placed.code).toBe('INVALID_BYTE_SIZE');
    expect(placed.message).toBe('"2GB" is not a size');
    expect(placed.hint).toBe('use 2G');
    expect(placed.cause).toBe(inner);
    expect(inner.path).toEqual([0]);
    expect(new VoltError('INVALID_PORT', 'x').at([]).hint).toBeUndefined();
    const parsed = parsePort('0');
    expect(parsed.ok ? undefined : parsed.error.at(['network', 'ports', 1, 'host']).path).toEqual([
      'network',
      'ports',
      1,
      'host',
    ]);
  });

  it('isInstance recognises VoltErrors and nothing else', () => {
    expect(VoltError.isInstance(new VoltError('CONFLICT', 'x'))).toBe(true);
    expect(VoltError.isInstance(new VoltError('CONFLICT', 'x').at(['a']))).toBe(true);
    for (const other of [
      new Error('x'),
      Object.assign(new Error('x'), { code: 'INVALID_PORT' }),
      { code: 'INVALID_PORT', path: [], message: 'x' },
      { [Symbol('@volt/core/VoltError')]: true },
      { [Symbol.for('@volt/core/VoltError')]: 'yes' },
      null,
      undefined,
      'VoltError',
      42,
    ]) {
      expect(VoltError.isInstance(other)).toBe(false);
    }
  });

  it('isInstance recognises an object that carries the shared Symbol.for mark', () => {
    const foreign = Object.assign(new Error('from elsewhere'), { code: 'INVALID_PORT', path: [] });
    Object.defineProperty(foreign, Symbol.for('@volt/core/VoltError'), { value: true });
    expect(VoltError.isInstance(foreign)).toBe(true);
    expect(foreign instanceof VoltError).toBe(false);
  });

  it('isInstance works across a second copy of the module (fresh module instance)', async () => {
    vi.resetModules();
    const copy: ErrorsModule = await import('./errors.js');
    expect(copy.VoltError).not.toBe(VoltError);
    const theirs = new copy.VoltError('INVALID_WEIGHT', 'weight 0; accepted: 1..10000');
    expect(theirs instanceof VoltError).toBe(false);
    expect(VoltError.isInstance(theirs)).toBe(true);
    expect(copy.VoltError.isInstance(new VoltError('INVALID_WEIGHT', 'x'))).toBe(true);
    expect(formatVoltError(theirs)).toBe('INVALID_WEIGHT: weight 0; accepted: 1..10000');
  });

  const built = new URL('../dist/errors.js', import.meta.url);
  it('isInstance works across the built package and the source (two installed copies); skipped only before the first build', async () => {
    const dist = (await import(built.href)) as ErrorsModule;
    expect(dist.VoltError).not.toBe(VoltError);
    const fromDist = new dist.VoltError('NOT_FOUND', 'no such cgroup', { path: ['cgroup'] });
    expect(fromDist instanceof VoltError).toBe(false);
    expect(VoltError.isInstance(fromDist)).toBe(true);
    expect(dist.VoltError.isInstance(new VoltError('NOT_FOUND', 'x'))).toBe(true);
    expect(formatVoltError(fromDist)).toBe('NOT_FOUND at cgroup: no such cgroup');
  });
});

describe('formatInputPath and formatVoltError', () => {
  it.each([
    [[], ''],
    [['resources', 'memory', 'max'], 'resources.memory.max'],
    [['network', 'ports', 0, 'hostPort'], 'network.ports[0].hostPort'],
    [[0, 'a'], '[0].a'],
    [['environment', 'A B'], 'environment["A B"]'],
    [['environment', 'with.dot'], 'environment["with.dot"]'],
    [['line 3'], '["line 3"]'],
    [['a\nb'], '["a\\nb"]'],
  ] as const)('renders %j as %j', (path, text) => {
    expect(formatInputPath(path)).toBe(text);
  });

  it('renders one line: code, path, message and hint', () => {
    expect(
      formatVoltError(
        new VoltError('INVALID_PORT', 'must be 1..65535', {
          path: ['network', 'ports', 0],
          hint: 'use 8080',
        }),
      ),
    ).toBe('INVALID_PORT at network.ports[0]: must be 1..65535 (hint: use 8080)');
    expect(formatVoltError(new VoltError('USAGE', 'missing NAME'))).toBe('USAGE: missing NAME');
  });

  it('keeps a hostile path on one line', () => {
    const line = formatVoltError(new VoltError('INVALID_PROFILE', 'unknown key', { path: ['x\ny', 'z\r'] }));
    expect(line).not.toMatch(/[\n\r]/);
  });
});

describe('Result helpers', () => {
  it('ok() and fail() build the two shapes; fail() keeps every error in order', () => {
    expect(ok(5)).toEqual({ ok: true, value: 5 });
    const first = new VoltError('INVALID_PORT', 'a');
    const second = new VoltError('INVALID_WEIGHT', 'b');
    const failed = fail(first, second);
    expect(failed).toEqual({ ok: false, error: first, issues: [first, second] });
    expect(fail(first)).toEqual({ ok: false, error: first, issues: [first] });
  });

  it('failAll() fails with every collected error, first one first, and gives undefined for none', () => {
    expect(failAll([])).toBeUndefined();
    const first = new VoltError('INVALID_PORT', 'a');
    const second = new VoltError('INVALID_WEIGHT', 'b');
    expect(failAll([first, second])).toEqual({ ok: false, error: first, issues: [first, second] });
  });

  it('unwrap() returns the value or throws the first error', () => {
    expect(unwrap(ok('x'))).toBe('x');
    expect(unwrap(parsePort('80'))).toBe(80);
    const error = new VoltError('INVALID_PORT', 'a');
    expect(() => unwrap(fail(error))).toThrow(error);
    try {
      unwrap(parsePort('0'));
      expect.unreachable();
    } catch (caught) {
      expect(VoltError.isInstance(caught) && caught.code).toBe('INVALID_PORT');
    }
  });
});

describe('parseErrno and errnoName', () => {
  it.each([
    ['EPERM', 1],
    ['EACCES', 13],
    ['ENOSYS', 38],
    ['EOPNOTSUPP', 95],
    ['1', 1],
    ['4095', 4095],
    [1, 1],
    [4095, 4095],
  ] as const)('reads %j as %d', (input, errno) => {
    expect(parseErrno(input)).toEqual({ ok: true, value: errno });
  });

  it.each([0, 4096, -1, 1.5, '0', '4096', 'eperm', 'EFOO', '', ' 1', 'toString', '__proto__', 'constructor'])(
    'rejects %j with INVALID_VALUE',
    (input) => {
      const result = parseErrno(input);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('INVALID_VALUE');
        expect(result.error.message).toContain(
          'accepted: a name such as EPERM or EACCES, or a number from 1 to 4095',
        );
      }
    },
  );

  it('has the numbers libuv reports for this platform (node:os constants)', () => {
    for (const [name, number] of Object.entries(ERRNO)) {
      expect([name, (constants.errno as Record<string, number>)[name]]).toEqual([name, number]);
    }
  });

  it('names numbers, preferring the first name of an alias pair', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(95)).toBe('ENOTSUP');
    expect(errnoName(4000)).toBeUndefined();
    for (const [name, number] of Object.entries(ERRNO)) {
      expect(ERRNO[errnoName(number) as keyof typeof ERRNO]).toBe(number);
      expect(parseErrno(name)).toEqual({ ok: true, value: number });
    }
  });
});
