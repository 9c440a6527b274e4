import { formatInputPath, type VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsolation, validateIsolation } from './isolation.js';

const where = (issues: readonly VoltError[]): string[] =>
  issues.map((issue) => `${issue.code} ${formatInputPath(issue.path)}`);

describe('validateIsolation: every problem of every stage at once', () => {
  it('finds nothing in a document parseIsolation accepts', () => {
    expect(validateIsolation({ name: 'web' })).toEqual([]);
    expect(
      validateIsolation({ name: 'web', boot: false, command: ['/bin/app'], network: { mode: 'none' } }),
    ).toEqual([]);
  });

  it('reports a schema problem, a part its package refuses and a rule across parts together', () => {
    const document = {
      name: 'web',
      boot: false,
      resources: { memory: { max: '2GB' } },
      seccomp: { deny: ['no_such_call'] },
    };
    expect(where(validateIsolation(document))).toEqual([
      'INVALID_BYTE_SIZE resources.memory.max',
      'INVALID_SYSCALL seccomp.deny[0]',
      'CONFLICT command',
    ]);
    // parseIsolation stops at the first stage that has a problem
    const parsed = parseIsolation(document);
    expect(parsed.ok ? [] : where(parsed.issues)).toEqual(['INVALID_BYTE_SIZE resources.memory.max']);
  });

  it('runs no rule that reads a part the schema refused: its default stands in and is not judged', () => {
    // boot: 'no' is not a boolean; the Boot=no-needs-a-command rule reads boot, so it does not run
    expect(where(validateIsolation({ name: 'web', boot: 'no' }))).toEqual(['INVALID_PROFILE boot']);
    // an unknown top-level key is refused on its own; the rest is still checked
    expect(where(validateIsolation({ name: 'web', bot: true, boot: false }))).toEqual([
      'INVALID_PROFILE ',
      'CONFLICT command',
    ]);
  });

  it('runs no rule that reads a part its package refused', () => {
    // the seccomp rule (the helper's calls) reads seccomp, which its package refuses here
    const issues = validateIsolation({
      name: 'web',
      boot: false,
      command: ['/bin/app'],
      seccomp: { deny: ['@nope'] },
    });
    expect(where(issues)).toEqual(['INVALID_SYSCALL seccomp.deny[0]']);
  });

  it('reports a missing name and still checks the rest', () => {
    expect(where(validateIsolation({ boot: false }))).toEqual(['INVALID_PROFILE name', 'CONFLICT command']);
  });

  it('reports a document that is not an object as it is', () => {
    expect(where(validateIsolation('name: web'))).toEqual(['INVALID_PROFILE ']);
  });

  it('agrees with parseIsolation: nothing found exactly when it accepts, and every problem it finds', () => {
    const fragments: readonly Record<string, unknown>[] = [
      { boot: false },
      { boot: 'yes' },
      { command: ['/bin/app'] },
      { command: [] },
      { resources: { memory: { max: '1G' } } },
      { resources: { memory: { max: '1 GB' } } },
      { resources: { memroy: {} } },
      { seccomp: 'strict' },
      { seccomp: { deny: ['@nope'] } },
      { seccomp: { deny: ['landlock_restrict_self'] } },
      { landlock: 'none' },
      { landlock: { paths: [{ path: 'relative', access: ['read-file'] }] } },
      { network: { mode: 'none' } },
      { network: { mode: 'bridge' } },
      { rootfs: '/usr' },
      { workloadUnit: 'app.socket' },
      { extra: 1 },
    ];
    fc.assert(
      fc.property(fc.subarray([...fragments]), fc.boolean(), (chosen, named) => {
        const document = Object.assign(named ? { name: 'web' } : {}, ...chosen);
        const parsed = parseIsolation(document);
        const found = validateIsolation(document);
        expect(found.length === 0).toBe(parsed.ok);
        if (!parsed.ok) expect(where(found)).toEqual(expect.arrayContaining(where(parsed.issues)));
      }),
    );
  });
});
