import { type IsolationConfig, parseUnitFile, unwrap, VoltError } from '@volt/core';
import { parseProfile, safeParseProfile } from '@volt/core/profile';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../test/configurations.js';
import { defaultIsolation } from './defaults.js';
import { type IsolationPlan, renderPlan } from './plan.js';
import { isolationFromProfile, validateIsolation } from './resolve.js';
import { settingsToArguments } from './settings.js';

const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;

const hostile = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'web',
    'a b',
    'x\ny',
    '[Exec]',
    'a=b',
    '%h',
    '$HOME',
    '"q"',
    "it's",
    'a\\',
    '',
    ' lead',
    'trail ',
    'é',
    'a;b',
  ),
);
const safeWord = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}[a-z0-9]$/);
/** Mostly well-formed text, sometimes hostile, so that both outcomes are exercised. */
const hostileText = fc.oneof({ arbitrary: safeWord, weight: 12 }, { arbitrary: hostile, weight: 1 });
const sizeText = fc.oneof(
  { arbitrary: fc.constantFrom('2G', '1.5G', '512M', 'infinity', '50%', '3G 512M'), weight: 12 },
  { arbitrary: fc.constantFrom('0', '2GB', '3-1', '-1G', '1E9G'), weight: 1 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);
const document = fc.record(
  {
    name: hostileText,
    rootfs: hostileText.map((text) => `/var/lib/machines/${text}`),
    boot: fc.boolean(),
    command: fc.array(hostileText, { minLength: 1, maxLength: 3 }).map((words) => ['/usr/bin/app', ...words]),
    workloadUnit: hostileText.map((text) => `${text}.service`),
    environment: fc.dictionary(hostileText, hostileText, { maxKeys: 3 }),
    landlock: fc.constantFrom('server', 'desktop', 'none'),
    seccomp: fc.constantFrom('strict', 'default', 'unconfined'),
    privateUsers: fc.boolean(),
    readOnlyRoot: fc.boolean(),
    network: fc.record(
      {
        mode: fc.constantFrom('private', 'host', 'none'),
        bridge: hostileText,
        dns: fc.array(
          fc.oneof(
            { arbitrary: fc.ipV4(), weight: 6 },
            { arbitrary: fc.ipV6(), weight: 6 },
            { arbitrary: hostile, weight: 1 },
          ),
          { maxLength: 3 },
        ),
        ports: fc.uniqueArray(
          fc.oneof(
            { arbitrary: fc.integer({ min: 1, max: 65535 }).map((port) => `tcp:${port}:80`), weight: 12 },
            { arbitrary: hostile, weight: 1 },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
    resources: fc.record(
      {
        memory: fc.record({ max: sizeText, high: sizeText }, { requiredKeys: [] }),
        cpu: fc.record(
          {
            weight: fc.oneof(
              { arbitrary: fc.integer({ min: 1, max: 10000 }), weight: 12 },
              { arbitrary: fc.integer({ min: -5, max: 20000 }), weight: 1 },
              { arbitrary: hostile, weight: 1 },
            ),
            allowedCpus: fc.oneof(
              { arbitrary: fc.constantFrom('0', '0-1', '0,1'), weight: 12 },
              { arbitrary: hostile, weight: 1 },
            ),
          },
          { requiredKeys: [] },
        ),
        tasks: fc.record(
          {
            max: fc.oneof(
              { arbitrary: fc.integer({ min: 1, max: 10_000 }), weight: 12 },
              { arbitrary: fc.integer({ min: -1, max: 0 }), weight: 1 },
              { arbitrary: sizeText, weight: 1 },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['name'] },
);

describe('generated profiles, valid and hostile', () => {
  it('either render or fail with a VoltError; no other exception', () => {
    fc.assert(
      fc.property(document, (input) => {
        const profile = safeParseProfile(input);
        if (!profile.ok) {
          expect(VoltError.isInstance(profile.error)).toBe(true);
          return;
        }
        try {
          renderPlan(isolationFromProfile(profile.value), target);
        } catch (error) {
          if (!VoltError.isInstance(error)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a config of any shape passed straight to renderPlan (a JavaScript caller) renders or fails with a VoltError', () => {
    const base = defaultIsolation('web') as unknown as Readonly<Record<string, Record<string, unknown>>>;
    const anything = fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true });
    const parts = ['landlock', 'seccomp', 'resources', 'network'] as const;
    const damaged = fc.oneof(
      // one top-level field of any value, several, or a part's own field
      fc
        .record({ key: fc.constantFrom(...Object.keys(base)), value: anything })
        .map(({ key, value }) => ({ ...base, [key]: value })),
      fc
        .dictionary(fc.constantFrom(...Object.keys(base)), anything)
        .map((changes) => ({ ...base, ...changes })),
      fc
        .constantFrom(...parts)
        .chain((part) =>
          fc.record({
            part: fc.constant(part),
            key: fc.constantFrom(...Object.keys(base[part] ?? {})),
            value: anything,
          }),
        )
        .map(({ part, key, value }) => ({ ...base, [part]: { ...base[part], [key]: value } })),
      anything,
    );
    fc.assert(
      fc.property(damaged, (config) => {
        try {
          renderPlan(config as IsolationConfig, target);
        } catch (error) {
          if (!VoltError.isInstance(error)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('when they render, the settings file reads back to exactly the settings, and nothing escapes its line or argument', () => {
    let rendered = 0;
    fc.assert(
      fc.property(document, (input) => {
        const profile = safeParseProfile(input);
        if (!profile.ok) return;
        let plan: ReturnType<typeof renderPlan>;
        try {
          plan = renderPlan(isolationFromProfile(profile.value), target);
        } catch (error) {
          if (VoltError.isInstance(error)) return;
          throw error;
        }
        rendered++;
        const file = unwrap(parseUnitFile(plan.nspawnFile));
        const readBack = file.sections.flatMap((section) =>
          section.entries.map(([key, value]) => ({ section: section.name, key, value })),
        );
        expect(readBack).toEqual(plan.settings);
        expect(file.sections.map((section) => section.name)).toEqual(['Exec', 'Files', 'Network']);
        const dropIn = unwrap(parseUnitFile(plan.serviceDropIn));
        expect(dropIn.sections.flatMap((section) => section.entries)).toEqual([
          ...plan.properties,
          ...Object.entries(plan.direct.environment).map(([key, value]) => [
            'Environment',
            `${key}=${value}`,
          ]),
        ]);
        const parameters =
          plan.settings.find((setting) => setting.key === 'Parameters')?.value.split(' ') ?? [];
        const expectedArgv = [
          'systemd-nspawn',
          '--quiet',
          `--machine=${plan.config.name}`,
          `--directory=${plan.config.rootfs}`,
          '--settings=no',
          ...settingsToArguments(plan.settings),
          ...plan.properties.map(([key, value]) => `--property=${key}=${value}`),
          ...parameters,
        ];
        expect(plan.direct.argv).toEqual(expectedArgv);
        for (const argument of plan.direct.argv) expect(argument).not.toMatch(/[\n\r\0]/);
      }),
      { numRuns: 1000 },
    );
    expect(rendered).toBeGreaterThan(50);
  });
});

describe('plans that share parts', () => {
  // Validated configurations whose parts are shared by identity, as containers made from one profile are.
  const pool = CONFIGURATIONS.map(([, document], index) =>
    isolationFromProfile(parseProfile({ name: `web-${index}`, ...document })),
  );
  /** The same configuration with every part new, so that nothing rendered before can be reused. */
  const fresh = (config: IsolationConfig): IsolationConfig => structuredClone(config);
  const text = (config: IsolationConfig) => JSON.stringify(renderPlan(config, target));

  it('are what the same configuration renders with no part seen before, in any order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 12 }), (picks) => {
        for (const pick of picks) {
          const config = pool[pick] as IsolationConfig;
          expect(text(config)).toBe(text(fresh(config)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('share only frozen artifacts, so that a caller changing one plan cannot change another', () => {
    // Parts validated anew, so never seen before: the first plan's artifacts are its own, not kept.
    const config = unwrap(validateIsolation(fresh(pool[0] as IsolationConfig)));
    const once = renderPlan(config, target);
    expect(Object.isFrozen(once.properties)).toBe(false);
    (once.properties as [string, string][]).push(['MemoryMax', '1']);
    (once.direct.environment as Record<string, string>)['SYSTEMD_SECCOMP'] = '0';
    const shared = [renderPlan(config, target), renderPlan(config, target), renderPlan(config, target)];
    expect(shared[1]?.properties).toBe(shared[2]?.properties);
    const last = shared[2] as IsolationPlan;
    expect(Object.isFrozen(last.properties)).toBe(true);
    for (const property of last.properties) expect(Object.isFrozen(property)).toBe(true);
    for (const setting of last.settings.filter((setting) => setting.section === 'Network'))
      expect(Object.isFrozen(setting)).toBe(true);
    expect(Object.isFrozen(last.direct.environment)).toBe(true);
    expect(() => (last.properties as [string, string][]).push(['MemoryMax', '1'])).toThrow(TypeError);
    expect(() => {
      (last.properties[0] as unknown as string[])[1] = 'no';
    }).toThrow(TypeError);
    expect(JSON.stringify(last)).toBe(text(fresh(config)));
  });
});

describe('the field types of a configuration', () => {
  // The oracle: the type each field must have, as a JavaScript caller may get it wrong.
  const kinds: Readonly<Record<string, (value: unknown) => boolean>> = {
    name: (value) => typeof value === 'string',
    rootfs: (value) => typeof value === 'string',
    boot: (value) => typeof value === 'boolean',
    command: Array.isArray,
    workloadUnit: (value) => value === undefined || typeof value === 'string',
    environment: Array.isArray,
    seccomp: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    resources: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    network: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    privateUsers: (value) => typeof value === 'boolean',
    readOnlyRoot: (value) => typeof value === 'boolean',
  };
  const anyValue = fc.constantFrom<unknown>(
    'x',
    '',
    0,
    1n,
    true,
    false,
    null,
    undefined,
    [],
    ['a'],
    {},
    () => 1,
  );
  const wrongTypeError = / is not (a string|true or false|a list|an object); /;

  it('are each refused at their path when wrong, and never refused when right (property)', () => {
    const fields = Object.keys(kinds);
    const changes = fc.dictionary(fc.constantFrom(...fields), anyValue, { maxKeys: 4 });
    fc.assert(
      fc.property(changes, (change) => {
        const config = { ...defaultIsolation('web'), ...change } as unknown as IsolationConfig;
        const wrong = fields.filter(
          (field) => !(kinds[field] as (value: unknown) => boolean)(config[field as keyof IsolationConfig]),
        );
        const result = validateIsolation(config);
        const refusedTypes = result.ok
          ? []
          : result.issues
              .filter((issue) => issue.path.length === 1 && wrongTypeError.test(issue.message))
              .map((issue) => issue.path[0]);
        expect(refusedTypes).toEqual(wrong);
      }),
      { numRuns: 2000 },
    );
  });
});
