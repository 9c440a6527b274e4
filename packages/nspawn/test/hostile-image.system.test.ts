// Issue 16: a hostile image tree under `--root`, and a hostile container rootfs. Every component Volt
// touches, in turn, is made an absolute symlink, a `..` symlink, a symlink to a host file, a FIFO, a device
// node, or the wrong kind of entry, before `volt apply`, before a re-apply with a changed profile, before
// `volt remove`, before `volt start`'s read-back and before `volt run`'s install; a directory is also swapped
// for a symlink between apply and the next command. A sentinel tree outside the install root must come out
// unchanged (hashed), nothing may be written into the rootfs, and a refusal must be a VoltError naming the
// component. Runs as root (device nodes), in temp directories only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { unwrap, VoltError } from '@volt/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyPlan,
  type IsolationPlan,
  parseIsolation,
  planChanges,
  readInstalledContainer,
  removeContainerFiles,
  renderPlan,
} from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'vtp-hostile-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const helper = join(base, 'volt-landlock');
writeFileSync(helper, '#!/bin/sh\n# a stand-in for the helper\n');
const target = { landlockAbi: 7, landlockHelper: helper } as const;
const render = (document: Record<string, unknown>): IsolationPlan =>
  renderPlan(unwrap(parseIsolation({ name: 'web', network: { mode: 'none' }, ...document })), target);

const TEMPLATE_ROOTFS = 'var/lib/machines/web';
const DIRECT_ROOTFS = 'srv/web';
const workload = { boot: true, workloadUnit: 'app.service', command: ['/usr/bin/app'] };
const first = render(workload);
/** The changed profile of a re-apply: another command, and no Landlock (its files are removed). */
const changed = render({ ...workload, command: ['/usr/bin/other'], landlock: 'none' });
const direct = render({ ...workload, rootfs: `/${DIRECT_ROOTFS}` });

/** Volt's directories under the install root, and its files (both as paths relative to the root). */
const VOLT_DIRECTORIES = [
  'etc',
  'etc/systemd',
  'etc/systemd/nspawn',
  'etc/systemd/system',
  'etc/systemd/system/systemd-nspawn@web.service.d',
  'var',
  'var/lib',
  'var/lib/volt',
  'var/lib/volt/containers',
  'var/lib/volt/containers/web',
  'var/lib/volt/containers/web/runtime',
];
const VOLT_FILES = [
  'etc/systemd/nspawn/web.nspawn',
  'etc/systemd/system/systemd-nspawn@web.service.d/50-volt.conf',
  'var/lib/volt/containers/web/resolv.conf',
  'var/lib/volt/containers/web/landlock.json',
  'var/lib/volt/containers/web/zz-volt-landlock.conf',
  'var/lib/volt/containers/web/manifest.json',
  'var/lib/volt/containers/web/install-journal.json',
  'var/lib/volt/containers/web/runtime/volt-landlock',
  'var/lib/volt/containers/web/runtime/landlock.policy',
];
/** The paths to the rootfs of each route: Volt walks them without following anything. */
const TEMPLATE_ROOTFS_PATH = ['var/lib/machines', TEMPLATE_ROOTFS];
const DIRECT_ROOTFS_PATH = ['srv', DIRECT_ROOTFS];
/** Inside the rootfs, where systemd looks for drop-ins, and where Volt wrote its drop-in before issue 16. */
const IMAGE_DIRECTORIES = [
  'etc',
  'etc/systemd',
  'etc/systemd/system',
  'etc/systemd/system/app.service.d',
  'usr/lib/systemd/system',
];
const IMAGE_FILES = ['etc/systemd/system/app.service.d/50-volt-landlock.conf'];

const FORMS = [
  'absolute symlink',
  '.. symlink',
  'symlink to a host file',
  'FIFO',
  'device node',
  'wrong kind',
] as const;
type Form = (typeof FORMS)[number] | 'swapped for a symlink';

interface Case {
  readonly root: string;
  readonly sentinel: string;
}

let counter = 0;
/**
 * A fresh install root with an image at the template rootfs and at the direct one, and a sentinel tree
 * outside the root holding files of every name Volt uses (so that anything followed out of the root would
 * find something to write, read or delete) and an overriding drop-in (so that a rootfs followed out of
 * itself would be refused for it).
 */
function freshCase(): Case {
  const dir = join(base, `case-${counter++}`);
  const root = join(dir, 'root');
  const sentinel = join(dir, 'sentinel');
  for (const rootfs of [TEMPLATE_ROOTFS, DIRECT_ROOTFS]) {
    mkdirSync(join(root, rootfs, 'usr/lib/systemd/system'), { recursive: true });
    mkdirSync(join(root, rootfs, 'etc/systemd/system/app.service.d'), { recursive: true });
    writeFileSync(join(root, rootfs, 'etc/os-release'), 'ID=vtp\n');
    writeFileSync(
      join(root, rootfs, 'etc/systemd/system/app.service'),
      '[Service]\nExecStart=/usr/bin/app\n',
    );
    writeFileSync(join(root, rootfs, 'etc/systemd/system/app.service.d/10-image.conf'), '[Service]\n');
  }
  mkdirSync(join(sentinel, 'dir/app.service.d'), { recursive: true });
  mkdirSync(join(sentinel, 'dir/runtime'), { recursive: true });
  for (const file of [...VOLT_FILES, ...IMAGE_FILES]) {
    const name = file.split('/').at(-1) as string;
    writeFileSync(join(sentinel, 'dir', name), `sentinel ${name}\n`);
    writeFileSync(join(sentinel, 'dir/runtime', name), `sentinel ${name}\n`);
  }
  writeFileSync(join(sentinel, 'dir/app.service.d/zzz-sentinel.conf'), '[Service]\nExecStart=/host\n');
  writeFileSync(join(sentinel, 'passwd'), 'root:x:0:0:sentinel\n');
  return { root, sentinel };
}

/** Every entry of a tree by relative path: kind, mode, content digest or link target; nothing followed or opened but regular files. */
function hashTree(dir: string): string {
  const lines: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stats = lstatSync(full);
      const what = stats.isFile()
        ? createHash('sha256').update(readFileSync(full)).digest('hex')
        : stats.isSymbolicLink()
          ? `-> ${readlinkSync(full)}`
          : stats.isCharacterDevice() || stats.isBlockDevice()
            ? `dev ${stats.rdev}`
            : '';
      lines.push(`${relative(dir, full)} ${stats.mode.toString(8)} ${what}`);
      if (stats.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Makes `component` (relative to `root`) hostile in the given form; what was there goes. */
function makeHostile(testCase: Case, component: string, form: Form, isDirectory: boolean): void {
  const path = join(testCase.root, component);
  mkdirSync(dirname(path), { recursive: true });
  const into = join(testCase.sentinel, isDirectory ? 'dir' : 'passwd');
  if (form === 'swapped for a symlink') {
    // The directory Volt used moves away (its content copied into the sentinel first, so that a removal
    // or a write through the link would reach files of the same names), and a symlink takes its place.
    cpSync(path, join(testCase.sentinel, 'dir'), { recursive: true });
    renameSync(path, `${path}.moved`);
    symlinkSync(join(testCase.sentinel, 'dir'), path);
    return;
  }
  rmSync(path, { recursive: true, force: true });
  switch (form) {
    case 'absolute symlink':
      symlinkSync(into, path);
      break;
    case '.. symlink':
      symlinkSync(relative(dirname(path), into), path);
      break;
    case 'symlink to a host file':
      symlinkSync(join(testCase.sentinel, 'passwd'), path);
      break;
    case 'FIFO':
      expect(spawnSync('mkfifo', [path]).status).toBe(0);
      break;
    case 'device node':
      // The kind of /dev/zero: reading it never ends.
      expect(spawnSync('mknod', [path, 'c', '1', '5']).status).toBe(0);
      break;
    case 'wrong kind':
      if (isDirectory) writeFileSync(path, 'a file where a directory belongs\n');
      else mkdirSync(path);
      break;
  }
}

type Operation = 'apply' | 're-apply' | 'remove' | 'start' | 'run';
const OPERATIONS: readonly Operation[] = ['apply', 're-apply', 'remove', 'start', 'run'];

/** Installs what must be there before the operation (before the component is made hostile). */
async function prepare(operation: Operation, root: string): Promise<void> {
  if (operation === 're-apply' || operation === 'remove' || operation === 'start')
    await applyPlan(first, { root });
}

async function perform(operation: Operation, root: string): Promise<unknown> {
  switch (operation) {
    case 'apply':
      return applyPlan(first, { root });
    case 're-apply':
      return applyPlan(changed, { root });
    case 'remove':
      return removeContainerFiles('web', { root });
    case 'start':
      return readInstalledContainer('web', { root });
    case 'run':
      return applyPlan(direct, { root, route: 'direct' });
  }
}

/** Runs the operation; its VoltError, or undefined when it succeeded. Any other exception fails. */
async function outcome(operation: Operation, root: string): Promise<VoltError | undefined> {
  try {
    await perform(operation, root);
    return undefined;
  } catch (error) {
    if (VoltError.isInstance(error)) return error;
    throw error;
  }
}

/** Whether a component exists after `prepare`, so that it can be swapped for a symlink. */
function existsAfterPrepare(operation: Operation): boolean {
  return operation !== 'apply' && operation !== 'run';
}

interface Row {
  readonly operation: Operation;
  readonly component: string;
  readonly form: Form;
  readonly isDirectory: boolean;
}

const COMPONENTS: readonly { readonly component: string; readonly isDirectory: boolean }[] = [
  ...VOLT_DIRECTORIES.map((component) => ({ component, isDirectory: true })),
  ...VOLT_FILES.map((component) => ({ component, isDirectory: false })),
  ...[...TEMPLATE_ROOTFS_PATH, ...DIRECT_ROOTFS_PATH].map((component) => ({ component, isDirectory: true })),
  ...IMAGE_DIRECTORIES.map((path) => ({ component: `${TEMPLATE_ROOTFS}/${path}`, isDirectory: true })),
  ...IMAGE_FILES.map((path) => ({ component: `${TEMPLATE_ROOTFS}/${path}`, isDirectory: false })),
];

const ROWS: readonly Row[] = OPERATIONS.flatMap((operation) =>
  COMPONENTS.flatMap(({ component, isDirectory }) =>
    [
      ...FORMS,
      ...(isDirectory && existsAfterPrepare(operation) ? (['swapped for a symlink'] as const) : []),
    ].map((form): Row => ({ operation, component, form, isDirectory })),
  ),
);

/** The files `volt start` parses (the state it does not read, the runtime directory and the journal, it never opens). */
const READ_BY_START = VOLT_FILES.filter(
  (file) =>
    !file.includes('/runtime/') &&
    !file.endsWith('/manifest.json') &&
    !file.endsWith('/install-journal.json'),
);

/**
 * What must happen. A component of Volt's own that the operation uses is refused, by name. Inside the
 * rootfs, lookups stay inside it (what systemd in the container would see), so nothing there is refused,
 * and nothing outside is reached. The rootfs path itself is walked by every operation but remove: apply,
 * re-apply and start walk the template route's, run its own.
 */
function expected({ operation, component }: Row): 'refused' | 'succeeds' {
  if (component.startsWith(`${TEMPLATE_ROOTFS}/`)) return 'succeeds';
  if (TEMPLATE_ROOTFS_PATH.includes(component))
    return operation === 'remove' || operation === 'run' ? 'succeeds' : 'refused';
  if (DIRECT_ROOTFS_PATH.includes(component)) return operation === 'run' ? 'refused' : 'succeeds';
  if (operation !== 'start') return 'refused';
  return READ_BY_START.some((file) => file === component || file.startsWith(`${component}/`))
    ? 'refused'
    : 'succeeds';
}

/** A tree's hash, or what is there when it is not a directory (a hostile `var` can hide the images). */
function hashEntry(path: string): string {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return `unreachable: ${(error as NodeJS.ErrnoException).code}`;
  }
  if (stats === undefined) return 'absent';
  return stats.isDirectory()
    ? hashTree(path)
    : `${stats.mode.toString(8)} ${stats.isSymbolicLink() ? readlinkSync(path) : ''}`;
}

describe('a hostile image tree and rootfs: nothing outside the install root changes, refusals name the path', () => {
  for (const operation of OPERATIONS) {
    describe(operation, () => {
      for (const row of ROWS.filter((candidate) => candidate.operation === operation)) {
        it(`${row.component} as ${row.form}: ${expected(row)}`, async () => {
          const testCase = freshCase();
          await prepare(operation, testCase.root);
          makeHostile(testCase, row.component, row.form, row.isDirectory);
          const sentinel = hashTree(testCase.sentinel);
          const images = [
            hashEntry(join(testCase.root, 'var/lib/machines')),
            hashEntry(join(testCase.root, 'srv')),
          ];
          const error = await outcome(operation, testCase.root);
          expect(hashTree(testCase.sentinel), 'the sentinel tree outside the root').toBe(sentinel);
          expect(
            [hashEntry(join(testCase.root, 'var/lib/machines')), hashEntry(join(testCase.root, 'srv'))],
            'the images: Volt writes nothing into a rootfs',
          ).toEqual(images);
          if (expected(row) === 'succeeds') {
            expect(error?.message).toBeUndefined();
          } else {
            expect(error?.message ?? 'it went through', `${error?.code}`).toContain(
              join(testCase.root, row.component),
            );
          }
        });
      }
    });
  }
});

describe('the findings, as they were reproduced', () => {
  it('finding 1: an image whose /etc/systemd/system is a link to the host unit directory gets nothing written there', async () => {
    const testCase = freshCase();
    const hostUnits = join(testCase.sentinel, 'system');
    mkdirSync(hostUnits);
    writeFileSync(join(hostUnits, 'sshd.service'), '[Service]\nExecStart=/usr/sbin/sshd -D\n');
    const units = join(testCase.root, TEMPLATE_ROOTFS, 'etc/systemd/system');
    rmSync(units, { recursive: true });
    symlinkSync(hostUnits, units);
    const before = hashTree(testCase.sentinel);
    const plan = render({ ...workload, workloadUnit: 'sshd.service' });
    await applyPlan(plan, { root: testCase.root });
    expect(hashTree(testCase.sentinel), 'after apply').toBe(before);
    await applyPlan(render({ ...workload, workloadUnit: 'sshd.service', command: ['/x'] }), {
      root: testCase.root,
    });
    expect(hashTree(testCase.sentinel), 'after a re-apply').toBe(before);
    await removeContainerFiles('web', { root: testCase.root });
    expect(hashTree(testCase.sentinel), 'after remove').toBe(before);
    expect(plan.files.every((file) => !file.path.startsWith('/var/lib/machines/'))).toBe(true);
  });

  it('finding 5: a link to a host file in the rootfs puts none of its content into the dry-run diff', async () => {
    const testCase = freshCase();
    symlinkSync(
      join(testCase.sentinel, 'passwd'),
      join(testCase.root, TEMPLATE_ROOTFS, 'etc/systemd/system/app.service.d/50-volt-landlock.conf'),
    );
    const changes = await planChanges(first, { root: testCase.root });
    expect(JSON.stringify(changes)).not.toContain('sentinel');
  });

  it('finding 5: a FIFO or /dev/zero in the rootfs does not stop apply', async () => {
    const testCase = freshCase();
    const dropIns = join(testCase.root, TEMPLATE_ROOTFS, 'etc/systemd/system/app.service.d');
    spawnSync('mkfifo', [join(dropIns, '50-volt-landlock.conf')]);
    spawnSync('mknod', [join(dropIns, 'zero'), 'c', '1', '5']);
    expect((await applyPlan(first, { root: testCase.root })).length).toBeGreaterThan(0);
  });

  it("finding 5: start believes only Volt's own state, not a drop-in planted in the rootfs", async () => {
    const testCase = freshCase();
    await applyPlan(first, { root: testCase.root });
    const planted = join(testCase.root, TEMPLATE_ROOTFS, 'etc/systemd/system/evil.service.d');
    mkdirSync(planted);
    writeFileSync(
      join(planted, '50-volt-landlock.conf'),
      '[Service]\nExecStart=\nExecStart=/run/volt/volt-landlock --policy /run/volt/landlock.policy -- /evil\n',
    );
    const config = await readInstalledContainer('web', { root: testCase.root });
    expect([config.workloadUnit, config.command]).toEqual(['app.service', ['/usr/bin/app']]);
  });

  it("an image drop-in sorting after Volt's is refused at apply and at start, naming it", async () => {
    const testCase = freshCase();
    await applyPlan(first, { root: testCase.root });
    const override = join(testCase.root, TEMPLATE_ROOTFS, 'usr/lib/systemd/system/app.service.d');
    mkdirSync(override);
    writeFileSync(join(override, 'zzz-override.conf'), '[Service]\nExecStart=\nExecStart=/bin/sh\n');
    // A merged /usr: /lib reaches the same directory, which is named once.
    symlinkSync('usr/lib', join(testCase.root, TEMPLATE_ROOTFS, 'lib'));
    const path = '/usr/lib/systemd/system/app.service.d/zzz-override.conf';
    await expect(readInstalledContainer('web', { root: testCase.root })).rejects.toMatchObject({
      code: 'CONFLICT',
      path: ['rootfs'],
      message: expect.stringMatching(
        /^the image in \/var\/lib\/machines\/web ships \/usr\/lib\/systemd\/system\/app\.service\.d\/zzz-override\.conf, which/,
      ),
    });
    await expect(
      applyPlan(render({ ...workload, command: ['/x'] }), { root: testCase.root }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(path) });
  });
});
