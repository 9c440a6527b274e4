import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The C test programs, built with cc into a private temp dir (prefix `vts-`). */
export interface NativeTools {
  readonly dir: string;
  readonly loader: string;
  readonly probe: string;
  readonly libseccompExport: string;
  /** Writes filter bytes to a file in the temp dir and returns its path. */
  writeFilter(name: string, bytes: Uint8Array): string;
  /** Runs PROGRAM under the filter file through the loader. */
  runUnder(filter: string, program: string, args: readonly string[]): SpawnSyncReturns<string>;
  /** libseccomp's filter for an allowlist (`seccomp_export_bpf`), failing calls with `errno`. */
  libseccompFilter(arch: string, optimize: 1 | 2, errno: number, names: readonly string[]): Uint8Array;
  cleanup(): void;
}

/**
 * Builds the loader, the probe (static) and the libseccomp exporter.
 *
 * @example
 * ```ts
 * const tools = buildNativeTools(); try { tools.runUnder(file, tools.probe, ['mount', dir]); } finally { tools.cleanup(); }
 * ```
 */
export function buildNativeTools(): NativeTools {
  const dir = mkdtempSync(join(tmpdir(), 'vts-'));
  const build = (source: string, output: string, extra: readonly string[]): string => {
    const target = join(dir, output);
    execFileSync('cc', ['-O2', '-Wall', '-o', target, join(here, source), ...extra], { stdio: 'pipe' });
    return target;
  };
  try {
    const loader = build('loader.c', 'loader', []);
    const probe = build('probe.c', 'probe', ['-static']);
    const libseccompExport = build('libseccomp-export.c', 'libseccomp-export', ['-lseccomp']);
    return {
      dir,
      loader,
      probe,
      libseccompExport,
      writeFilter(name, bytes) {
        const file = join(dir, name);
        writeFileSync(file, bytes);
        return file;
      },
      runUnder(filter, program, args) {
        return spawnSync(loader, [filter, program, ...args], { encoding: 'utf8', timeout: 60_000 });
      },
      libseccompFilter(arch, optimize, errno, names) {
        const out = execFileSync(libseccompExport, [arch, String(optimize), String(errno)], {
          input: `${names.join('\n')}\n`,
        });
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      },
      cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
