import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';
import { validateExitCode } from './validate.js';

const volt = (...args: string[]) =>
  spawnSync(process.execPath, [VOLT_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const directory = mkdtempSync(join(tmpdir(), 'vc21-validate-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function profile(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

const THREE_MISTAKES = [
  'name: web',
  'boot: false',
  'command: [/usr/bin/app]',
  'resources:',
  '  memory:',
  '    max: 2GB',
  '  cpu: { weigth: 200 }',
  'network:',
  '  mode: bridged',
  '',
].join('\n');

describe('volt validate', () => {
  it('reports three mistakes on different lines at once, each at its line:column with its code', () => {
    const file = profile('three.yaml', THREE_MISTAKES);
    const run = volt('validate', file);
    expect(run.status).toBe(2);
    const lines = run.stdout.split('\n').filter((line) => line.startsWith(`${file}:`));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^${file}:6:10: INVALID_BYTE_SIZE at resources\\.memory\\.max: "2GB" .*accepted: `),
      ),
      expect.stringMatching(
        new RegExp(
          `^${file}:7:10: INVALID_PROFILE at resources\\.cpu: unknown key\\(s\\) "weigth"; accepted keys: `,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^${file}:9:9: INVALID_VALUE at network\\.mode: "bridged" .*accepted: private`),
      ),
      `${file}: 3 problems`,
    ]);
    expect(run.stdout).toContain('  hint: check the spelling');
  });

  it('gives the same problems as JSON, and exit 0 for a valid profile', () => {
    const file = profile(
      'three.json',
      JSON.stringify({ name: 'web', network: { mode: 'bridged' } }, null, 2),
    );
    const run = volt(
      'validate',
      '--json',
      file,
      fileURLToPath(new URL('../../../../examples/web.yaml', import.meta.url)),
    );
    expect(run.status).toBe(2);
    const outcomes = JSON.parse(run.stdout) as {
      file: string;
      problems: { line: number; column: number; code: string }[];
    }[];
    expect(outcomes.map((outcome) => outcome.problems.map((p) => `${p.line}:${p.column} ${p.code}`))).toEqual(
      [['4:13 INVALID_VALUE'], []],
    );
    const valid = volt('validate', fileURLToPath(new URL('../../../../examples/web.yaml', import.meta.url)));
    expect([valid.status, valid.stdout]).toEqual([0, expect.stringMatching(/web\.yaml: valid\n$/)]);
  });

  it('exits 1 when a file cannot be read, says so on stderr, and still checks the others', () => {
    const missing = join(directory, 'missing.yaml');
    const bad = profile('bad.yaml', 'name: web\nboot: maybe\n');
    const run = volt('validate', missing, bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^volt: NOT_FOUND: the profile .*missing\.yaml cannot be read: .*\(hint: check the path/m,
    );
    expect(run.stdout).toContain(`${bad}:2:7: INVALID_PROFILE at boot`);
  });

  it('reports a file that is not YAML as one problem where the parser stopped (exit 2)', () => {
    const broken = profile('broken.yaml', 'name: web\nresources: [memory\n');
    const run = volt('validate', broken);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^${broken}:\\d+:\\d+: PARSE_ERROR: `, 'm'));
  });

  it('documents its exit codes in --help', () => {
    const help = volt('validate', '--help').stdout;
    expect(help).toMatch(/0 +every profile is valid/);
    expect(help).toMatch(/1 +a file could not be read/);
    expect(help).toMatch(/2 +a profile has a problem/);
  });

  it('decides the exit code: unreadable beats invalid, invalid beats valid', () => {
    const valid = { file: 'a', problems: [] };
    const invalid = {
      file: 'b',
      problems: [{ line: 1, column: 1, code: 'CONFLICT' as const, path: '', message: 'x' }],
    };
    const unreadable = { file: 'c', error: { code: 'NOT_FOUND', message: 'x' } };
    expect(validateExitCode([valid])).toBe(0);
    expect(validateExitCode([valid, invalid])).toBe(2);
    expect(validateExitCode([invalid, unreadable])).toBe(1);
  });
});
