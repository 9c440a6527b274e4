import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBusyboxRootfs } from './busybox.js';

const scratch = mkdtempSync(join(tmpdir(), 'vc21-busybox-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('createBusyboxRootfs refuses what would be unsafe or cannot work', () => {
  it('refuses a host system tree and a directory that is not empty, and touches neither', async () => {
    await expect(createBusyboxRootfs('/usr/local/box')).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(createBusyboxRootfs('/')).rejects.toMatchObject({ code: 'INVALID_PATH' });
    const used = join(scratch, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'keep'), 'x');
    await expect(createBusyboxRootfs(used)).rejects.toMatchObject({
      code: 'INVALID_PATH',
      message: expect.stringContaining('is not empty (keep)'),
    });
  });

  it('refuses a busybox that is not statically linked, naming the package to install', async () => {
    await expect(
      createBusyboxRootfs(join(scratch, 'dynamic'), { busybox: process.execPath }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      hint: expect.stringContaining('busybox-static'),
    });
    await expect(
      createBusyboxRootfs(join(scratch, 'none'), { busybox: join(scratch, 'no-busybox') }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
