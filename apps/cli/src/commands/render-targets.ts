// `volt render --format oci|kubernetes` and `--only enforcement --target …`: the same profile for the other
// targets, printed or written as files.
import { VoltError } from '@volt/core';
import type { ProfileLayer } from '@volt/nspawn';
import { printData } from '../output.js';

/** The options of `volt render` this module reads. */
export interface TargetOptions {
  readonly format?: string;
  readonly kind?: string;
  readonly image?: string;
  readonly target?: string;
  readonly landlockAbi?: string;
  readonly output?: string;
  readonly only?: string;
  readonly json?: boolean;
}

function usage(message: string, option: string): VoltError {
  return new VoltError('USAGE', message, { path: [option] });
}

/**
 * An option's value, one of `accepted`.
 *
 * @throws {@link VoltError} USAGE naming the option and what it accepts.
 * @example
 * ```ts
 * oneOf('oci', ['nspawn', 'oci', 'kubernetes'], '--target'); // 'oci'
 * ```
 */
export function oneOf<T extends string>(value: string, accepted: readonly T[], option: string): T {
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw usage(`${JSON.stringify(value)} is not accepted; accepted: ${accepted.join(', ')}`, option);
}

/**
 * The value of `--landlock-abi`, checked, or undefined when it is not given.
 *
 * @throws {@link VoltError} USAGE for anything but a whole number from 0 to 99.
 * @example
 * ```ts
 * landlockAbiOption('2'); // 2
 * ```
 */
export function landlockAbiOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const abi = Number(value);
  if (!/^\d{1,2}$/.test(value) || !Number.isInteger(abi)) {
    throw usage(`${JSON.stringify(value)} is not a Landlock ABI; accepted: 0 to 99`, '--landlock-abi');
  }
  return abi;
}

/**
 * Whether `volt render` was asked for another target than the nspawn plan.
 *
 * @example
 * ```ts
 * wantsOtherTarget({ format: 'oci' }); // true
 * ```
 */
export function wantsOtherTarget(options: TargetOptions): boolean {
  return (
    (options.format !== undefined && options.format !== 'nspawn') ||
    options.target !== undefined ||
    options.output !== undefined
  );
}

/**
 * Renders a profile (its layers: the file, what it extends, the flags) for the OCI or Kubernetes target (printed, or written with `--output`), or
 * prints what each of several targets enforces of it (`--only enforcement --target`).
 *
 * @throws {@link VoltError} USAGE for a bad option; the renderers' codes.
 * @example
 * ```ts
 * await renderForTarget(layers, { format: 'kubernetes', image: 'registry.example/web:1' });
 * ```
 */
export async function renderForTarget(
  layers: readonly ProfileLayer[],
  options: TargetOptions,
): Promise<void> {
  const deps = await import('../deps/render-targets.js');
  const format = oneOf(options.format ?? 'nspawn', deps.RENDER_TARGETS, '--format');
  const kind = oneOf(options.kind ?? 'pod', deps.KUBERNETES_KINDS, '--kind');
  if (options.kind !== undefined && format !== 'kubernetes') {
    throw usage('--kind is for --format kubernetes', '--kind');
  }
  if (options.target !== undefined && options.only !== 'enforcement') {
    throw usage('--target compares what targets enforce: use it with --only enforcement', '--target');
  }
  if (options.output !== undefined && format === 'nspawn') {
    throw usage(
      '--output writes an OCI bundle or Kubernetes manifests; volt apply installs the nspawn files',
      '--output',
    );
  }
  const config = deps.isolationFromLayers(layers).isolation;
  const host = await deps.hostOciTarget(options.output ?? '.');
  const landlockAbi = landlockAbiOption(options.landlockAbi) ?? host.landlockAbi;
  const oci = () => deps.renderOciBundle(config, { ...host, landlockAbi });
  const kubernetes = (image: string) =>
    deps.renderKubernetes(config, {
      landlockAbi,
      image,
      kind,
      // a cluster may mix architectures: the profile lists every one Volt knows
      architectures: deps.SECCOMP_ARCHES,
    });
  const image = (): string => {
    if (options.image === undefined) {
      throw usage(
        '--format kubernetes needs --image: the container image that runs the command and holds the Landlock helper',
        '--image',
      );
    }
    return options.image;
  };

  if (options.only === 'enforcement') {
    const targets =
      options.target === undefined || options.target === 'all'
        ? options.target === 'all'
          ? [...deps.RENDER_TARGETS]
          : [format]
        : options.target.split(',').map((name) => oneOf(name, deps.RENDER_TARGETS, '--target'));
    const reports = await Promise.all(
      targets.map(
        async (target) =>
          (
            await deps.enforcementOnHost(layers, target, {
              landlockAbi,
              ...(options.image === undefined ? {} : { image: options.image }),
            })
          ).report,
      ),
    );
    printData(reports, options.json === true, () => deps.formatEnforcementByTarget(reports));
    return;
  }
  if (options.only !== undefined) throw usage('--only is for the nspawn plan, or enforcement', '--only');

  if (format === 'oci') {
    const bundle = oci();
    if (options.output === undefined) {
      printData(bundle.config, true, () => '');
      return;
    }
    await deps.writeOciBundle(bundle);
    printData(
      { bundle: host.bundle, files: bundle.files.map((file) => file.path) },
      options.json === true,
      () =>
        [
          `wrote the OCI bundle ${host.bundle}:`,
          ...bundle.files.map((file) => `  ${file.path}  ${file.purpose}`),
          `run it: crun run --bundle ${host.bundle} ${config.name}   (or runc run --bundle …)`,
          '',
        ].join('\n'),
    );
    return;
  }
  const manifests = kubernetes(image());
  if (options.output === undefined) {
    if (options.json === true) printData(manifests, true, () => '');
    else process.stdout.write(await deps.formatKubernetesManifests(manifests));
    return;
  }
  const files = await deps.kubernetesFiles(manifests, options.output, config.name, host.landlockHelper ?? '');
  await deps.writePlannedFiles(files);
  printData({ files: files.map((file) => file.path) }, options.json === true, () =>
    [`wrote:`, ...files.map((file) => `  ${file.path}  ${file.purpose}`), ''].join('\n'),
  );
}
