import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfile } from '@volt/core/profile';
import { afterAll, describe, expect, it } from 'vitest';
import { type IsolationPlan, isolationFromProfile, recoverInstall, renderPlan } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'vtp-crash-'));
const helper = join(mkdtempSync(join(tmpdir(), 'vtp-helper-')), 'volt-landlock');
writeFileSync(helper, 'a stand-in for the helper binary\n'.repeat(65536));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(join(helper, '..'), { recursive: true, force: true });
});

const target = { landlockAbi: 7, landlockHelper: helper } as const;
const documents = [
  { name: 'web', boot: false, command: ['/usr/bin/app'] },
  {
    name: 'web',
    boot: false,
    command: ['/usr/bin/app', '--other'],
    network: { mode: 'none' },
    landlock: 'none',
    readOnlyRoot: true,
  },
] as const;
const plans: IsolationPlan[] = documents.map((document) =>
  renderPlan(isolationFromProfile(parseProfile(document)), target),
);

/** A child that applies one of the two plans once (argv: its index). */
const APPLY_ONCE = `
const { applyPlan, renderPlan, isolationFromProfile } = await import(process.env.VOLT_NSPAWN);
const { parseProfile } = await import(process.env.VOLT_CORE_PROFILE);
const documents = JSON.parse(process.env.VOLT_DOCUMENTS);
const target = { landlockAbi: 7, landlockHelper: process.env.VOLT_HELPER };
const plan = renderPlan(isolationFromProfile(parseProfile(documents[Number(process.argv[1])])), target);
await applyPlan(plan, { root: process.env.VOLT_ROOT });
`;

/** A child that applies the two plans in turn, forever, until it is killed. */
const CHILD = `
const { applyPlan, renderPlan, isolationFromProfile } = await import(process.env.VOLT_NSPAWN);
const { parseProfile } = await import(process.env.VOLT_CORE_PROFILE);
const documents = JSON.parse(process.env.VOLT_DOCUMENTS);
const target = { landlockAbi: 7, landlockHelper: process.env.VOLT_HELPER };
const plans = documents.map((d) => renderPlan(isolationFromProfile(parseProfile(d)), target));
process.stdout.write('ready\\n');
for (let i = 0; ; i++) await applyPlan(plans[i % 2], { root: process.env.VOLT_ROOT });
`;

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const allPaths = [...new Set(plans.flatMap((plan) => plan.files.map((file) => file.path)))].sort();

/** What is installed now: a short digest per file, null where there is none. */
function installedSet(): Record<string, string | null> {
  return Object.fromEntries(
    allPaths.map((path) => [
      path,
      existsSync(join(root, path)) ? digest(readFileSync(join(root, path))) : null,
    ]),
  );
}

/** What a plan installs, in the same form. */
function plannedSet(plan: IsolationPlan): Record<string, string | null> {
  return Object.fromEntries(
    allPaths.map((path) => {
      const file = plan.files.find((candidate) => candidate.path === path);
      if (file === undefined) return [path, null];
      const { content } = file;
      if ('text' in content) return [path, digest(Buffer.from(content.text))];
      if ('bytes' in content) return [path, digest(Buffer.from(content.bytes))];
      return [path, digest(readFileSync(content.copyOf))];
    }),
  );
}

function childEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    VOLT_ROOT: root,
    VOLT_HELPER: helper,
    VOLT_DOCUMENTS: JSON.stringify(documents),
    VOLT_NSPAWN: new URL('../dist/index.js', import.meta.url).href,
    VOLT_CORE_PROFILE: import.meta.resolve('@volt/core/profile'),
  };
}

function applyInChild(index: number): Promise<number | null> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', APPLY_ONCE, String(index)], {
    env: childEnvironment(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function killAtRandom(delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: childEnvironment(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the installing child exited early (${code})`)));
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('two volt apply processes on one container at once', () => {
  it('end in one consistent state, every time (10 rounds)', async () => {
    const consistent = plans.map(plannedSet);
    for (let round = 0; round < 10; round++) {
      const codes = await Promise.all([applyInChild(round % 2), applyInChild((round + 1) % 2)]);
      expect(codes).toEqual([0, 0]);
      expect(consistent).toContainEqual(installedSet());
    }
  }, 180_000);
});

describe('an install killed at random points', () => {
  it('never leaves a partial or mixed set of files (40 kills)', async () => {
    const outcomes = { 'rolled-forward': 0, 'rolled-back': 0, clean: 0 };
    const nothingInstalled = Object.fromEntries(allPaths.map((path) => [path, null]));
    const consistent = [nothingInstalled, ...plans.map(plannedSet)];
    for (let round = 0; round < 40; round++) {
      await killAtRandom(Math.floor(Math.random() * 80));
      // The killed holder's lock would be taken over once stale (10 s); the test knows the holder is dead.
      rmSync(join(root, 'var/lib/volt/containers/web/.lock'), { recursive: true, force: true });
      outcomes[await recoverInstall('web', { root })]++;
      expect(consistent).toContainEqual(installedSet());
      const settingsDir = join(root, 'etc/systemd/nspawn');
      const leftovers = existsSync(settingsDir)
        ? readdirSync(settingsDir).filter((entry) => entry.includes('.volt-tmp-'))
        : [];
      expect(leftovers).toEqual([]);
    }
    console.log(`recoveries after 40 kills: ${JSON.stringify(outcomes)}`);
    expect(outcomes['rolled-forward'] + outcomes['rolled-back']).toBeGreaterThan(0);
  }, 180_000);
});
