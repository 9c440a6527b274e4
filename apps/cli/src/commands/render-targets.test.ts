import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { VOLT_BIN } from '../testing/volt-bin.js';

const volt = (...args: string[]) =>
  spawnSync(process.execPath, [VOLT_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const profile = ['--name', 'web', '--no-boot', '--network', 'none'];

describe('volt render for other targets', () => {
  it('prints the OCI runtime config of a profile, and writes a runnable bundle with --output', () => {
    const printed = volt('render', '--format', 'oci', ...profile, '--', '/usr/bin/app');
    expect(printed.status).toBe(0);
    const config = JSON.parse(printed.stdout) as { process: { args: string[] }; root: { path: string } };
    expect(config.process.args.slice(-2)).toEqual(['--', '/usr/bin/app']);
    expect(config.root.path).toBe('/var/lib/machines/web');
    const dir = mkdtempSync(join(tmpdir(), 'vtc-bundle-'));
    try {
      const written = volt(
        'render',
        '--format',
        'oci',
        ...profile,
        '-D',
        '/srv/web',
        '-o',
        dir,
        '--',
        '/usr/bin/app',
      );
      expect(written.status).toBe(0);
      expect(written.stdout).toContain(`crun run --bundle ${dir} web`);
      const bundle = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as typeof config;
      expect(bundle.root.path).toBe('/srv/web');
      expect(statSync(join(dir, 'volt/volt-landlock')).mode & 0o777).toBe(0o755);
      expect(existsSync(join(dir, 'volt/landlock.policy'))).toBe(true);
      expect(readFileSync(join(dir, 'resolv.conf'), 'utf8')).toContain('nameserver 1.1.1.1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints Kubernetes manifests as YAML (a Deployment with --kind), and writes them with the seccomp profile and the helper', () => {
    const printed = volt(
      'render',
      '--format',
      'kubernetes',
      '--image',
      'registry.example/web:1',
      ...profile,
      '--',
      '/usr/bin/app',
    );
    expect(printed.status).toBe(0);
    expect(parseAllDocuments(printed.stdout).map((document) => document.get('kind'))).toEqual([
      'ConfigMap',
      'Pod',
      'NetworkPolicy',
    ]);
    const deployment = volt(
      'render',
      '--format',
      'kubernetes',
      '--kind',
      'deployment',
      '--image',
      'i',
      ...profile,
      '--',
      '/a',
    );
    expect(parseAllDocuments(deployment.stdout)[1]?.get('kind')).toBe('Deployment');
    const dir = mkdtempSync(join(tmpdir(), 'vtc-kube-'));
    try {
      expect(
        volt('render', '--format', 'kubernetes', '--image', 'i', ...profile, '-o', dir, '--', '/a').status,
      ).toBe(0);
      expect(readFileSync(join(dir, 'web.yaml'), 'utf8')).toContain('localhostProfile: volt-web.json');
      expect(JSON.parse(readFileSync(join(dir, 'seccomp/volt-web.json'), 'utf8'))).toMatchObject({
        defaultAction: 'SCMP_ACT_ERRNO',
      });
      expect(statSync(join(dir, 'volt-landlock')).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows what each target enforces of the same profile, side by side, and which cannot run it', () => {
    const run = volt('render', '--only', 'enforcement', '--target', 'all', ...profile, '--', '/usr/bin/app');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^network\n {2}nspawn +enforced +mode none: loopback only\n {2}oci +enforced .*\n {2}kubernetes +partially-enforced /m,
    );
    const json = JSON.parse(
      volt('render', '--only', 'enforcement', '--target', 'oci,kubernetes', '--json', ...profile, '--', '/a')
        .stdout,
    ) as { target: string }[];
    expect(json.map((report) => report.target)).toEqual(['oci', 'kubernetes']);
    const booting = volt('render', '--only', 'enforcement', '--target', 'all', '--name', 'web');
    expect(booting.status).toBe(0);
    expect(booting.stdout).toMatch(/^oci +cannot run this profile: .*boot: true/m);
  });

  it('refuses options that do not fit, with USAGE and exit 2', () => {
    for (const args of [
      ['--format', 'docker'],
      ['--format', 'kubernetes', ...profile, '--', '/a'],
      ['--kind', 'deployment', '--format', 'oci', ...profile, '--', '/a'],
      ['--target', 'oci', ...profile, '--', '/a'],
      ['--output', '/tmp/x', ...profile, '--', '/a'],
      ['--format', 'oci', '--landlock-abi', 'seven', ...profile, '--', '/a'],
    ]) {
      const run = volt('render', ...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^volt: USAGE /);
    }
  });
});
