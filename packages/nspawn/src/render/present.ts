import { VoltError } from '@volt/core';
import { loadProfileDocument, safeParseProfile } from '@volt/core/profile';
import { landlockHelperPath, probeLandlock } from '@volt/landlock';
import { leaseContainerAddress } from '@volt/netns';
import {
  type IsolationPlan,
  type PlannedFile,
  type PlanTarget,
  planEnforcesLandlock,
  renderPlan,
} from './plan.js';
import { isolationFromProfile } from './resolve.js';

/** The artifacts of a plan that can be printed on their own. */
export const PLAN_ARTIFACTS = ['args', 'nspawn', 'dropin', 'resolv', 'files', 'enforcement'] as const;
/** One printable artifact. */
export type PlanArtifact = (typeof PLAN_ARTIFACTS)[number];

/** The name used when neither the profile nor the caller names the container. */
export const DEMO_CONTAINER_NAME = 'demo';

/**
 * Facts about this host for {@link renderPlan}: its Landlock ABI and the helper binary's path.
 *
 * @example
 * ```ts
 * const target = await hostPlanTarget(); // { landlockAbi: 7, landlockHelper: '/…/volt-landlock' }
 * ```
 */
export async function hostPlanTarget(): Promise<PlanTarget> {
  const landlockHelper = landlockHelperPath();
  return { landlockAbi: (await probeLandlock(landlockHelper)).abi, landlockHelper };
}

/**
 * Validates an untrusted profile document, fills the defaults and renders the plan for this host. With
 * `leaseAddress`, a private container gets (or keeps) its address on the bridge: that writes the lease.
 *
 * @throws {@link VoltError} the first problem in the document (every code of the profile schema), or a
 *   rendering error.
 * @example
 * ```ts
 * const plan = await renderPlanFromDocument({ name: 'web', network: { mode: 'none' } });
 * ```
 */
export async function renderPlanFromDocument(
  document: unknown,
  options: { readonly target?: PlanTarget; readonly leaseAddress?: boolean } = {},
): Promise<IsolationPlan> {
  const named =
    typeof document === 'object' && document !== null && !('name' in document)
      ? { ...document, name: DEMO_CONTAINER_NAME }
      : document;
  const profile = safeParseProfile(named);
  if (!profile.ok) throw profile.error;
  const config = isolationFromProfile(profile.value);
  // Probe the kernel only when the plan enforces Landlock (a booting container without a workload unit
  // does not), so a command loads and runs only what it needs.
  const target =
    options.target ?? (planEnforcesLandlock(config) ? await hostPlanTarget() : { landlockAbi: 0 });
  if (
    options.leaseAddress === true &&
    config.network.mode === 'private' &&
    target.containerAddress === undefined
  ) {
    const lease = await leaseContainerAddress(config.name, config.network);
    if (lease.address !== null) return renderPlan(config, { ...target, containerAddress: lease.address });
  }
  return renderPlan(config, target);
}

/**
 * Reads a profile file (YAML or JSON) as a document, for {@link renderPlanFromDocument}.
 *
 * @throws {@link VoltError} NOT_FOUND when the file cannot be read, PARSE_ERROR when it is not YAML/JSON.
 * @example
 * ```ts
 * const plan = await renderPlanFromDocument(await readProfileDocument('web.yaml'));
 * ```
 */
export async function readProfileDocument(file: string): Promise<unknown> {
  // Loaded here, not with the module: `volt render` without a profile file never reads one.
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new VoltError('NOT_FOUND', `the profile ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return loadProfileDocument(text, file);
}

function fileContentForJson(file: PlannedFile): Record<string, unknown> {
  const { content } = file;
  if ('text' in content) return { text: content.text };
  if ('copyOf' in content) return { copyOf: content.copyOf };
  return { base64: Buffer.from(content.bytes).toString('base64') };
}

/**
 * A plan as plain JSON data (binary file contents as base64).
 *
 * @example
 * ```ts
 * JSON.stringify(planToJson(plan));
 * ```
 */
export function planToJson(plan: IsolationPlan): Record<string, unknown> {
  return {
    name: plan.config.name,
    config: plan.config,
    direct: plan.direct,
    nspawnFile: plan.nspawnFile,
    serviceDropIn: plan.serviceDropIn,
    properties: plan.properties,
    files: plan.files.map((file) => ({
      path: file.path,
      mode: file.mode.toString(8),
      purpose: file.purpose,
      ...fileContentForJson(file),
    })),
    enforcement: plan.enforcement,
  };
}

function shellQuote(argument: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}

function describeFile(file: PlannedFile): string {
  const { content } = file;
  const what =
    'text' in content
      ? `${content.text.length} bytes`
      : 'bytes' in content
        ? `${content.bytes.length} bytes`
        : `copy of ${content.copyOf}`;
  return `${file.path}  (${file.mode.toString(8)}, ${what}) ${file.purpose}`;
}

/**
 * One artifact of a plan as text (or JSON with `json`).
 *
 * @throws {@link VoltError} USAGE for an unknown artifact name.
 * @example
 * ```ts
 * formatPlanArtifact(plan, 'nspawn', false); // the .nspawn file
 * ```
 */
export function formatPlanArtifact(plan: IsolationPlan, artifact: string, json: boolean): string {
  const data = planToJson(plan);
  const pick: Record<PlanArtifact, () => [unknown, string]> = {
    args: () => [
      plan.direct,
      `${[...Object.entries(plan.direct.environment).map(([k, v]) => `${k}=${v}`), ...plan.direct.argv].map(shellQuote).join(' ')}\n`,
    ],
    nspawn: () => [plan.nspawnFile, plan.nspawnFile],
    dropin: () => [plan.serviceDropIn, plan.serviceDropIn],
    resolv: () => {
      const file = plan.files.find((candidate) => candidate.path.endsWith('/resolv.conf'));
      const text = file !== undefined && 'text' in file.content ? file.content.text : '';
      return [text, text];
    },
    files: () => [data['files'], `${plan.files.map(describeFile).join('\n')}\n`],
    enforcement: () => [
      plan.enforcement,
      `${plan.enforcement.map((entry) => `${entry.layer}: ${entry.status} (${entry.detail})`).join('\n')}\n`,
    ],
  };
  if (!Object.hasOwn(pick, artifact)) {
    throw new VoltError(
      'USAGE',
      `${JSON.stringify(artifact)} is not an artifact; accepted: ${PLAN_ARTIFACTS.join(', ')}`,
      {
        path: ['--only'],
      },
    );
  }
  const [value, text] = pick[artifact as PlanArtifact]();
  return json ? `${JSON.stringify(value, null, 2)}\n` : text;
}

/**
 * The whole plan as text for a terminal: both routes, every file, and what each layer enforces.
 *
 * @example
 * ```ts
 * process.stdout.write(formatPlan(plan));
 * ```
 */
export function formatPlan(plan: IsolationPlan): string {
  const section = (title: string, body: string) => `## ${title}\n\n${body.trimEnd()}\n`;
  return [
    `# Isolation plan for ${plan.config.name}\n`,
    section('Enforcement', formatPlanArtifact(plan, 'enforcement', false)),
    section('Route 1: systemd-nspawn directly (volt run)', formatPlanArtifact(plan, 'args', false)),
    section(`Route 2: ${plan.files[0]?.path ?? '.nspawn file'}`, plan.nspawnFile),
    section(`Route 2: ${plan.files[1]?.path ?? 'service drop-in'}`, plan.serviceDropIn),
    section('resolv.conf', formatPlanArtifact(plan, 'resolv', false)),
    section('Files installed by volt apply', formatPlanArtifact(plan, 'files', false)),
  ].join('\n');
}
