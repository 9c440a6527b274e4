// The first container of the README, for real: `volt rootfs busybox DIR` (createBusyboxRootfs) and the
// plan examples/hello.yaml renders on this host, installed and run by the real systemd-nspawn the safe way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfileDocument } from '@volt/core/profile';
import { afterAll, describe, expect, it } from 'vitest';
import { createBusyboxRootfs } from '../src/host/busybox.js';
import { renderPlanFromDocument } from '../src/host/document.js';
import { applyPlan, removeContainerFiles } from '../src/host/install.js';
import { runPlanSafely } from './real-nspawn.js';

const MACHINE = 'vc21-hello';
const base = mkdtempSync(join(tmpdir(), 'vc21-hello-'));
afterAll(async () => {
  await removeContainerFiles(MACHINE);
  rmSync(base, { recursive: true, force: true });
});

describe('examples/hello.yaml in a busybox root, under every layer (needs root)', () => {
  it('runs, and each layer does what the plan says it enforces', async () => {
    const rootfs = join(base, 'root');
    const made = await createBusyboxRootfs(rootfs);
    expect(made.applets).toBeGreaterThan(100);
    const example = readFileSync(new URL('../../../examples/hello.yaml', import.meta.url), 'utf8');
    const document = (await loadProfileDocument(example)) as Record<string, unknown>;
    const plan = await renderPlanFromDocument({ ...document, name: MACHINE, rootfs });
    expect(plan.enforcement.map((entry) => [entry.layer, entry.status])).toEqual([
      ['landlock', expect.stringMatching(/^(partially-)?enforced$/)],
      ['seccomp', 'enforced'],
      ['resources', 'enforced'],
      ['network', 'enforced'],
      ['users', 'enforced'],
      ['root', 'enforced'],
    ]);
    await applyPlan(plan, { route: 'direct' });
    const run = runPlanSafely(plan.direct.argv.slice(1), plan.direct.environment, MACHINE);
    expect(run.output).toMatch(new RegExp(`^hello from ${MACHINE}, uid 0 in a private user namespace$`, 'm'));
    expect(run.output).toMatch(/^writing \/tmp: allowed$/m);
    expect(run.output).toMatch(/^\/bin\/sh: can't create \/etc\/hello: Read-only file system$/m);
    expect(run.output).toMatch(/^mount: denied \(seccomp strict\)$/m);
    expect(run.output).toMatch(/^network links: lo$/m);
    expect(run.output).toMatch(/^volt-landlock: Landlock: (partially|fully) enforced on this kernel/m);
    expect(run.status).toBe(0);
  });
});
