import { formatInputPath, VoltError } from '@volt/core';
import type { MergeReport, YieldedDefault } from '../model/isolation.js';
import { describeSource } from '../model/layers.js';
import type { IsolationPlan, PlannedFile } from './plan.js';

/** The artifacts of a plan that can be printed on their own. */
export const PLAN_ARTIFACTS = ['args', 'nspawn', 'dropin', 'resolv', 'files', 'enforcement'] as const;
/** One printable artifact. */
export type PlanArtifact = (typeof PLAN_ARTIFACTS)[number];

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

/**
 * Where each value of a composed profile came from, as text (`volt render --explain-merge`): the layers,
 * lowest first; one line per final value with its source; then the defaults that gave way, each with the
 * values it gave way to and why.
 *
 * @example
 * ```ts
 * const composed = composeIsolation([{ source: { kind: 'profile' }, document: { name: 'web', resources: { memory: { max: '48M' } } } }]);
 * composed.ok && formatMergeReport(composed.value.merge);
 * // layers, lowest first: default, profile
 * // ...
 * // resources.memory.max   "48M"   profile
 * // ...
 * // defaults that gave way:
 * //   resources.memory.high "1G" gave way to resources.memory.max "48M" (profile); together: CONFLICT at ...
 * ```
 */
export function formatMergeReport(report: MergeReport): string {
  const rows = report.values.map((value) => [
    formatInputPath(value.path),
    JSON.stringify(value.value),
    describeSource(value.source),
  ]);
  const width = (column: number) => Math.max(0, ...rows.map((row) => (row[column] ?? '').length));
  const [pathWidth, valueWidth] = [width(0), Math.min(width(1), 48)];
  // Volt's defaults may come in more than one layer (the demo name of a profile that names none).
  const layers = report.layers.map(describeSource).filter((name, index, all) => name !== all[index - 1]);
  const lines = [
    `layers, lowest first: ${layers.join(', ')}`,
    '',
    ...rows.map(([path = '', value = '', source = '']) =>
      `${path.padEnd(pathWidth)}  ${value.padEnd(valueWidth)}  ${source}`.trimEnd(),
    ),
  ];
  if (report.yielded.length > 0)
    lines.push('', 'defaults that gave way:', formatYieldedDefaults(report.yielded));
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * The defaults that gave way to a profile's values, one line each: the default, the values it gave way to
 * with their sources, and the conflict the two would have made.
 *
 * @example
 * ```ts
 * formatYieldedDefaults(composed.merge.yielded);
 * // '  resources.memory.high "1G" gave way to resources.memory.max "48M" (profile); together: CONFLICT at
 * //  resources.memory.high: MemoryHigh (1073741824 bytes) is above MemoryMax (50331648 bytes) (hint: ...)\n'
 * ```
 */
export function formatYieldedDefaults(yielded: readonly YieldedDefault[]): string {
  return yielded
    .map((entry) => {
      const to = entry.yieldedTo
        .map(
          (value) =>
            `${formatInputPath(value.path)} ${JSON.stringify(value.value)} (${describeSource(value.source)})`,
        )
        .join(', ');
      return `  ${formatInputPath(entry.path)} ${JSON.stringify(entry.value)} gave way to ${to}; together: ${entry.conflict}\n`;
    })
    .join('');
}
