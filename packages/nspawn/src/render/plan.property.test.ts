import { parseNspawnSettingsWords, parseUnitFile, unitEnvironmentValue, unwrap, VoltError } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../../test/configurations.js';
import { parseIsolation } from '../model/isolation.js';
import { renderPlan } from './plan.js';
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

/** Text a user may write in an argument or a value: words, and the characters each format must escape. */
const freeText = fc.oneof(
  { arbitrary: safeWord, weight: 4 },
  {
    arbitrary: fc.constantFrom('a b', '%h', '%%', '$HOME', '$$', '"q"', "it's", 'a\\', '', ' lead', 'trail '),
    weight: 3,
  },
  { arbitrary: fc.constantFrom('é', 'a;b', 'a=b', '\t', '日本', '-x', '--bind=/:/host'), weight: 3 },
);
const environmentName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
const validSize = fc.constantFrom('2G', '1.5G', '512M', 'infinity', '50%');
/** Documents that are valid by construction (each rule across fields is kept by how they are built). */
const validDocument = fc
  .record(
    {
      name: safeWord,
      rootfs: safeWord.map((text) => `/var/lib/machines/${text}`),
      boot: fc.boolean(),
      command: fc.array(freeText, { maxLength: 3 }).map((words) => ['/usr/bin/app', ...words]),
      workloadUnit: safeWord.map((text) => `${text}.service`),
      environment: fc.dictionary(environmentName, freeText, { maxKeys: 3 }),
      landlock: fc.constantFrom('server', 'desktop', 'none'),
      seccomp: fc.constantFrom('strict', 'default', 'unconfined'),
      privateUsers: fc.boolean(),
      readOnlyRoot: fc.boolean(),
      network: fc.oneof(
        fc.record(
          {
            mode: fc.constant('private'),
            bridge: safeWord,
            dns: fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { maxLength: 3 }),
            ports: fc.uniqueArray(
              fc.integer({ min: 1, max: 65535 }).map((port) => `tcp:${port}:80`),
              { maxLength: 3 },
            ),
          },
          { requiredKeys: ['mode'] },
        ),
        fc.record({ mode: fc.constantFrom('host', 'none') }),
      ),
      resources: fc.record(
        {
          memory: fc.record({ max: validSize }, { requiredKeys: [] }),
          cpu: fc.record(
            { weight: fc.integer({ min: 1, max: 10000 }), allowedCpus: fc.constantFrom('0', '0-1', '0,1') },
            { requiredKeys: [] },
          ),
          tasks: fc.record({ max: fc.integer({ min: 1, max: 10_000 }) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['name', 'command'] },
  )
  .map((document) =>
    // systemd as PID 1 (Boot=yes, the default) needs calls the strict filter denies: such a container boots with `default`.
    document.boot !== false && document.seccomp === 'strict' ? { ...document, seccomp: 'default' } : document,
  );

describe('generated profiles, valid and hostile', () => {
  it('either render or fail with a VoltError; no other exception', () => {
    fc.assert(
      fc.property(document, (input) => {
        const config = parseIsolation(input);
        if (!config.ok) {
          expect(config.issues.every((issue) => VoltError.isInstance(issue))).toBe(true);
          return;
        }
        try {
          renderPlan(config.value, target);
        } catch (error) {
          if (!VoltError.isInstance(error)) throw error;
        }
      }),
    );
  });

  it('a document of any shape (a JavaScript caller) gives a Result of VoltErrors, never an exception', () => {
    const anything = fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true });
    const fields = [
      'name',
      'rootfs',
      'boot',
      'command',
      'workloadUnit',
      'environment',
      'landlock',
      'seccomp',
      'resources',
      'network',
      'privateUsers',
      'readOnlyRoot',
    ];
    const damaged = fc.oneof(
      fc.dictionary(fc.constantFrom(...fields), anything).map((changes) => ({ name: 'web', ...changes })),
      anything,
    );
    fc.assert(
      fc.property(damaged, (input) => {
        const result = parseIsolation(input);
        if (!result.ok) expect(result.issues.every((issue) => VoltError.isInstance(issue))).toBe(true);
      }),
    );
  });

  it('a valid profile renders, its settings file reads back to exactly the settings, and nothing escapes its line or argument', () => {
    fc.assert(
      fc.property(validDocument, (input) => {
        const plan = renderPlan(unwrap(parseIsolation(input)), target);
        const file = unwrap(parseUnitFile(plan.nspawnFile));
        // The file reads back to the settings: Environment= as systemd's words (one quoted word each).
        const readBack = file.sections.flatMap((section) =>
          section.entries.map(([key, value]) => ({
            section: section.name,
            key,
            value: key === 'Environment' ? unwrap(parseNspawnSettingsWords(value)).join('') : value,
          })),
        );
        expect(readBack).toEqual(plan.settings);
        expect(file.sections.map((section) => section.name)).toEqual(['Exec', 'Files', 'Network']);
        const dropIn = unwrap(parseUnitFile(plan.serviceDropIn));
        expect(dropIn.sections.flatMap((section) => section.entries)).toEqual([
          ...plan.properties,
          ...Object.entries(plan.direct.environment).map(([key, value]) => [
            'Environment',
            unitEnvironmentValue(key, value),
          ]),
        ]);
        const parameters = unwrap(
          parseNspawnSettingsWords(
            plan.settings.find((setting) => setting.key === 'Parameters')?.value ?? '',
          ),
        );
        const expectedArgv = [
          'systemd-nspawn',
          '--quiet',
          `--machine=${plan.config.name}`,
          `--directory=${plan.config.rootfs}`,
          '--settings=no',
          ...settingsToArguments(plan.settings),
          ...plan.properties.map(([key, value]) => `--property=${key}=${value}`),
          ...(parameters.length > 0 ? ['--', ...parameters] : []),
        ];
        expect(plan.direct.argv).toEqual(expectedArgv);
        for (const argument of plan.direct.argv) expect(argument).not.toMatch(/[\n\r\0]/);
      }),
    );
  });
});

describe('renderPlan is a pure function of its configuration', () => {
  const configs = CONFIGURATIONS.map(([, document], index) =>
    unwrap(parseIsolation({ name: `web-${index}`, ...document })),
  );

  it('renders the same plan for the same configuration, whatever came before, and a plan changed by its caller changes no other', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(configs.length - 1), { minLength: 1, maxLength: 8 }), (picks) => {
        for (const pick of picks) {
          const config = configs[pick] as (typeof configs)[number];
          const first = renderPlan(config, target);
          (first.properties as [string, string][]).push(['MemoryMax', '1']);
          (first.direct.environment as Record<string, string>)['SYSTEMD_SECCOMP'] = '0';
          (first.settings as unknown as { value: string }[])[0] = { value: 'changed' };
          expect(renderPlan(config, target)).toEqual(renderPlan(structuredClone(config), target));
          expect(renderPlan(config, target).properties).not.toContainEqual(['MemoryMax', '1']);
        }
      }),
    );
  });
});
