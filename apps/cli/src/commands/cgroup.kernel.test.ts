// `volt cgroup stats` in-process against this host's cgroup2 mount (read-only: the root group's stats).
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerCgroupCommands } from './cgroup.js';

const _hasCgroup2 = (await import('node:fs'))
  .readFileSync('/proc/self/mountinfo', 'utf8')
  .includes(' - cgroup2 ');

function capture(): { readonly text: () => string } {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out };
}

async function volt(...args: string[]): Promise<void> {
  const program = new Command('volt').exitOverride();
  registerCgroupCommands(program);
  await program.parseAsync(['node', 'volt', ...args]);
}

afterEach(() => vi.restoreAllMocks());

describe('volt cgroup stats (needs a cgroup2 mount)', () => {
  it('prints the root group as text, with absent controllers shown as absent', async () => {
    const { findCgroup2Mount } = await import('@volt/cgroups');
    const mount = await findCgroup2Mount();
    const out = capture();
    await volt('cgroup', 'stats', mount);
    expect(out.text()).toMatch(new RegExp(`^cgroup ${mount}\\n`));
    expect(out.text()).toMatch(/\ncpu: usage=\d+us/);
    expect(out.text()).toMatch(/\ncpu pressure some: avg10=/);
  });

  it('prints JSON, and --watch stops after --count samples', async () => {
    const out = capture();
    await volt('cgroup', 'stats', '.', '--json', '--watch', '0.01', '--count', '3');
    const samples = out
      .text()
      .split(/\n(?=\{)/)
      .map((text) => JSON.parse(text) as { cpu: { usageUsec: number } });
    expect(samples).toHaveLength(3);
    expect(samples[2]?.cpu.usageUsec).toBeGreaterThanOrEqual(samples[0]?.cpu.usageUsec ?? 0);
  });

  it('--watch stops on SIGINT and removes its handler', async () => {
    const out = capture();
    const others = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    try {
      const running = volt('cgroup', 'stats', '.', '--json', '--watch', '30');
      await vi.waitFor(() => expect(out.text()).toContain('"path"'));
      process.emit('SIGINT');
      await running;
      expect(process.listenerCount('SIGINT')).toBe(0);
    } finally {
      for (const listener of others) process.on('SIGINT', listener);
    }
  });

  it('refuses paths outside the mount and bad numbers', async () => {
    await expect(volt('cgroup', 'stats', '/etc')).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(volt('cgroup', 'stats', '.', '--watch', 'soon')).rejects.toMatchObject({ code: 'USAGE' });
  });
});
