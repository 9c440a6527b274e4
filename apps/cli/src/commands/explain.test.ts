import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

const volt = (...args: string[]) =>
  spawnSync(process.execPath, [VOLT_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const web = fileURLToPath(new URL('../../../../examples/web.yaml', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'vc21-explain-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const app = join(directory, 'app.yaml');
writeFileSync(
  app,
  'name: app\nboot: false\ncommand: [/usr/bin/app]\nnetwork: { mode: none }\nreadOnlyRoot: true\n',
);

interface Explained {
  readonly name: string;
  readonly landlockAbi: number;
  readonly report: {
    target: string;
    enforcement?: { layer: string; status: string; detail: string }[];
    refused?: string;
  };
}

const explained = (...args: string[]): Explained => {
  const run = volt('explain', ...args, '--json');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Explained;
};

describe('volt explain', () => {
  it('prints one row per layer of the plan report, for this host, with its status and why', () => {
    const json = explained(web);
    const run = volt('explain', web);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^web on systemd-nspawn, for this host \\(Linux .+, Landlock ABI ${json.landlockAbi}\\):\\n\\nLAYER +STATUS +WHY\\n`,
      ),
    );
    const rows = run.stdout.split('\n').slice(3, -1);
    expect(rows.map((row) => row.split(/ {2,}/)[0])).toEqual(
      json.report.enforcement?.map((entry) => entry.layer),
    );
    for (const entry of json.report.enforcement ?? []) {
      expect(run.stdout).toContain(`${entry.status.replace('-', ' ')}`);
      expect(run.stdout).toContain(entry.detail);
    }
    // the root is read-only in the example: enforced
    expect(rows.find((row) => row.startsWith('root '))).toMatch(
      /^root +enforced +root directory is read-only$/,
    );
  });

  it('says what an older kernel drops of the Landlock policy', () => {
    const landlock = explained(app, '--landlock-abi', '2').report.enforcement?.find(
      (e) => e.layer === 'landlock',
    );
    expect(landlock?.status).toBe('partially-enforced');
    expect(landlock?.detail).toMatch(/^on a kernel with ABI 2, dropped: .*truncate/);
    expect(volt('explain', app, '--landlock-abi', '2').stdout).toMatch(/for kernels with Landlock ABI 2:/);
  });

  it('explains for an OCI runtime and for Kubernetes from their own reports', () => {
    const oci = explained(app, '--target', 'oci');
    expect(oci.report.target).toBe('oci');
    expect(oci.report.enforcement?.find((e) => e.layer === 'seccomp')?.detail).toContain('linux.seccomp');
    const kubernetes = explained(app, '--target', 'kubernetes', '--image', 'registry.example/app:1');
    expect(kubernetes.report.enforcement?.find((e) => e.layer === 'resources')?.status).toBe(
      'partially-enforced',
    );
    expect(volt('explain', app, '--target', 'kubernetes').stdout).toMatch(
      /^app on Kubernetes, for nodes with Landlock ABI \d+ or later:/,
    );
  });

  it('says when a target cannot run the profile at all', () => {
    const refused = explained(web, '--target', 'oci');
    expect(refused.report.refused).toMatch(/boots its init/);
    expect(volt('explain', web, '--target', 'oci').stdout).toMatch(/cannot run this profile: /);
  });

  it('refuses a target it does not know, and a profile that is not valid, as usage and validation errors', () => {
    const target = volt('explain', app, '--target', 'docker');
    expect([target.status, target.stderr]).toEqual([
      2,
      expect.stringMatching(
        /^volt: USAGE at \["--target"\]: "docker" is not accepted; accepted: nspawn, oci, kubernetes/,
      ),
    ]);
    const bad = join(directory, 'bad.yaml');
    writeFileSync(bad, 'name: app\nnetwork: { mode: bridged }\n');
    const invalid = volt('explain', bad);
    expect([invalid.status, invalid.stderr]).toEqual([
      2,
      expect.stringMatching(/^volt: INVALID_VALUE at network\.mode: .*\(hint: run volt validate /m),
    ]);
  });
});
