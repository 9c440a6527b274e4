import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { voltErrorOf } from '../../test/volt-error.js';
import {
  closeDirectory,
  createFileAt,
  listDirectory,
  MAX_SYMLINKS,
  openBeneath,
  openInRoot,
  openTreeRoot,
  readFileAt,
  removeFileAt,
  renameAt,
  TEMPORARY_NAME,
  type TreeDirectory,
  temporaryName,
  withDirectory,
} from './tree.js';

const bases: string[] = [];
/** A scratch directory with a tree `root/` and a `host/` outside it holding `secret` and `units/x.conf`. */
function scratch(): { root: string; host: string } {
  const base = mkdtempSync(join(tmpdir(), 'vtp-tree-'));
  bases.push(base);
  const root = join(base, 'root');
  const host = join(base, 'host');
  mkdirSync(root);
  mkdirSync(join(host, 'units'), { recursive: true });
  writeFileSync(join(host, 'secret'), 'host secret\n');
  writeFileSync(join(host, 'units/x.conf'), '[Service]\n');
  return { root, host };
}
afterEach(() => {
  for (const base of bases.splice(0)) rmSync(base, { recursive: true, force: true });
});

function opened<T>(path: string, use: (root: TreeDirectory) => T): T {
  const root = openTreeRoot(path);
  try {
    return use(root);
  } finally {
    closeDirectory(root);
  }
}

describe('openBeneath: Volt’s own paths, no symlink followed', () => {
  it('refuses a symlink in any component, naming it, and creates nothing through it', () => {
    const { root, host } = scratch();
    mkdirSync(join(root, 'etc/systemd'), { recursive: true });
    symlinkSync(join(host, 'units'), join(root, 'etc/systemd/nspawn'));
    const error = opened(root, (tree) =>
      voltErrorOf(() => openBeneath(tree, '/etc/systemd/nspawn/deeper', { create: 0o755 })),
    );
    expect(error.code).toBe('INVALID_PATH');
    expect(error.message).toContain(`${root}/etc/systemd/nspawn is a symlink to ${host}/units`);
    expect(existsSync(join(host, 'units/deeper'))).toBe(false);
  });

  it('refuses a file where a directory belongs, and creates missing ones 0755 under umask 000', () => {
    const { root } = scratch();
    writeFileSync(join(root, 'var'), '');
    expect(opened(root, (tree) => voltErrorOf(() => openBeneath(tree, '/var/lib')).message)).toContain(
      `${root}/var is a regular file`,
    );
    const previous = process.umask(0);
    try {
      opened(root, (tree) =>
        withDirectory(openBeneath(tree, '/etc/a/b', { create: 0o755 }), () => undefined),
      );
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(root, 'etc/a')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, 'etc/a/b')).mode & 0o777).toBe(0o755);
  });

  it('gives undefined for a missing directory when it does not create', () => {
    const { root } = scratch();
    expect(opened(root, (tree) => openBeneath(tree, '/missing/dir'))).toBeUndefined();
  });
});

describe('openInRoot: a lookup inside the root, like RESOLVE_IN_ROOT', () => {
  it('resolves an absolute symlink inside the root, not on the host', () => {
    const { root, host } = scratch();
    mkdirSync(join(root, 'etc/systemd'), { recursive: true });
    mkdirSync(join(root, host, 'units'), { recursive: true });
    writeFileSync(join(root, host, 'units/inside.conf'), '');
    symlinkSync(join(host, 'units'), join(root, 'etc/systemd/system'));
    expect(
      opened(root, (tree) => withDirectory(openInRoot(tree, '/etc/systemd/system'), listDirectory)),
    ).toEqual(['inside.conf']);
  });

  it('never rises above the root through `..`, in a path or a relative link', () => {
    const { root, host } = scratch();
    mkdirSync(join(root, 'etc'), { recursive: true });
    symlinkSync(relative(join(root, 'etc'), join(host, 'units')), join(root, 'etc/system'));
    expect(opened(root, (tree) => openInRoot(tree, '/etc/system'))).toBeUndefined();
    expect(opened(root, (tree) => withDirectory(openInRoot(tree, '/../../..'), listDirectory))).toEqual([
      'etc',
    ]);
    mkdirSync(join(root, 'a/b'), { recursive: true });
    symlinkSync('../../../../..', join(root, 'a/b/up'));
    expect(opened(root, (tree) => withDirectory(openInRoot(tree, '/a/b/up'), listDirectory))).toEqual([
      'a',
      'etc',
    ]);
  });

  it('gives undefined for a symlink to a file, a FIFO, a loop, or more links than the kernel follows', () => {
    const { root, host } = scratch();
    symlinkSync(join(host, 'secret'), join(root, 'file'));
    spawnSync('mkfifo', [join(root, 'fifo')]);
    symlinkSync('/loop', join(root, 'loop'));
    for (let index = 0; index <= MAX_SYMLINKS; index++)
      symlinkSync(`/chain${index + 1}`, join(root, `chain${index}`));
    mkdirSync(join(root, `chain${MAX_SYMLINKS + 1}`));
    opened(root, (tree) => {
      for (const path of ['/file', '/fifo', '/loop', '/chain0'])
        expect(openInRoot(tree, path), path).toBeUndefined();
      expect(withDirectory(openInRoot(tree, '/chain1'), () => 'opened')).toBe('opened');
    });
  });
});

describe('readFileAt: regular files only, capped, nothing followed', () => {
  it('refuses a symlink, a FIFO (without waiting on it) and a directory, naming each', () => {
    const { root, host } = scratch();
    symlinkSync(join(host, 'secret'), join(root, 'link'));
    spawnSync('mkfifo', [join(root, 'fifo')]);
    mkdirSync(join(root, 'dir'));
    opened(root, (tree) => {
      for (const [name, kind] of [
        ['link', `a symlink to ${host}/secret`],
        ['fifo', 'a FIFO'],
        ['dir', 'a directory'],
      ] as const) {
        const error = voltErrorOf(() => readFileAt(tree, name, 1024));
        expect([error.code, error.message]).toEqual([
          'INVALID_PATH',
          expect.stringContaining(`${root}/${name} is ${kind}`),
        ]);
      }
    });
  });

  it('reads a regular file up to the limit and refuses a larger one', () => {
    const { root } = scratch();
    writeFileSync(join(root, 'small'), 'x'.repeat(10));
    opened(root, (tree) => {
      expect(readFileAt(tree, 'small', 10)?.toString()).toBe('x'.repeat(10));
      expect(voltErrorOf(() => readFileAt(tree, 'small', 9)).message).toContain('has 10 bytes');
      expect(readFileAt(tree, 'missing', 10)).toBeUndefined();
    });
  });
});

describe('writing and removing', () => {
  it('a temp file is created exclusively: a symlink at its name is an error and its target is untouched', () => {
    const { root, host } = scratch();
    const name = temporaryName();
    expect(name).toMatch(TEMPORARY_NAME);
    symlinkSync(join(host, 'secret'), join(root, name));
    const error = opened(root, (tree) =>
      voltErrorOf(() => createFileAt(tree, name, Buffer.from('x'), 0o644)),
    );
    expect(error.code).toBe('INVALID_PATH');
    expect(readFileSync(join(host, 'secret'), 'utf8')).toBe('host secret\n');
  });

  it('a rename replaces a symlink at the target instead of writing through it', () => {
    const { root, host } = scratch();
    symlinkSync(join(host, 'secret'), join(root, 'web.nspawn'));
    opened(root, (tree) => {
      const temp = temporaryName();
      createFileAt(tree, temp, Buffer.from('[Exec]\n'), 0o644);
      renameAt(tree, temp, 'web.nspawn');
    });
    expect(lstatSync(join(root, 'web.nspawn')).isFile()).toBe(true);
    expect(readFileSync(join(host, 'secret'), 'utf8')).toBe('host secret\n');
  });

  it('removes only a regular file: a symlink or a directory of that name stays', () => {
    const { root, host } = scratch();
    symlinkSync(join(host, 'secret'), join(root, 'link'));
    mkdirSync(join(root, 'dir'));
    writeFileSync(join(root, 'file'), '');
    opened(root, (tree) => {
      expect([removeFileAt(tree, 'link'), removeFileAt(tree, 'dir'), removeFileAt(tree, 'file')]).toEqual([
        false,
        false,
        true,
      ]);
    });
    expect(lstatSync(join(root, 'link')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(host, 'secret'))).toBe(true);
  });
});
