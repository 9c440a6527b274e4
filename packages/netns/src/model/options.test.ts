import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NFT_TABLE,
  DEFAULT_STATE_DIR,
  parseNetOptions,
  parseTableName,
  sandboxVethName,
} from './options.js';

describe('parseNetOptions', () => {
  it('fills in the production defaults', () => {
    expect(unwrap(parseNetOptions({}))).toEqual({
      host: {},
      table: DEFAULT_NFT_TABLE,
      stateDir: DEFAULT_STATE_DIR,
      etcNetnsDir: '/etc/netns',
      vethPrefix: 'vs-',
    });
  });

  it('reports every bad option at once with its path', () => {
    const result = parseNetOptions({
      table: 'volt;flush ruleset',
      stateDir: 'relative',
      etcNetnsDir: '/etc/../etc',
      vethPrefix: 'Vs-',
      host: { namespace: 'a/b' },
    });
    expect(result.ok === false && result.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['INVALID_VALUE', ['table']],
      ['INVALID_PATH', ['stateDir']],
      ['INVALID_PATH', ['etcNetnsDir']],
      ['INVALID_VALUE', ['vethPrefix']],
      ['INVALID_MACHINE_NAME', ['host', 'namespace']],
    ]);
  });
});

describe('parseTableName', () => {
  it('refuses table names nft would misread', () => {
    expect(unwrap(parseTableName('volt_test_a'))).toBe('volt_test_a');
    for (const table of ['', '1volt', 'volt table', 'volt;flush ruleset', 'x'.repeat(33)]) {
      const result = parseTableName(table);
      expect(result.ok === false && result.error.code).toBe('INVALID_VALUE');
    }
  });
});

describe('sandboxVethName', () => {
  it('keeps short names and hashes long ones to 15 bytes, stably', () => {
    expect(sandboxVethName('vs-', 'web-1')).toBe('vs-web-1');
    const long = sandboxVethName('vs-', 'a-rather-long-sandbox');
    expect(long).toHaveLength(15);
    expect(long.startsWith('vs-')).toBe(true);
    expect(sandboxVethName('vs-', 'a-rather-long-sandbox')).toBe(long);
  });
});
