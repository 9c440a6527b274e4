import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSource, EXTENDS_LIMITS } from '../model/layers.js';
import { isolationFromLayers, readProfileLayers } from './document.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vp18-extends-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes profile files under the test's directory (YAML text by relative name). */
function files(texts: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(texts)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** The sources of the layers, with file paths relative to the test's directory. */
async function sources(file: string): Promise<string[]> {
  return (await readProfileLayers(join(dir, file))).map((layer) =>
    layer.source.kind === 'file' ? relative(dir, layer.source.path) : describeSource(layer.source),
  );
}

describe('readProfileLayers', () => {
  it('reads a file and what it extends, lowest first, paths relative to the extending file', async () => {
    files({
      'web.yaml': 'extends: [./base/common.yaml, strict-app]\nname: web\ncommand: [/usr/bin/web]\n',
      'base/common.yaml': 'extends: ../defaults/site.yaml\nenvironment: { SITE: prod }\n',
      'defaults/site.yaml': 'extends: server\nresources: { tasks: { max: 64 } }\n',
    });
    expect(await sources('web.yaml')).toEqual([
      'server@1',
      'defaults/site.yaml',
      'base/common.yaml',
      'strict-app@1',
      'web.yaml',
    ]);
    const layers = await readProfileLayers(join(dir, 'web.yaml'));
    expect(layers.every((layer) => !('extends' in (layer.document as object)))).toBe(true);
    const { isolation, merge } = isolationFromLayers(layers);
    // strict-app@1 comes after server@1, so its values win; the files' own values stay.
    expect([isolation.boot, isolation.network.mode, isolation.environment]).toEqual([
      false,
      'none',
      [['SITE', 'prod']],
    ]);
    expect(merge.values.find((value) => value.path.join('.') === 'resources.tasks.max')?.source).toEqual({
      kind: 'file',
      path: join(dir, 'base/../defaults/site.yaml'),
    });
  });

  it('merges a file or preset reached twice (a diamond) once, at its first place', async () => {
    files({
      'top.yaml': 'extends: [./a.yaml, ./b.yaml]\nname: top\n',
      'a.yaml': 'extends: [./common.yaml, server]\nboot: false\ncommand: [/a]\n',
      'b.yaml': 'extends: [./common.yaml, server@1]\nreadOnlyRoot: true\n',
      'common.yaml': 'environment: { A: "1" }\n',
    });
    expect(await sources('top.yaml')).toEqual(['common.yaml', 'server@1', 'a.yaml', 'b.yaml', 'top.yaml']);
  });

  it('refuses a cycle with one error naming the chain', async () => {
    files({
      'a.yaml': 'extends: ./b.yaml\n',
      'b.yaml': 'extends: [server, ./c.yaml]\n',
      'c.yaml': 'extends: ./a.yaml\n',
    });
    const a = join(dir, 'a.yaml');
    await expect(readProfileLayers(a)).rejects.toMatchObject({
      code: 'INVALID_PROFILE',
      path: ['extends', 0],
      message: `${a} → ${join(dir, 'b.yaml')} → ${join(dir, 'c.yaml')} → ${join(dir, 'a.yaml')}: a profile cannot extend itself, directly or through other files; accepted: a chain without cycles`,
    });
    files({ 'self.yaml': 'extends: ./self.yaml\n' });
    await expect(readProfileLayers(join(dir, 'self.yaml'))).rejects.toMatchObject({
      code: 'INVALID_PROFILE',
    });
  });

  it('refuses a chain longer than EXTENDS_LIMITS.depth, and accepts one that long', async () => {
    const chain = (length: number) =>
      Object.fromEntries(
        Array.from({ length }, (_, index) => [
          `p${index}.yaml`,
          index === length - 1 ? 'boot: true\n' : `extends: ./p${index + 1}.yaml\n`,
        ]),
      );
    files(chain(EXTENDS_LIMITS.depth));
    expect(await sources('p0.yaml')).toHaveLength(EXTENDS_LIMITS.depth);
    files(chain(EXTENDS_LIMITS.depth + 1));
    await expect(readProfileLayers(join(dir, 'p0.yaml'))).rejects.toMatchObject({
      code: 'INVALID_PROFILE',
      message: expect.stringMatching(/p8\.yaml: the chain is longer than 8 files; accepted: at most 8$/),
    });
  });

  it('refuses a profile that reads more than EXTENDS_LIMITS.files files', async () => {
    const names = Array.from({ length: EXTENDS_LIMITS.files }, (_, index) => `./w${index}.yaml`);
    files({
      'wide.yaml': `extends: [${names.slice(0, 16).join(', ')}]\n`,
      ...Object.fromEntries(
        names.map((name, index) => [
          name.slice(2),
          index < 16 ? `extends: ${names[index + 16]}\n` : 'boot: true\n',
        ]),
      ),
    });
    await expect(readProfileLayers(join(dir, 'wide.yaml'))).rejects.toMatchObject({
      code: 'INVALID_PROFILE',
      message: expect.stringMatching(/reads more than 32 files/),
    });
  });

  it('refuses an unknown preset in an extended file, naming the chain', async () => {
    files({ 'web.yaml': 'extends: ./base.yaml\n', 'base.yaml': 'extends: [server, strict-ap]\n' });
    await expect(readProfileLayers(join(dir, 'web.yaml'))).rejects.toMatchObject({
      code: 'UNKNOWN_PRESET',
      path: ['extends', 1],
      message: expect.stringMatching(
        new RegExp(
          `^${join(dir, 'web.yaml')} → ${join(dir, 'base.yaml')}: "strict-ap" is not a built-in preset`,
        ),
      ),
    });
  });

  it('refuses a file that cannot be read or parsed, naming the chain and the entry', async () => {
    files({ 'web.yaml': 'extends: [server, ./missing.yaml]\n', 'bad.yaml': 'extends: ./broken.yaml\n' });
    files({ 'broken.yaml': 'a: [\n' });
    await expect(readProfileLayers(join(dir, 'web.yaml'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: ['extends', 1],
      message: expect.stringMatching(
        /web\.yaml → .*missing\.yaml: the profile .*missing\.yaml cannot be read/,
      ),
    });
    await expect(readProfileLayers(join(dir, 'bad.yaml'))).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      path: ['extends', 0],
      message: expect.stringMatching(/bad\.yaml → .*broken\.yaml: .*broken\.yaml is not valid YAML/),
    });
    // The profile named itself: its own error, as before.
    await expect(readProfileLayers(join(dir, 'absent.yaml'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: [],
    });
  });

  it('an extended file may name the container; the profile itself wins', async () => {
    files({ 'web.yaml': 'extends: ./base.yaml\nname: web\n', 'base.yaml': 'name: base\nboot: true\n' });
    expect(isolationFromLayers(await readProfileLayers(join(dir, 'web.yaml'))).isolation.name).toBe('web');
  });
});
