import { describe, expect, it } from 'vitest';
import { managerCommand, parseContainerStatus } from './lifecycle.js';

describe('container manager commands', () => {
  it('starts through machinectl or the template unit, and always stops through the unit', () => {
    expect(managerCommand('start', 'web', 'machinectl').argv).toEqual(['machinectl', 'start', 'web']);
    expect(managerCommand('start', 'web', 'systemctl').argv).toEqual([
      'systemctl',
      'start',
      'systemd-nspawn@web.service',
    ]);
    for (const manager of ['machinectl', 'systemctl'] as const) {
      expect(managerCommand('stop', 'web', manager).argv).toEqual([
        'systemctl',
        'stop',
        'systemd-nspawn@web.service',
      ]);
    }
  });

  it('refuses a name that could become another argument', () => {
    expect(() => managerCommand('start', '--now', 'machinectl')).toThrow(
      /INVALID_MACHINE_NAME|not a valid machine name/,
    );
  });

  it('reads systemctl show output', () => {
    const status = parseContainerStatus(
      'web',
      'ActiveState=active\nSubState=running\nMainPID=42\nControlGroup=/machine.slice/x\nResult=success\n',
    );
    expect(status).toEqual({
      name: 'web',
      unit: 'systemd-nspawn@web.service',
      activeState: 'active',
      subState: 'running',
      mainPid: 42,
      controlGroup: '/machine.slice/x',
      result: 'success',
      report: null,
    });
    expect(parseContainerStatus('web', 'ActiveState=inactive\nMainPID=0\n').mainPid).toBeNull();
  });

  it("reads the helper's report from the unit's status text, where only the container's PID 1 can put it", () => {
    const report =
      'Landlock: partially enforced on this kernel (ABI 2, best-effort): dropped fs:truncate | network: host0 10.213.7.2/24 via 10.213.7.1';
    expect(parseContainerStatus('web', `StatusText=Container running: ${report}\n`).report).toBe(report);
    // nspawn's own text, before or without the helper's
    expect(parseContainerStatus('web', 'StatusText=Container running.\n').report).toBeNull();
    expect(parseContainerStatus('web', 'StatusText=\n').report).toBeNull();
  });
});
