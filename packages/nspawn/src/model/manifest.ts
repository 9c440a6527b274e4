import { isRecord } from '@volt/core';
import { type ContainerPaths, installableFiles } from './paths.js';

/** Where an applied profile came from: its file and the SHA-256 of the text that was applied. */
export interface ProfileOrigin {
  /** The absolute path of a regular file. */
  readonly path: string;
  readonly sha256: string;
}

/** How a container was installed: for the stock template unit (`volt apply`) or nspawn run directly (`volt run`). */
export type InstallRoute = 'template' | 'direct';

/**
 * What Volt records of an install in the container's state (`manifest.json`): the files it installed with
 * the SHA-256 of what it wrote, the route, and the profile the plan came from. A manifest written before
 * this record existed is a bare list of paths: its hashes, route and profile are null.
 */
export interface ContainerManifest {
  readonly files: readonly { readonly path: string; readonly sha256: string | null }[];
  readonly route: InstallRoute | null;
  readonly profile: ProfileOrigin | null;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses a container's manifest; undefined for anything but a manifest Volt wrote for this container: every
 * path must be one a plan for it can install ({@link installableFiles}), so that a manifest can never make
 * Volt read or remove another file; hashes are SHA-256 hex, the profile's path absolute.
 *
 * @example
 * ```ts
 * parseManifest('["/etc/systemd/nspawn/web.nspawn"]', containerPaths('web'))?.route; // null
 * parseManifest('["/etc/passwd"]', containerPaths('web')); // undefined
 * ```
 */
export function parseManifest(text: string, paths: ContainerPaths): ContainerManifest | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const allowed = installableFiles(paths);
  if (Array.isArray(parsed)) {
    if (!parsed.every((path) => typeof path === 'string' && allowed.includes(path))) return undefined;
    return { files: parsed.map((path: string) => ({ path, sha256: null })), route: null, profile: null };
  }
  if (!isRecord(parsed) || !Array.isArray(parsed['files'])) return undefined;
  const files = parsed['files'].map((file: unknown) =>
    isRecord(file) &&
    typeof file['path'] === 'string' &&
    allowed.includes(file['path']) &&
    typeof file['sha256'] === 'string' &&
    SHA256.test(file['sha256'])
      ? { path: file['path'], sha256: file['sha256'] }
      : undefined,
  );
  const { route, profile } = parsed;
  const validProfile =
    profile === null ||
    (isRecord(profile) &&
      typeof profile['path'] === 'string' &&
      profile['path'].startsWith('/') &&
      !profile['path'].includes('\0') &&
      typeof profile['sha256'] === 'string' &&
      SHA256.test(profile['sha256']));
  if (
    files.some((file) => file === undefined) ||
    (route !== 'template' && route !== 'direct') ||
    !validProfile
  ) {
    return undefined;
  }
  return {
    files: files as { path: string; sha256: string }[],
    route,
    profile: profile === null ? null : { path: String(profile['path']), sha256: String(profile['sha256']) },
  };
}

/**
 * A manifest as Volt writes it: JSON, the files in path order.
 *
 * @example
 * ```ts
 * renderManifest({ files: [], route: 'template', profile: null }); // '{"files":[],"route":"template","profile":null}'
 * ```
 */
export function renderManifest(manifest: ContainerManifest): string {
  const files = manifest.files.toSorted((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return JSON.stringify({ files, route: manifest.route, profile: manifest.profile });
}
