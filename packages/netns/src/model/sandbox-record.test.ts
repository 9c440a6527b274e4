import { unwrap } from '@volt/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSandboxRecord, type SandboxRecord } from './sandbox-record.js';

const privateRecord: SandboxRecord = {
  name: 'web-1',
  mode: 'private',
  bridge: 'voltbr0',
  table: 'volt',
  address: '10.87.0.2',
  prefixLength: 16,
  address6: 'fd87::2',
  prefixLength6: 64,
  hostInterface: 'vs-web-1',
  ports: [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }],
};

const noneRecord: SandboxRecord = {
  name: 'web-2',
  mode: 'none',
  bridge: null,
  table: null,
  address: null,
  prefixLength: null,
  address6: null,
  prefixLength6: null,
  hostInterface: null,
  ports: [],
};

const problems = (input: unknown, name = 'web-1') => {
  const result = parseSandboxRecord(input, name);
  return result.ok ? [] : result.issues.map((issue) => [issue.code, issue.path]);
};

describe('parseSandboxRecord', () => {
  it('accepts the records Volt writes, for direct sandboxes and for nspawn containers', () => {
    expect(unwrap(parseSandboxRecord(privateRecord, 'web-1'))).toStrictEqual(privateRecord);
    expect(unwrap(parseSandboxRecord(noneRecord, 'web-2'))).toStrictEqual(noneRecord);
    const container = {
      ...privateRecord,
      table: null,
      hostInterface: null,
      address6: null,
      prefixLength6: null,
      ports: [],
    };
    expect(unwrap(parseSandboxRecord(container, 'web-1'))).toStrictEqual(container);
  });

  // Issue 16: a record field went into `ip link delete` unchecked.
  it('refuses every field that could reach a command line as something else', () => {
    for (const hostInterface of ['-f', 'eth0 type bridge', 'vs-web-1\n', 'all', 'a-far-too-long-name0', 7]) {
      expect(problems({ ...privateRecord, hostInterface })).toEqual([
        [typeof hostInterface === 'number' ? 'INVALID_VALUE' : 'INVALID_INTERFACE_NAME', ['hostInterface']],
      ]);
    }
    expect(problems({ ...privateRecord, bridge: '--help' })).toEqual([
      ['INVALID_INTERFACE_NAME', ['bridge']],
    ]);
    expect(problems({ ...privateRecord, table: 'volt; flush ruleset' })).toEqual([
      ['INVALID_VALUE', ['table']],
    ]);
    expect(problems({ ...privateRecord, address: '10.87.0.2 }; flush ruleset' })).toEqual([
      ['INVALID_IP_ADDRESS', ['address']],
    ]);
    expect(problems({ ...privateRecord, address: 'fd87::2' })).toEqual([['INVALID_IP_ADDRESS', ['address']]]);
    expect(problems({ ...privateRecord, address6: '10.87.0.2' })).toEqual([
      ['INVALID_IP_ADDRESS', ['address6']],
    ]);
    expect(problems({ ...privateRecord, prefixLength: 31 })).toEqual([['INVALID_NUMBER', ['prefixLength']]]);
    expect(problems({ ...privateRecord, prefixLength6: '64' })).toEqual([
      ['INVALID_NUMBER', ['prefixLength6']],
    ]);
    expect(
      problems({ ...privateRecord, ports: [{ protocol: 'tcp', hostPort: '8080', containerPort: 80 }] }),
    ).toEqual([['INVALID_PORT', ['ports', 0, 'hostPort']]]);
    expect(
      problems({ ...privateRecord, ports: [{ protocol: 'sctp', hostPort: 1, containerPort: 1, x: 1 }] }),
    ).toEqual([['INVALID_VALUE', ['ports', 0]]]);
    expect(problems({ ...privateRecord, name: '../../etc/passwd' })).toEqual([
      ['INVALID_MACHINE_NAME', ['name']],
    ]);
  });

  it('refuses unknown and missing fields, other shapes, and a name other than the file says', () => {
    expect(problems({ ...privateRecord, extra: 1 })).toEqual([['INVALID_VALUE', []]]);
    const { ports: _, ...withoutPorts } = privateRecord;
    expect(problems(withoutPorts)).toEqual([['INVALID_VALUE', ['ports']]]);
    for (const input of [null, [], 'web-1', 3]) expect(problems(input)).toEqual([['INVALID_VALUE', []]]);
    expect(problems(privateRecord, 'web-9')).toEqual([['INVALID_VALUE', ['name']]]);
  });

  it('refuses fields its mode does not have, and misses those it needs', () => {
    expect(problems({ ...noneRecord, hostInterface: 'vs-web-2' }, 'web-2')).toEqual([
      ['INVALID_VALUE', ['hostInterface']],
    ]);
    expect(problems({ ...noneRecord, ports: privateRecord.ports }, 'web-2')).toEqual([
      ['INVALID_VALUE', ['ports']],
    ]);
    expect(problems({ ...noneRecord, mode: 'host' }, 'web-2')).toEqual([['INVALID_VALUE', ['mode']]]);
    expect(problems({ ...privateRecord, address: null })).toEqual([['INVALID_VALUE', ['address']]]);
    expect(problems({ ...privateRecord, prefixLength6: null })).toEqual([['INVALID_VALUE', ['address6']]]);
  });

  it('never throws on any JSON value (property)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(fc.constantFrom(...Object.keys(privateRecord)), fc.jsonValue()),
        (value, fields) => {
          for (const input of [value, { ...privateRecord, ...fields }]) {
            const result = parseSandboxRecord(input, 'web-1');
            if (result.ok) expect(result.value.name).toBe('web-1');
          }
        },
      ),
    );
  });
});
