import { readFile } from 'node:fs/promises';
import { VoltError } from '@volt/core';
import { landlockHelperPath } from '@volt/landlock';
import { type IsolationPlan, type PlannedFile, type PlanTarget, renderPlanFromDocument } from '@volt/nspawn';
import type { BenchSpec, CheckSpec, PlanFile } from './checks.js';

/**
 * The Landlock ABI of the VM's kernel: Debian bookworm's 6.1 has ABI 2 (REFER; TRUNCATE came with 6.2).
 * Plans are rendered on the host for that kernel, not for the host's own.
 */
export const GUEST_LANDLOCK_ABI = 2;

/**
 * What the plans are rendered for: the guest's Landlock ABI and the host's helper binary (its bytes
 * travel into the VM with the plan's files).
 *
 * @example
 * ```ts
 * guestPlanTarget(); // { landlockAbi: 2, landlockHelper: '…/packages/landlock/dist/volt-landlock' }
 * ```
 */
export function guestPlanTarget(): PlanTarget {
  return { landlockAbi: GUEST_LANDLOCK_ABI, landlockHelper: landlockHelperPath() };
}

async function planFile(file: PlannedFile): Promise<PlanFile> {
  const { content } = file;
  const bytes =
    'text' in content
      ? Buffer.from(content.text, 'utf8')
      : 'bytes' in content
        ? Buffer.from(content.bytes)
        : await readFile(content.copyOf);
  return { path: file.path, mode: file.mode, base64: bytes.toString('base64') };
}

/**
 * The check with its plan taken from a rendered {@link IsolationPlan}: the direct argv, its environment
 * and every file for the `run` route (what `volt run` installs and starts), every file for the
 * `template` route (what `volt apply` installs before `volt start`).
 *
 * @example
 * ```ts
 * const rendered = await checkWithPlan(check, await renderPlanFromDocument(check.profile, { target }));
 * rendered.plan.argv?.[0]; // 'systemd-nspawn'
 * ```
 */
export async function checkWithPlan(check: CheckSpec, plan: IsolationPlan): Promise<CheckSpec> {
  const files = await Promise.all(plan.files.map(planFile));
  return {
    ...check,
    plan:
      check.route === 'run'
        ? { argv: plan.direct.argv, environment: plan.direct.environment, files }
        : { files },
  };
}

/**
 * Renders every `run` or `template` check that carries a profile with @volt/nspawn (the same code
 * `volt run` and `volt apply` use) for the guest; checks with a hand-written plan, and the volt routes
 * (the CLI renders inside the VM), pass through unchanged.
 *
 * @example
 * ```ts
 * const checks = await renderCheckPlans(await loadChecks('e2e/checks'));
 * ```
 * @throws VoltError whatever code the profile schema or the renderer raises, for the first bad profile.
 */
export async function renderCheckPlans(
  checks: readonly CheckSpec[],
  target: PlanTarget = guestPlanTarget(),
): Promise<readonly CheckSpec[]> {
  const rendered: CheckSpec[] = [];
  for (const check of checks) {
    if (check.profile === undefined || check.route === 'volt-run' || check.route === 'volt-apply') {
      rendered.push(check);
      continue;
    }
    const plan = await renderPlanFromDocument(check.profile, {
      target:
        check.containerAddress === undefined
          ? target
          : { ...target, containerAddress: check.containerAddress },
    });
    rendered.push(await checkWithPlan(check, plan));
  }
  return rendered;
}

/**
 * Reads the benchmark description (name, machine, profile, payload, marker, rounds) and renders its
 * profile for the guest: the plain systemd-nspawn side runs exactly the argv and environment that
 * `volt run` computes for the same profile.
 *
 * @example
 * ```ts
 * const bench = await loadBench('e2e/bench/start.json');
 * bench.plainArgv[0]; // 'systemd-nspawn'
 * ```
 * @throws VoltError `PARSE_ERROR` for a file that is not a bench description, or the renderer's code.
 */
export async function loadBench(file: string, target: PlanTarget = guestPlanTarget()): Promise<BenchSpec> {
  const data = JSON.parse(await readFile(file, 'utf8')) as Partial<BenchSpec>;
  const { name, machine, profile, payload, marker, rounds } = data;
  if (
    typeof name !== 'string' ||
    typeof machine !== 'string' ||
    !machine.startsWith('vtv') ||
    typeof profile !== 'object' ||
    profile === null ||
    profile['name'] !== machine ||
    typeof payload !== 'string' ||
    typeof marker !== 'string' ||
    typeof rounds !== 'number' ||
    !Number.isInteger(rounds) ||
    rounds < 1
  ) {
    throw new VoltError('PARSE_ERROR', `${file} is not a bench description`, {
      hint: 'name, machine (vtv…), profile (named machine), payload, marker and rounds (≥ 1) are required',
    });
  }
  const plan = await renderPlanFromDocument(profile, { target });
  return {
    name,
    machine,
    profile,
    payload,
    marker,
    rounds,
    plainArgv: plan.direct.argv,
    plainEnvironment: plan.direct.environment,
  };
}
