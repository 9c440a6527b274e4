import { readFileSync } from 'node:fs';
import { profileJsonSchema } from '@volt/core/profile';
import { describe, expect, it } from 'vitest';
import type { ProfileLayer, ProfileSource } from './layers.js';
import {
  type MergedProfile,
  mergedDocument,
  mergedValues,
  mergeProfileLayers,
  PROFILE_MERGE_RULES,
  withoutField,
} from './merge.js';

const BASE: ProfileSource = { kind: 'file', path: 'base.yaml' };
const TOP: ProfileSource = { kind: 'profile' };

/** `base` under `top`, merged. */
function merge(base: unknown, top: unknown): MergedProfile {
  const layers: ProfileLayer[] = [
    { source: BASE, document: base },
    { source: TOP, document: top },
  ];
  return mergeProfileLayers(layers);
}

/** The source of each final value, by its dotted path. */
function sources(merged: MergedProfile): Record<string, string> {
  return Object.fromEntries(
    mergedValues(merged).map((value) => [
      value.path.join('.'),
      value.source.kind === 'file' ? value.source.path : value.source.kind,
    ]),
  );
}

describe('PROFILE_MERGE_RULES, rule by rule', () => {
  it('scalars: the later value wins; a key the later layer leaves out keeps the earlier value', () => {
    const merged = merge({ name: 'a', boot: true, rootfs: '/srv/a' }, { name: 'b', boot: false });
    expect(mergedDocument(merged)).toEqual({ name: 'b', boot: false, rootfs: '/srv/a' });
    expect(sources(merged)).toEqual({ name: 'profile', boot: 'profile', rootfs: 'base.yaml' });
  });

  it('the command is replaced as a whole, never merged argument by argument', () => {
    const merged = merge({ command: ['/bin/a', '--x', '--y'] }, { command: ['/bin/b'] });
    expect(mergedDocument(merged)).toEqual({ command: ['/bin/b'] });
    expect(sources(merged)).toEqual({ command: 'profile' });
  });

  it('environment: by variable name', () => {
    const merged = merge({ environment: { A: '1', B: '2' } }, { environment: { B: 'two', C: '3' } });
    expect(mergedDocument(merged)).toEqual({ environment: { A: '1', B: 'two', C: '3' } });
    expect(sources(merged)).toEqual({
      'environment.A': 'base.yaml',
      'environment.B': 'profile',
      'environment.C': 'profile',
    });
  });

  it('resources: limit by limit, deeply', () => {
    const merged = merge(
      { resources: { memory: { high: '1G', max: '2G' }, tasks: { max: 64 } } },
      { resources: { memory: { max: '3G' }, cpu: { weight: 200 } } },
    );
    expect(mergedDocument(merged)).toEqual({
      resources: { memory: { high: '1G', max: '3G' }, tasks: { max: 64 }, cpu: { weight: 200 } },
    });
  });

  it('Landlock paths by path and ports by port: a later rule replaces an earlier one in its place', () => {
    const merged = merge(
      {
        landlock: {
          preset: 'server',
          paths: [
            { path: '/srv', access: ['read-file'] },
            { path: '/data', access: ['read-file'] },
          ],
          ports: [{ port: 80, access: ['bind-tcp'] }],
        },
      },
      {
        landlock: {
          paths: [
            { path: '/data', access: ['read-file', 'write-file'] },
            { path: '/cache', access: ['read-file'] },
          ],
          ports: [{ port: 443, access: ['bind-tcp'] }],
        },
      },
    );
    expect(mergedDocument(merged)).toEqual({
      landlock: {
        preset: 'server',
        paths: [
          { path: '/srv', access: ['read-file'] },
          { path: '/data', access: ['read-file', 'write-file'] },
          { path: '/cache', access: ['read-file'] },
        ],
        ports: [
          { port: 80, access: ['bind-tcp'] },
          { port: 443, access: ['bind-tcp'] },
        ],
      },
    });
    expect(sources(merged)).toMatchObject({
      'landlock.preset': 'base.yaml',
      'landlock.paths.0': 'base.yaml',
      'landlock.paths.1': 'profile',
      'landlock.paths.2': 'profile',
      'landlock.ports.1': 'profile',
    });
  });

  it('Landlock: a name (none, a preset) replaces the whole part; a map replaces an inherited name', () => {
    const rules = { preset: 'server', paths: [{ path: '/srv', access: ['read-file'] }] };
    expect(mergedDocument(merge({ landlock: rules }, { landlock: 'none' }))).toEqual({ landlock: 'none' });
    expect(mergedDocument(merge({ landlock: rules }, { landlock: 'desktop' }))).toEqual({
      landlock: 'desktop',
    });
    // Rules written without a preset never gain the preset of a layer below.
    expect(mergedDocument(merge({ landlock: 'server' }, { landlock: { paths: [] } }))).toEqual({
      landlock: { paths: [] },
    });
  });

  it('seccomp: a profile name is { profile: NAME }, allow and deny are unions in the order first written', () => {
    const merged = merge(
      { seccomp: 'strict' },
      { seccomp: { allow: ['@clock', 'ptrace'], deny: ['@swap'] } },
    );
    expect(mergedDocument(merged)).toEqual({
      seccomp: { profile: 'strict', allow: ['@clock', 'ptrace'], deny: ['@swap'] },
    });
    const again = merge(
      { seccomp: { profile: 'default', deny: ['ptrace', '@swap'], action: { errno: 'EACCES' } } },
      { seccomp: { deny: ['@swap', 'kcmp'], action: 'kill-process' } },
    );
    expect(mergedDocument(again)).toEqual({
      seccomp: { profile: 'default', deny: ['ptrace', '@swap', 'kcmp'], action: 'kill-process' },
    });
    expect(sources(again)).toMatchObject({ 'seccomp.deny.1': 'base.yaml', 'seccomp.deny.2': 'profile' });
  });

  it('network: setting by setting, port forwards a union, DNS servers replaced as one ordered list', () => {
    const merged = merge(
      { network: { mode: 'private', ports: ['8080:80'], dns: ['9.9.9.9', '1.1.1.1'] } },
      { network: { ports: ['8080:80', '8443:443'], dns: ['10.0.0.53'] } },
    );
    expect(mergedDocument(merged)).toEqual({
      network: { mode: 'private', ports: ['8080:80', '8443:443'], dns: ['10.0.0.53'] },
    });
  });

  it('IO device entries by device', () => {
    const merged = merge(
      { resources: { io: { devices: [{ device: '/dev/vda', weight: 100 }] } } },
      {
        resources: {
          io: {
            devices: [
              { device: '/dev/vda', weight: 500 },
              { device: '/dev/vdb', weight: 10 },
            ],
          },
        },
      },
    );
    expect(mergedDocument(merged)).toEqual({
      resources: {
        io: {
          devices: [
            { device: '/dev/vda', weight: 500 },
            { device: '/dev/vdb', weight: 10 },
          ],
        },
      },
    });
  });

  it('a value of the wrong shape is taken as it is, for the profile schema to refuse', () => {
    expect(mergedDocument(merge({ resources: { memory: { max: '2G' } } }, { resources: 7 }))).toEqual({
      resources: 7,
    });
    expect(mergedDocument(merge({ landlock: { paths: [] } }, { landlock: { paths: 'x' } }))).toEqual({
      landlock: { paths: 'x' },
    });
    expect(mergedDocument(merge({ name: 'a' }, 'not a profile'))).toBe('not a profile');
  });

  it('a later layer that leaves a key undefined (a JavaScript caller) keeps the earlier value', () => {
    expect(mergedDocument(merge({ rootfs: '/srv/a' }, { rootfs: undefined }))).toEqual({ rootfs: '/srv/a' });
  });

  it('withoutField takes one field out, and nothing else', () => {
    const merged = merge({ resources: { memory: { high: '1G', max: '2G' } } }, { name: 'a' });
    expect(mergedDocument(withoutField(merged, ['resources', 'memory', 'high']))).toEqual({
      resources: { memory: { max: '2G' } },
      name: 'a',
    });
    expect(mergedDocument(merged, ['resources', 'memory', 'high'])).toBe('1G');
    expect(mergedDocument(withoutField(merged, ['absent', 'field']))).toEqual(mergedDocument(merged));
  });
});

/** Every property path of a JSON Schema whose value may be a list, with every top-level property. */
function schemaFields(node: unknown, path: readonly string[], out: { lists: Set<string>; top: Set<string> }) {
  if (typeof node !== 'object' || node === null) return;
  const schema = node as {
    readonly type?: string;
    readonly properties?: Record<string, unknown>;
    readonly anyOf?: readonly unknown[];
  };
  if (schema.type === 'array') out.lists.add(path.join('.'));
  for (const branch of schema.anyOf ?? []) schemaFields(branch, path, out);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (path.length === 0) out.top.add(key);
    schemaFields(child, [...path, key], out);
  }
}

describe('the table covers the profile', () => {
  const fields = { lists: new Set<string>(), top: new Set<string>() };
  schemaFields(profileJsonSchema(), [], fields);
  const rows = new Set(PROFILE_MERGE_RULES.map((row) => row.field));

  it('every top-level field of the profile schema has a row (extends is resolved, never merged)', () => {
    expect([...fields.top].filter((field) => field !== 'extends' && !rows.has(field))).toEqual([]);
  });

  it('every field whose value may be a list has a row of its own: a list is merged by a stated rule', () => {
    expect(fields.lists.size).toBeGreaterThan(10);
    expect([...fields.lists].filter((field) => field !== 'extends' && !rows.has(field))).toEqual([]);
  });

  it('every row names a field of the profile schema, once', () => {
    const known = (field: string) => {
      let node: unknown = profileJsonSchema();
      for (const key of field.split('.')) {
        const schema = node as { properties?: Record<string, unknown>; anyOf?: unknown[] };
        const branches = [schema, ...(schema.anyOf ?? [])] as { properties?: Record<string, unknown> }[];
        node = branches.find((branch) => branch.properties?.[key] !== undefined)?.properties?.[key];
        if (node === undefined) return false;
      }
      return true;
    };
    expect(PROFILE_MERGE_RULES.filter((row) => !known(row.field)).map((row) => row.field)).toEqual([]);
    expect(rows.size).toBe(PROFILE_MERGE_RULES.length);
  });

  it("the README's merge table lists every row with its rule", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const documented = new Map(
      [...readme.matchAll(/^\| `([A-Za-z.]+)` \| ([a-z-]+)(?: `([a-z]+)`)? \|/gm)].map((match) => [
        match[1],
        match[3] === undefined ? match[2] : `${match[2]} ${match[3]}`,
      ]),
    );
    const expected = new Map(
      PROFILE_MERGE_RULES.map((row) => [
        row.field,
        row.rule.kind === 'by-key' ? `by-key ${row.rule.key}` : row.rule.kind,
      ]),
    );
    expect(documented).toEqual(expected);
  });
});
