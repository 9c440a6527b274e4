import { describe, expect, it } from 'vitest';
import { parseManifest, renderManifest } from './manifest.js';
import { containerPaths } from './paths.js';

const paths = containerPaths('web');
const hash = 'a'.repeat(64);
const manifest = {
  files: [
    { path: paths.serviceDropIn, sha256: hash },
    { path: paths.settingsFile, sha256: 'b'.repeat(64) },
  ],
  route: 'direct',
  profile: { path: '/srv/web.yaml', sha256: hash },
} as const;

describe('the container manifest', () => {
  it('round-trips what Volt records: files with their SHA-256, the route, the profile', () => {
    const text = renderManifest(manifest);
    expect(parseManifest(text, paths)).toEqual({ ...manifest, files: [...manifest.files].reverse() });
    expect(JSON.parse(text).files.map((file: { path: string }) => file.path)).toEqual([
      paths.settingsFile,
      paths.serviceDropIn,
    ]);
    expect(parseManifest(renderManifest({ ...manifest, profile: null }), paths)?.profile).toBeNull();
  });

  it('reads the bare list of paths an older Volt wrote, with nothing recorded', () => {
    expect(parseManifest(JSON.stringify([paths.settingsFile]), paths)).toEqual({
      files: [{ path: paths.settingsFile, sha256: null }],
      route: null,
      profile: null,
    });
  });

  it('refuses a file Volt does not install, in either form, and anything it did not write', () => {
    const refused = [
      JSON.stringify(['/etc/passwd']),
      JSON.stringify({ ...manifest, files: [{ path: '/etc/passwd', sha256: hash }] }),
      JSON.stringify({ ...manifest, files: [{ path: paths.settingsFile, sha256: 'x' }] }),
      JSON.stringify({ ...manifest, route: 'elsewhere' }),
      JSON.stringify({ ...manifest, profile: { path: 'web.yaml', sha256: hash } }),
      JSON.stringify({ ...manifest, profile: { path: '/srv/web.yaml' } }),
      JSON.stringify({ files: {} }),
      'not json',
      'null',
    ];
    for (const text of refused) expect(parseManifest(text, paths)).toBeUndefined();
    // the paths of another container are not this one's
    expect(parseManifest(renderManifest(manifest), containerPaths('db'))).toBeUndefined();
  });
});
