import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeIsolation } from './isolation.js';
import {
  describeSource,
  extendsReferences,
  presetExtendsResolved,
  presetLayer,
  withoutExtends,
} from './layers.js';
import { findPreset, PROFILE_PRESETS, presetId } from './presets.js';

describe('built-in presets', () => {
  it('are server@1, desktop@1 and strict-app@1; a bare name means version 1, an unknown version nothing', () => {
    expect(PROFILE_PRESETS.map(presetId)).toEqual(['server@1', 'desktop@1', 'strict-app@1']);
    for (const preset of PROFILE_PRESETS) {
      expect(findPreset(preset.name)).toBe(preset);
      expect(findPreset(presetId(preset))).toBe(preset);
    }
    for (const reference of ['strict-app@2', 'strict-app@0', 'strict-app@', 'Strict-App', '@1', 'strict app'])
      expect(findPreset(reference)).toBeUndefined();
  });

  // A released preset never changes: a change is a new version (NAME@2) with its own row. These digests
  // are of the documents as released; a failure here means a preset was edited in place.
  const RELEASED: Readonly<Record<string, string>> = {
    'server@1': 'ed706d69f8108170e36e7f77c882e4e291dfaf55c487d654e3383bb2eedd1d4a',
    'desktop@1': 'eccd4691ac8ebf099e69846b8a5026f4af7a33bfacbf71117e23808e7c75b2e0',
    'strict-app@1': '29608ea7518137f6185521a56b6a4739c178bdba4813604bb661cd80e1afcf44',
  };
  it('keep the documents they were released with (edit one: add a new version instead)', () => {
    const digests = Object.fromEntries(
      PROFILE_PRESETS.map((preset) => [
        presetId(preset),
        createHash('sha256').update(JSON.stringify(preset.document)).digest('hex'),
      ]),
    );
    expect(digests).toEqual(RELEASED);
  });

  for (const preset of PROFILE_PRESETS) {
    it(`${presetId(preset)} composes into a valid isolation with a name and a command`, () => {
      const composed = composeIsolation([
        presetLayer(preset),
        { source: { kind: 'profile' }, document: { name: 'vp18-preset', command: ['/usr/bin/app'] } },
      ]);
      expect(composed.ok).toBe(true);
    });
  }

  it('strict-app@1 is Boot=no, strict seccomp, a read-only root, no network, Landlock on the command', () => {
    const composed = composeIsolation([
      {
        source: { kind: 'profile' },
        document: { name: 'vp18-job', extends: 'strict-app', command: ['/usr/bin/job'] },
      },
    ]);
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    const { isolation } = composed.value;
    expect([
      isolation.boot,
      isolation.seccomp.profile,
      isolation.readOnlyRoot,
      isolation.network.mode,
    ]).toEqual([false, 'strict', true, 'none']);
    expect(isolation.landlock?.paths.map((rule) => rule.path)).toContain('/usr');
    expect(isolation.landlock?.paths.map((rule) => rule.path)).not.toContain('/var');
    expect(isolation.landlock?.handledNet).toEqual(['bind-tcp', 'connect-tcp']);
  });
});

describe('extends references', () => {
  it('name presets (a bare name is version 1) and files (a path starting with /, ./ or ../), in order', () => {
    const references = extendsReferences({
      extends: ['strict-app', './base.yaml', '../x.yaml', '/etc/p.yaml'],
    });
    expect(
      references.ok &&
        references.value.map((reference) =>
          reference.kind === 'preset' ? presetId(reference.preset) : reference.path,
        ),
    ).toEqual(['strict-app@1', './base.yaml', '../x.yaml', '/etc/p.yaml']);
    expect(extendsReferences({ name: 'web' })).toEqual({ ok: true, value: [] });
    expect(extendsReferences('not a document')).toEqual({ ok: true, value: [] });
  });

  it('refuse an unknown preset with UNKNOWN_PRESET at its entry, saying what is accepted and how to name a file', () => {
    const references = extendsReferences({ extends: ['server', 'strict-ap', 'base.yaml'] });
    expect(references.ok).toBe(false);
    if (references.ok) return;
    expect(references.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['UNKNOWN_PRESET', ['extends', 1]],
      ['UNKNOWN_PRESET', ['extends', 2]],
    ]);
    expect(references.error.message).toBe(
      '"strict-ap" is not a built-in preset; accepted: server, desktop, strict-app (NAME means NAME@1; versions: server@1, desktop@1, strict-app@1), or a profile file (a path starting with ./, ../ or /)',
    );
    expect(references.issues[1]?.hint).toMatch(/write \.\/NAME/);
  });

  it('refuse a malformed extends with the profile schema error', () => {
    const references = extendsReferences({ extends: [] });
    expect(references.ok ? undefined : [references.error.code, references.error.path]).toEqual([
      'INVALID_VALUE',
      ['extends'],
    ]);
  });

  it('are removed from the document once resolved', () => {
    expect(withoutExtends({ extends: 'server', name: 'a' })).toEqual({ name: 'a' });
    expect(withoutExtends({ name: 'a' })).toEqual({ name: 'a' });
  });
});

describe('presetExtendsResolved (documents given in code)', () => {
  it('lays each preset under its document, once, and removes extends', () => {
    const resolved = presetExtendsResolved([
      { source: { kind: 'profile' }, document: { extends: ['server', 'strict-app', 'server@1'], name: 'a' } },
    ]);
    expect(resolved.ok && resolved.value.map((layer) => describeSource(layer.source))).toEqual([
      'server@1',
      'strict-app@1',
      'profile',
    ]);
    expect(resolved.ok && resolved.value[2]?.document).toEqual({ name: 'a' });
  });

  it('refuses a file: a document given in code cannot read one', () => {
    const resolved = presetExtendsResolved([
      { source: { kind: 'profile' }, document: { extends: ['server', './base.yaml'] } },
    ]);
    expect(resolved.ok ? undefined : [resolved.error.code, resolved.error.path]).toEqual([
      'INVALID_VALUE',
      ['extends', 1],
    ]);
    expect(resolved.ok ? '' : resolved.error.hint).toMatch(/readProfileLayers/);
  });
});

describe('describeSource', () => {
  it('names each kind of source', () => {
    expect(
      [
        { kind: 'default' } as const,
        { kind: 'preset', name: 'server', version: 1 } as const,
        { kind: 'file', path: 'examples/web.yaml' } as const,
        { kind: 'profile' } as const,
        { kind: 'flags' } as const,
      ].map(describeSource),
    ).toEqual(['default', 'server@1', 'examples/web.yaml', 'profile', 'command line']);
  });
});
