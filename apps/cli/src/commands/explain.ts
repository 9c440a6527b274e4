import type { Command } from 'commander';
import { painter, printData, STATUS_STYLES, suggestingValidate } from '../output.js';
import { landlockAbiOption, oneOf } from './render-targets.js';

interface ExplainOptions {
  readonly target?: string;
  readonly landlockAbi?: string;
  readonly image?: string;
  readonly json?: boolean;
}

/** Each target in words. */
const TARGET_WORDS: Readonly<Record<string, string>> = {
  nspawn: 'systemd-nspawn',
  oci: 'an OCI runtime (crun, runc)',
  kubernetes: 'Kubernetes',
};

/**
 * Registers `volt explain FILE`: what a profile isolates and how, layer by layer, for this host or another
 * target, from the report the renderer of that target makes.
 *
 * @example
 * ```ts
 * registerExplainCommands(new Command('volt')); // then: volt explain web.yaml --target oci
 * ```
 */
export function registerExplainCommands(program: Command): void {
  program
    .command('explain')
    .description(
      'what a profile enforces, layer by layer: enforced, partially (what is dropped and why) or not enforced',
    )
    .argument('<file>', 'profile file (YAML or JSON)')
    .option('--target <target>', 'nspawn (this host, the default), oci or kubernetes')
    .option('--landlock-abi <n>', 'the Landlock ABI of the kernels to explain for (default: this host)')
    .option('--image <ref>', 'with --target kubernetes: the image named in the manifests')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: ExplainOptions) => {
      const deps = await import('../deps/explain.js');
      const target = oneOf(options.target ?? 'nspawn', deps.RENDER_TARGETS, '--target');
      const landlockAbi = landlockAbiOption(options.landlockAbi);
      const explained = await suggestingValidate(file, async () =>
        deps.enforcementOnHost(await deps.readProfileLayers(file), target, {
          ...(landlockAbi === undefined ? {} : { landlockAbi }),
          ...(options.image === undefined ? {} : { image: options.image }),
        }),
      );
      const paint = painter(process.stdout);
      printData(explained, options.json === true, () => {
        const kernels =
          target === 'kubernetes'
            ? `nodes with Landlock ABI ${explained.landlockAbi} or later`
            : landlockAbi === undefined
              ? `this host (Linux ${explained.kernel}, Landlock ABI ${explained.landlockAbi})`
              : `kernels with Landlock ABI ${explained.landlockAbi}`;
        const heading = `${paint('bold', explained.name)} on ${TARGET_WORDS[target]}, for ${kernels}:\n\n`;
        const { report } = explained;
        if ('refused' in report)
          return `${heading}${paint('red', 'cannot run this profile')}: ${report.refused}\n`;
        return `${heading}${deps.formatEnforcementTable(report.enforcement, (status, text) => paint(STATUS_STYLES[status], text))}`;
      });
    });
}
