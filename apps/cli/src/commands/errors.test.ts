// The common mistakes get one line each: a stable code, what was wrong, and a hint. Run through the
// built CLI, as a user meets them.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

const scratch = mkdtempSync(join(tmpdir(), 'vc21-errors-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const profile = join(scratch, 'app.yaml');
writeFileSync(profile, 'name: vc21-app\nboot: false\ncommand: [/bin/app]\nnetwork: { mode: none }\n', {
  mode: 0o644,
});

function volt(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly asNobody?: boolean } = {},
) {
  const command = [process.execPath, VOLT_BIN, ...args];
  // As root, the CLI runs as nobody for the not-root case; as another user it runs as that user.
  const [program, ...rest] =
    options.asNobody === true && process.getuid?.() === 0
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...command]
      : command;
  return spawnSync(program as string, rest, {
    encoding: 'utf8',
    timeout: 60_000,
    env: options.env ?? process.env,
  });
}

const errorLine = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('volt: ')) ?? stderr;

describe('helpful errors for the common mistakes', () => {
  it('a profile path that does not exist: NOT_FOUND, exit 1, where relative paths start', () => {
    for (const command of [['apply'], ['explain'], ['run'], ['apply', '--dry-run']]) {
      const run = volt([...command, 'no-such-profile.yaml']);
      expect(run.status).toBe(1);
      expect(errorLine(run.stderr)).toMatch(
        /^volt: NOT_FOUND: the profile no-such-profile\.yaml cannot be read: ENOENT.*\(hint: check the path: a relative one starts at the current directory, \//,
      );
    }
  });

  it('not root where root is needed: PERMISSION_DENIED, exit 1, and what works without root', () => {
    for (const command of [
      ['apply', profile],
      ['remove', 'vc21-app'],
    ]) {
      const run = volt(command, { asNobody: true });
      expect(run.status).toBe(1);
      expect(errorLine(run.stderr)).toMatch(
        new RegExp(
          `^volt: PERMISSION_DENIED: volt ${command[0]} needs root: .*\\(hint: run it as root .*apply --dry-run do not need root\\)$`,
        ),
      );
    }
    // what does not need root works as nobody
    expect(volt(['apply', '--dry-run', profile], { asNobody: true }).status).toBe(0);
    expect(volt(['validate', profile], { asNobody: true }).status).toBe(0);
  });

  it('systemd-nspawn missing: NOT_FOUND, exit 1, with the package to install', () => {
    for (const command of [
      ['run', profile],
      ['start', 'vc21-app'],
    ]) {
      const run = volt(command, { env: { ...process.env, PATH: join(scratch, 'empty-path') } });
      expect(run.status).toBe(1);
      expect(errorLine(run.stderr)).toBe(
        'volt: NOT_FOUND: systemd-nspawn is not installed (not found in PATH) (hint: install it: apt-get install systemd-container (Debian, Ubuntu), dnf install systemd-container (Fedora))',
      );
    }
  });

  it('PID 1 is not systemd (start, stop, status, run): UNSUPPORTED, exit 1, pointing to volt sandbox run', () => {
    const systemd = existsSync('/run/systemd/system');
    for (const command of [
      ['start', 'vc21-app'],
      ['stop', 'vc21-app'],
      ['status', 'vc21-app'],
      ['run', profile],
    ]) {
      const run = volt(command);
      expect(run.status).toBe(1);
      if (systemd) {
        // with systemd as PID 1 the check passes, and the next step speaks (no such container here)
        expect(errorLine(run.stderr)).not.toMatch(/needs systemd as the init system/);
      } else {
        expect(errorLine(run.stderr)).toMatch(
          new RegExp(
            `^volt: UNSUPPORTED: volt ${command[0]} needs systemd as the init system \\(PID 1\\), and it is not here \\(hint: on a host without systemd, volt sandbox run runs a command under Landlock and seccomp`,
          ),
        );
      }
    }
  });

  it('an invalid profile: the problem, and volt validate for every problem with its line', () => {
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, 'name: vc21-bad\nresources: { memory: { max: lots } }\n');
    const run = volt(['apply', '--dry-run', bad]);
    expect(run.status).toBe(2);
    expect(errorLine(run.stderr)).toMatch(
      /^volt: INVALID_BYTE_SIZE at resources\.memory\.max: .*run volt validate .*bad\.yaml for every problem/,
    );
  });
});
