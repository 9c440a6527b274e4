import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  readonly bin: { readonly volt: string };
};

/**
 * The built `volt` executable, as package.json's `bin` names it: the tests and the bench run what an
 * installed `volt` runs.
 *
 * @example
 * ```ts
 * spawnSync(process.execPath, [VOLT_BIN, '--version']);
 * ```
 */
export const VOLT_BIN: string = fileURLToPath(new URL(`../../${packageJson.bin.volt}`, import.meta.url));
