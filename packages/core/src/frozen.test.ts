import { describe, expect, it } from 'vitest';
import { fail, ok, type Result, VoltError } from './errors.js';
import { deepFreeze, EMPTY_LIST, frozenCopy, rememberValidated } from './frozen.js';

describe('deepFreeze', () => {
  it('freezes every nested object and array in place', () => {
    const value = { a: [{ b: 1 }], c: { d: [2] } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen(value.c.d)).toBe(true);
  });

  it('still freezes the inside of a value that was frozen only at the top', () => {
    const inner = { b: 1 };
    deepFreeze(Object.freeze({ inner }));
    expect(Object.isFrozen(inner)).toBe(true);
  });
});

describe('frozenCopy', () => {
  it('copies plain data, freezes the copy and leaves the input alone', () => {
    const input = { ports: [{ port: 80 }], name: 'web' };
    const copy = frozenCopy(input);
    expect(copy).toEqual(input);
    expect(copy).not.toBe(input);
    expect(copy.ports[0]).not.toBe(input.ports[0]);
    expect(Object.isFrozen(copy.ports[0])).toBe(true);
    expect(Object.isFrozen(input) || Object.isFrozen(input.ports)).toBe(false);
  });

  it('gives one shared frozen list for every empty list', () => {
    const copy = frozenCopy({ a: [], b: [] });
    expect(copy.a).toBe(copy.b);
    expect(Object.isFrozen(copy.a)).toBe(true);
  });

  it('copies a value frozen only at the top, whose inside could still change', () => {
    const inner = [1];
    const copy = frozenCopy(Object.freeze({ inner }));
    expect(copy.inner).not.toBe(inner);
    expect(Object.isFrozen(copy.inner)).toBe(true);
  });
});

describe('EMPTY_LIST', () => {
  it('is frozen and empty, and is what frozenCopy gives for any empty list', () => {
    expect(Object.isFrozen(EMPTY_LIST)).toBe(true);
    expect(EMPTY_LIST).toHaveLength(0);
    expect(() => (EMPTY_LIST as unknown as number[]).push(1)).toThrow(TypeError);
    expect(frozenCopy([])).toBe(EMPTY_LIST);
  });
});

describe('rememberValidated', () => {
  let checks = 0;
  const validatePort = rememberValidated(
    (value: { readonly n: number }, _path?: string): Result<{ readonly n: number }> => {
      checks++;
      return value.n > 0 ? ok(frozenCopy(value)) : fail(new VoltError('INVALID_PORT', 'a port is above 0'));
    },
  );

  it('checks a new value, and accepts what it returned again without checking it', () => {
    checks = 0;
    const input = { n: 80 };
    const first = validatePort(input);
    if (!first.ok) throw first.error;
    expect(first.value).toEqual({ n: 80 });
    expect(Object.isFrozen(first.value)).toBe(true);
    expect(Object.isFrozen(input)).toBe(false);
    expect(validatePort(first.value, 'another path')).toEqual(first);
    expect(checks).toBe(1);
    expect(validatePort.accepts(first.value)).toBe(true);
    expect(validatePort.accepts(input)).toBe(false);
    expect(validatePort.accepts(Object.freeze({ n: 80 }))).toBe(false);
  });

  it('checks the same unfrozen input every time: it may have changed', () => {
    checks = 0;
    const input = { n: 80 };
    expect(validatePort(input).ok).toBe(true);
    input.n = -1;
    expect(validatePort(input).ok).toBe(false);
    expect(checks).toBe(2);
  });

  it('remembers nothing of a rejected value', () => {
    checks = 0;
    const bad = Object.freeze({ n: 0 });
    expect(validatePort(bad).ok).toBe(false);
    expect(validatePort(bad).ok).toBe(false);
    expect(checks).toBe(2);
  });

  it('keeps one memory per validator: a value one accepted is checked by another', () => {
    const validateOther = rememberValidated(
      (value: { readonly n: number }): Result<{ readonly n: number }> =>
        value.n < 10 ? ok(frozenCopy(value)) : fail(new VoltError('INVALID_VALUE', 'below 10')),
    );
    const port = validatePort({ n: 80 });
    if (!port.ok) throw port.error;
    expect(validateOther(port.value).ok).toBe(false);
  });

  it('marks what it accepted invisibly: copies, keys and JSON are unchanged, and no copy is accepted', () => {
    const port = validatePort({ n: 80 });
    if (!port.ok) throw port.error;
    expect(Reflect.ownKeys(port.value)).toEqual(['n']);
    expect(JSON.stringify(port.value)).toBe('{"n":80}');
    expect(Object.getOwnPropertySymbols(port.value)).toEqual([]);
    for (const copy of [{ ...port.value }, structuredClone(port.value), Object.freeze({ ...port.value })])
      expect(validatePort.accepts(copy)).toBe(false);
    expect(validatePort.accepts(Object.create(port.value))).toBe(false);
  });

  it('accepts a value it returned twice (a shared constant) without failing', () => {
    const shared = Object.freeze({ n: 443 });
    const validateShared = rememberValidated((value: { readonly n: number }) =>
      value.n > 0 ? ok(shared) : fail(new VoltError('INVALID_PORT', 'a port is above 0')),
    );
    expect(validateShared({ n: 1 })).toEqual({ ok: true, value: shared });
    expect(validateShared({ n: 2 })).toEqual({ ok: true, value: shared });
    expect(validateShared.accepts(shared)).toBe(true);
    expect(validateShared.accepts(null)).toBe(false);
    expect(validateShared.accepts(443)).toBe(false);
  });
});
