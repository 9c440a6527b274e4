import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type IsolationPlan, parseIsolation, recoverInstall, renderPlan } from '../src/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'vtp-crash-'));
const helper = join(scratch, 'volt-landlock');
writeFileSync(helper, 'a stand-in for the helper binary\n'.repeat(65536));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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
  renderPlan(unwrap(parseIsolation(document)), target),
);

const CHILD_PRELUDE = `
const { applyPlan, renderPlan, parseIsolation } = await import(process.env.VOLT_NSPAWN);
const documents = JSON.parse(process.env.VOLT_DOCUMENTS);
const target = { landlockAbi: 7, landlockHelper: process.env.VOLT_HELPER };
const plans = documents.map((d) => { const c = parseIsolation(d); if (!c.ok) throw c.error; return renderPlan(c.value, target); });
`;

/** A child that applies one of the two plans once (argv: its index). */
const APPLY_ONCE = `${CHILD_PRELUDE}
await applyPlan(plans[Number(process.argv[1])], { root: process.env.VOLT_ROOT });
`;

/**
 * A child that installs plan argv[1] (or nothing for -1), then applies plan argv[2] and kills itself with
 * SIGKILL just before its argv[3]-th file-system call of that apply (0: never; it then prints how many
 * calls the apply made). The calls are the real ones of node:fs (the installer's calls are synchronous and
 * relative to directory descriptors), counted through the builtin module's live bindings; only the moment
 * of death is chosen, the install itself is the product's code. Only the calls that can change the disk
 * are crash points (an open only with O_CREAT): a death before a read, a stat, a close or an open of what
 * exists leaves the same disk as one before the next change.
 */
const APPLY_AND_DIE = `
const fs = process.getBuiltinModule('node:fs');
const { syncBuiltinESMExports } = process.getBuiltinModule('node:module');
const [from, to, killAt] = process.argv.slice(1).map(Number);
let counting = false;
let calls = 0;
for (const name of ['openSync', 'mkdirSync', 'writeSync', 'fsyncSync', 'fchmodSync', 'renameSync', 'unlinkSync', 'rmdirSync']) {
  const original = fs[name];
  fs[name] = (...args) => {
    const changes = name !== 'openSync' || (args[1] & fs.constants.O_CREAT) !== 0;
    if (counting && changes && ++calls === killAt) process.kill(process.pid, 'SIGKILL');
    return original(...args);
  };
}
syncBuiltinESMExports();
${CHILD_PRELUDE}
if (from >= 0) await applyPlan(plans[from], { root: process.env.VOLT_ROOT });
counting = true;
await applyPlan(plans[to], { root: process.env.VOLT_ROOT });
process.stdout.write(String(calls));
`;

/** A child that applies the two plans in turn until it is killed; it says when it is about to start. */
const APPLY_FOREVER = `${CHILD_PRELUDE}
process.stdout.write('ready\\n');
for (let i = 0; ; i++) await applyPlan(plans[i % 2], { root: process.env.VOLT_ROOT });
`;

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const allPaths = [...new Set(plans.flatMap((plan) => plan.files.map((file) => file.path)))].sort();

/** What is installed now under `root`: a short digest per file, null where there is none. */
function installedSet(root: string): Record<string, string | null> {
  return Object.fromEntries(
    allPaths.map((path) => [
      path,
      existsSync(join(root, path)) ? digest(readFileSync(join(root, path))) : null,
    ]),
  );
}

/** What a plan installs (nothing for undefined), in the same form. */
function plannedSet(plan: IsolationPlan | undefined): Record<string, string | null> {
  return Object.fromEntries(
    allPaths.map((path) => {
      const file = plan?.files.find((candidate) => candidate.path === path);
      if (file === undefined) return [path, null];
      const { content } = file;
      if ('text' in content) return [path, digest(Buffer.from(content.text))];
      if ('bytes' in content) return [path, digest(Buffer.from(content.bytes))];
      return [path, digest(readFileSync(content.copyOf))];
    }),
  );
}

interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
}

function childEnvironment(root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    VOLT_ROOT: root,
    VOLT_HELPER: helper,
    VOLT_DOCUMENTS: JSON.stringify(documents),
    VOLT_NSPAWN: new URL('../dist/index.js', import.meta.url).href,
  };
}

function runChild(script: string, args: readonly number[], root: string): Promise<ChildResult> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args.map(String)], {
    env: childEnvironment(root),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout })));
}

/** Starts APPLY_FOREVER and SIGKILLs it `delayMs` after it is ready. */
async function killAfter(delayMs: number, root: string): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', APPLY_FOREVER], {
    env: childEnvironment(root),
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

function temporaryLeftovers(root: string): string[] {
  return allPaths
    .map((path) => join(root, path, '..'))
    .filter((directory) => existsSync(directory))
    .flatMap((directory) =>
      readdirSync(directory).filter((entry) => /^\.volt-[0-9a-f]{32}\.tmp$/.test(entry)),
    );
}

describe('two volt apply processes on one container at once', () => {
  it('end in one consistent state, every time (10 rounds)', async () => {
    const root = mkdtempSync(join(scratch, 'root-'));
    const consistent = plans.map(plannedSet);
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([
        runChild(APPLY_ONCE, [round % 2], root),
        runChild(APPLY_ONCE, [(round + 1) % 2], root),
      ]);
      expect(results.map((result) => result.code)).toEqual([0, 0]);
      expect(consistent).toContainEqual(installedSet(root));
    }
  }, 180_000);
});

describe('an install killed before each of its file-system calls', () => {
  const transitions = [
    { from: -1, to: 0, name: 'first install' },
    { from: 0, to: 1, name: 'a change of every file and a removal' },
    { from: 1, to: 0, name: 'a change back, re-creating the removed files' },
  ] as const;

  it.each(transitions)(
    '$name: every crash point leaves the old set or, after recovery, the new one',
    async ({ from, to }) => {
      const before = plannedSet(plans[from]);
      const after = plannedSet(plans[to]);
      const complete = await runChild(APPLY_AND_DIE, [from, to, 0], mkdtempSync(join(scratch, 'root-')));
      expect(complete.code).toBe(0);
      const calls = Number(complete.stdout);
      expect(calls).toBeGreaterThan(10);

      const outcomes = { 'rolled-forward': 0, 'rolled-back': 0, clean: 0 };
      for (let killAt = 1; killAt <= calls; killAt++) {
        const root = mkdtempSync(join(scratch, 'root-'));
        const killed = await runChild(APPLY_AND_DIE, [from, to, killAt], root);
        expect(killed.signal, `the child should die before call ${killAt} of ${calls}`).toBe('SIGKILL');
        // The dead holder's lock would be taken over once stale (10 s); the test knows the holder is dead.
        rmSync(join(root, 'var/lib/volt/containers/web/.lock'), { recursive: true, force: true });
        const outcome = await recoverInstall('web', { root });
        outcomes[outcome]++;
        const installed = installedSet(root);
        const context = `after a kill before call ${killAt} of ${calls}, ${outcome}`;
        if (outcome === 'rolled-forward') expect(installed, context).toEqual(after);
        else expect([before, after], context).toContainEqual(installed);
        expect(temporaryLeftovers(root)).toEqual([]);
        rmSync(root, { recursive: true, force: true });
      }
      console.log(`${calls} crash points: ${JSON.stringify(outcomes)}`);
      expect(outcomes['rolled-forward']).toBeGreaterThan(0);
      expect(outcomes['rolled-back']).toBeGreaterThan(0);
    },
    180_000,
  );
});

describe('an install killed at random moments', () => {
  // Where the kills land depends on timing; the test above covers every crash point for certain. This one
  // adds kills of a process that applies again and again, as a real one would be killed.
  it('never leaves a partial or mixed set of files (40 kills)', async () => {
    const root = mkdtempSync(join(scratch, 'root-'));
    const outcomes = { 'rolled-forward': 0, 'rolled-back': 0, clean: 0 };
    const consistent = [plannedSet(undefined), ...plans.map(plannedSet)];
    for (let round = 0; round < 40; round++) {
      await killAfter(Math.floor(Math.random() * 80), root);
      rmSync(join(root, 'var/lib/volt/containers/web/.lock'), { recursive: true, force: true });
      outcomes[await recoverInstall('web', { root })]++;
      expect(consistent).toContainEqual(installedSet(root));
      expect(temporaryLeftovers(root)).toEqual([]);
    }
    console.log(`recoveries after 40 random kills: ${JSON.stringify(outcomes)}`);
  }, 180_000);
});
