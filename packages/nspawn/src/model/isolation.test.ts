import { readFileSync } from 'node:fs';
import { formatInputPath, type VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_YIELDS } from './defaults.js';
import {
  type ComposedIsolation,
  composeIsolation,
  composeIsolationOver,
  parseIsolation,
  validateIsolation,
} from './isolation.js';
import type { ProfileLayer } from './layers.js';

const profile = (document: unknown): ProfileLayer => ({ source: { kind: 'profile' }, document });
const yieldedOf = (composed: ComposedIsolation) =>
  composed.merge.yielded.map((entry) => [formatInputPath(entry.path), entry.value]);

/** Composes one document, which must be valid. */
function compose(document: Record<string, unknown>): ComposedIsolation {
  const composed = composeIsolation([profile({ name: 'vp18-web', ...document })]);
  if (!composed.ok) throw composed.error;
  return composed.value;
}

describe('defaults never create a conflict the user did not write', () => {
  it("the issue's case: memory.max 48M alone is accepted, the default MemoryHigh (1G) gives way and the report says so", () => {
    const composed = compose({ resources: { memory: { max: '48M' } } });
    expect(composed.isolation.resources.memory?.max).toEqual({ kind: 'bytes', bytes: 48 * 1024 * 1024 });
    expect(composed.isolation.resources.memory?.high).toBeUndefined();
    expect(yieldedOf(composed)).toEqual([['resources.memory.high', '1G']]);
    const [yielded] = composed.merge.yielded;
    expect(yielded?.yieldedTo).toEqual([
      { path: ['resources', 'memory', 'max'], value: '48M', source: { kind: 'profile' } },
    ]);
    expect(yielded?.conflict).toMatch(
      /^CONFLICT at resources\.memory\.high: MemoryHigh \(1073741824 bytes\) is above MemoryMax/,
    );
    // The defaults a conflict does not involve stay.
    expect(composed.isolation.resources.tasks?.max).toEqual({ kind: 'count', count: 4096 });
  });

  it('a default yields only to what it conflicts with, and only as far as needed', () => {
    expect(yieldedOf(compose({ resources: { memory: { high: '4G' } } }))).toEqual([
      ['resources.memory.max', '2G'],
    ]);
    // 1.5G is above the default MemoryHigh, below the default MemoryMax: only MemoryHigh yields.
    const low = compose({ resources: { memory: { low: '1536M' } } });
    expect(yieldedOf(low)).toEqual([['resources.memory.high', '1G']]);
    expect(low.isolation.resources.memory?.max).toEqual({ kind: 'bytes', bytes: 2 * 1024 ** 3 });
    expect(yieldedOf(compose({ resources: { memory: { min: '3G' } } }))).toEqual([
      ['resources.memory.high', '1G'],
      ['resources.memory.max', '2G'],
    ]);
    expect(yieldedOf(compose({ resources: { memory: { max: '4G' } } }))).toEqual([]);
    expect(yieldedOf(compose({ resources: { memory: { max: '50%' } } }))).toEqual([]);
  });

  it('the default Landlock policy gives way to a filter that denies what its helper needs', () => {
    const composed = compose({ boot: false, command: ['/bin/app'], seccomp: { deny: ['prctl'] } });
    expect(composed.isolation.landlock).toBeNull();
    expect(yieldedOf(composed)).toEqual([['landlock', 'server']]);
  });

  it("a conflict between the user's own values stays an error", () => {
    const result = parseIsolation({ name: 'vp18-web', resources: { memory: { high: '4G', max: '1G' } } });
    expect(result.ok ? undefined : [result.error.code, result.error.path]).toEqual([
      'CONFLICT',
      ['resources', 'memory', 'high'],
    ]);
    const landlock = parseIsolation({
      name: 'vp18-web',
      boot: false,
      command: ['/a'],
      landlock: 'server',
      seccomp: { deny: ['@sandbox'] },
    });
    expect(landlock.ok ? undefined : landlock.error.code).toBe('CONFLICT');
  });

  it("a value a preset writes is the user's choice: a conflict with it is an error naming the preset", () => {
    const result = composeIsolation([
      profile({
        name: 'vp18-job',
        extends: 'strict-app',
        command: ['/bin/job'],
        seccomp: { deny: ['@sandbox'] },
      }),
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect([result.error.code, result.error.path]).toEqual(['CONFLICT', ['seccomp']]);
    expect(result.error.message).toMatch(/\(set by strict-app@1\)$/);
  });

  it('a default conflicting with a preset value gives way to it, as to any value the user chose', () => {
    const composed = composeIsolation([
      { source: { kind: 'file', path: 'base.yaml' }, document: { resources: { memory: { max: '256M' } } } },
      profile({ name: 'vp18-web' }),
    ]);
    expect(composed.ok && yieldedOf(composed.value)).toEqual([['resources.memory.high', '1G']]);
    expect(composed.ok && composed.value.merge.yielded[0]?.yieldedTo[0]?.source).toEqual({
      kind: 'file',
      path: 'base.yaml',
    });
  });

  it("DEFAULT_YIELDS is the README's table of defaults that give way, row for row", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Za-z.]+)` \([^)]*\) \| /gm)].map((match) => match[1]);
    expect(documented).toEqual(DEFAULT_YIELDS.map((row) => row.field));
  });

  it('DEFAULT_YIELDS names default fields that DEFAULT_PROFILE has', () => {
    const composed = compose({});
    const defaults = composed.merge.values.map((value) => formatInputPath(value.path));
    for (const row of DEFAULT_YIELDS) expect(defaults.some((path) => path.startsWith(row.field))).toBe(true);
  });

  // The property of the rule: whatever a user writes, the defaults add no error of their own. A document
  // valid alone stays valid with the defaults; an invalid one keeps (a subset of) its own errors. The
  // generator builds mostly valid documents (memory limits in order), each field often left out, so that
  // many touch a default.
  const SIZES = ['16M', '48M', '512M', '1G', '1536M', '2G', '3G', 'infinity'];
  const MEMORY_KEYS = ['min', 'low', 'high', 'max'];
  const memory = fc
    .tuple(
      fc.subarray(MEMORY_KEYS),
      fc.uniqueArray(fc.integer({ min: 0, max: SIZES.length - 1 }), { minLength: 4, maxLength: 4 }),
      fc.constantFrom(undefined, '50%'),
    )
    .map(([keys, indexes, share]) => {
      // As many sizes as keys, in order: the chosen limits never conflict among themselves.
      const sizes = indexes
        .slice(0, keys.length)
        .sort((a, b) => a - b)
        .map((index) => SIZES[index]);
      const limits: Record<string, string | undefined> = Object.fromEntries(
        keys.map((key, index) => [key, sizes[index]]),
      );
      if (share !== undefined && keys[0] !== undefined) limits[keys[0]] = share;
      return limits;
    });
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight = 1) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary, weight });
  const names = ['@sandbox', 'prctl', 'landlock_add_rule', 'ptrace', '@mount', '@clock', 'kcmp'];
  const document = fc.record({
    extends: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.constantFrom('server', 'desktop', 'strict-app'), weight: 1 },
    ),
    boot: sometimes(fc.boolean()),
    command: sometimes(fc.constant(['/usr/bin/app', '--serve']), 3),
    workloadUnit: sometimes(fc.constant('app.service')),
    landlock: sometimes(
      fc.constantFrom('server', 'desktop', 'none', { paths: [{ path: '/srv', access: ['read-file'] }] }),
    ),
    seccomp: sometimes(
      fc.oneof(
        fc.constantFrom('strict', 'default', 'unconfined'),
        fc.record({
          profile: sometimes(fc.constantFrom('strict', 'default', 'unconfined')),
          allow: sometimes(fc.subarray(names, { minLength: 1 })),
          deny: fc.subarray(names, { minLength: 1 }),
        }),
      ),
      2,
    ),
    resources: sometimes(
      fc.record({
        memory: sometimes(memory, 3),
        tasks: sometimes(fc.record({ max: fc.constantFrom(16, 4096, 'infinity') })),
        cpu: sometimes(fc.record({ weight: fc.constantFrom(1, 100, 'idle') })),
      }),
      3,
    ),
    network: sometimes(fc.record({ mode: fc.constantFrom('private', 'host', 'none') })),
    privateUsers: sometimes(fc.boolean()),
    readOnlyRoot: sometimes(fc.boolean()),
  });
  const issueKeys = (issues: readonly VoltError[]) =>
    [...new Set(issues.map((issue) => `${issue.code} at ${formatInputPath(issue.path)}`))].sort();

  it('adding the defaults never produces an error the document alone would not (property)', () => {
    let validAlone = 0;
    let yielded = 0;
    fc.assert(
      fc.property(document, (written) => {
        const layers = [profile({ name: 'vp18-prop', ...written })];
        const alone = composeIsolationOver([], layers);
        const withDefaults = composeIsolation(layers);
        if (alone.ok) {
          validAlone++;
          expect(withDefaults.ok ? [] : issueKeys(withDefaults.issues)).toEqual([]);
        } else if (!withDefaults.ok) {
          const own = new Set(issueKeys(alone.issues));
          expect(issueKeys(withDefaults.issues).filter((key) => !own.has(key))).toEqual([]);
        }
        if (withDefaults.ok && withDefaults.value.merge.yielded.length > 0) yielded++;
      }),
    );
    // Not vacuous: many documents are valid alone, and some of them needed a default to give way.
    const runs = fc.readConfigureGlobal().numRuns ?? 100;
    expect(validAlone).toBeGreaterThan(runs / 5);
    expect(yielded).toBeGreaterThan(0);
  });
});

describe('provenance', () => {
  it('names the source of every final value: default, preset@version, file, profile, command line', () => {
    const composed = composeIsolation([
      {
        source: { kind: 'file', path: 'base.yaml' },
        document: { extends: 'strict-app', environment: { A: '1' } },
      },
      { source: { kind: 'file', path: 'job.yaml' }, document: { name: 'vp18-job', command: ['/bin/job'] } },
      { source: { kind: 'flags' }, document: { resources: { tasks: { max: 64 } } } },
    ]);
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    const source = (path: string) => {
      const value = composed.value.merge.values.find((entry) => formatInputPath(entry.path) === path);
      return value === undefined ? undefined : value.source;
    };
    expect(source('boot')).toEqual({ kind: 'preset', name: 'strict-app', version: 1 });
    expect(source('environment.A')).toEqual({ kind: 'file', path: 'base.yaml' });
    expect(source('command')).toEqual({ kind: 'file', path: 'job.yaml' });
    expect(source('resources.tasks.max')).toEqual({ kind: 'flags' });
    expect(source('resources.memory.max')).toEqual({ kind: 'default' });
    expect(composed.value.merge.layers.map((layer) => layer.kind)).toEqual([
      'default',
      'preset',
      'file',
      'file',
      'flags',
    ]);
  });

  it("an error in a value from an extended file names that file; the profile's own values go unnamed", () => {
    const result = composeIsolation([
      { source: { kind: 'file', path: 'base.yaml' }, document: { resources: { memory: { max: '2GB' } } } },
      { source: { kind: 'file', path: 'web.yaml' }, document: { name: 'vp18-web', rootfs: 'relative' } },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = Object.fromEntries(
      result.issues.map((issue) => [formatInputPath(issue.path), issue.message]),
    );
    expect(messages['resources.memory.max']).toMatch(/\(set by base\.yaml\)$/);
    expect(messages['rootfs']).not.toMatch(/set by/);
  });
});

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
    // parseIsolation reports the same problems
    const parsed = parseIsolation(document);
    expect(parsed.ok ? [] : where(parsed.issues)).toEqual(where(validateIsolation(document)));
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
