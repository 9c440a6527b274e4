import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS } from './groups.js';

describe('COMMAND_GROUPS', () => {
  it('names exactly the top-level commands each module registers, each once', () => {
    const all: string[] = [];
    for (const [names, register] of COMMAND_GROUPS) {
      const program = new Command('volt');
      register(program);
      const registered = program.commands.map((command) => command.name());
      expect([...registered].sort()).toEqual([...names].sort());
      all.push(...registered);
    }
    expect(new Set(all).size).toBe(all.length);
  });
});
