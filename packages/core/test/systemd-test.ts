// `systemd --test`: what systemd parsed of a unit, without systemd as PID 1. Shared by core's tests that
// use systemd as the oracle for what a unit file says.
import { spawnSync } from 'node:child_process';

const SYSTEMD = '/lib/systemd/systemd';

/** What `systemd --test` dumped for one unit: its text, and every value of each field, in order. */
export interface UnitDump {
  readonly text: string;
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

/**
 * Runs `systemd --test --system --unit=UNIT` with `SYSTEMD_UNIT_PATH=DIR:` (the system paths stay behind
 * DIR), as nobody when run as root, and returns the unit's part of the dump. Fields are the `Name: value`
 * lines of the unit and of its commands (`Command Line`); a value may hold any character but a line break.
 *
 * @throws Error when systemd fails or does not dump the unit.
 */
export function systemdTestDump(unitPathDir: string, unit: string): UnitDump {
  const asNobody = process.getuid?.() === 0;
  const run = spawnSync(
    asNobody ? 'setpriv' : SYSTEMD,
    [
      ...(asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', SYSTEMD] : []),
      '--test',
      '--system',
      `--unit=${unit}`,
      '--no-pager',
    ],
    {
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${unitPathDir}:` },
      encoding: 'utf8',
      cwd: '/',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0) throw new Error(`systemd --test failed (${run.status}): ${run.stderr}`);
  const start = run.stdout.indexOf(`-> Unit ${unit}:`);
  if (start < 0) throw new Error(`systemd --test did not dump ${unit}`);
  const end = run.stdout.indexOf('-> Unit ', start + 1);
  const text = run.stdout.slice(start, end < 0 ? undefined : end);
  const fields = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^\t\t\t?([A-Za-z ]+): (.*)$/s.exec(line);
    if (match !== null)
      fields.set(match[1] as string, [...(fields.get(match[1] as string) ?? []), match[2] as string]);
  }
  return { text, fields };
}
