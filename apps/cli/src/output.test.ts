// Colour only on a terminal, never with NO_COLOR or --no-color; progress only on a terminal. The terminal
// is a real one: util-linux's script(1) runs the CLI on a pseudo-terminal.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { usesColor } from './output.js';
import { VOLT_BIN } from './testing/volt-bin.js';

const web = fileURLToPath(new URL('../../../examples/web.yaml', import.meta.url));
const ESCAPE = '\u001b[';

/**
 * Runs the CLI on a pseudo-terminal with a plain environment plus `env`. Nothing else is inherited: Node
 * takes `CI`, `NO_COLOR`, `FORCE_COLOR`, `NODE_DISABLE_COLORS` and more into account for colours.
 */
function onTerminal(args: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  const command = [process.execPath, VOLT_BIN, ...args].map((word) => `'${word}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), TERM: 'xterm-256color', ...env },
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('colour', () => {
  it('is used on a terminal', () => {
    const output = onTerminal(['explain', web]);
    expect(output).toContain(`${ESCAPE}32menforced`);
    expect(output).toContain(`${ESCAPE}1mweb`);
  });

  it('is not used with NO_COLOR, with --no-color (anywhere before --), or with TERM=dumb', () => {
    for (const output of [
      onTerminal(['explain', web], { NO_COLOR: '1' }),
      onTerminal(['explain', web, '--no-color']),
      onTerminal(['--no-color', 'explain', web]),
      onTerminal(['explain', web], { TERM: 'dumb' }),
    ]) {
      expect(output).toContain('enforced');
      expect(output).not.toContain(ESCAPE);
    }
  });

  it('is never used for a pipe, whatever FORCE_COLOR says', () => {
    const run = spawnSync(process.execPath, [VOLT_BIN, 'explain', web], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '3' },
    });
    expect(run.stdout).toContain('enforced');
    expect(run.stdout).not.toContain(ESCAPE);
  });

  it('is decided by the stream and the arguments before --', () => {
    const terminal = { isTTY: true, hasColors: () => true };
    expect(usesColor(terminal, ['node', 'volt', 'explain'])).toBe(true);
    expect(usesColor(terminal, ['node', 'volt', 'explain', '--no-color'])).toBe(false);
    expect(usesColor(terminal, ['node', 'volt', 'sandbox', 'run', '--', 'ls', '--no-color'])).toBe(true);
    expect(usesColor({ isTTY: true, hasColors: () => false }, ['node', 'volt'])).toBe(false);
    expect(usesColor({ isTTY: false }, ['node', 'volt'])).toBe(false);
  });
});

describe('progress', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vc21-progress-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const profile = join(scratch, 'app.yaml');
  writeFileSync(profile, 'name: vc21-progress\nboot: false\ncommand: [/bin/app]\nnetwork: { mode: none }\n');
  for (const root of ['terminal', 'pipe']) mkdirSync(join(scratch, root));

  it('shows on a terminal what takes time (an install of many files), then erases its line', () => {
    const output = onTerminal(['apply', profile, '--root', join(scratch, 'terminal')], { NO_COLOR: '1' });
    expect(output).toMatch(/volt: installing \d+ files for vc21-progress…\r\u001b\[2K/);
  });

  it('writes nothing to a stderr that is not a terminal', () => {
    const run = spawnSync(process.execPath, [VOLT_BIN, 'apply', profile, '--root', join(scratch, 'pipe')], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});
