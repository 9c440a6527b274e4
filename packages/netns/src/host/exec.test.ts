import { describe, expect, it } from 'vitest';
import { checkIpBatch, isMissingMessage, parseIpBatchErrors } from './exec.js';

describe('parseIpBatchErrors', () => {
  it('splits the stderr of ip -force -batch into its failed lines', () => {
    const stderr = [
      'Cannot find device "vs-a"',
      'Command failed -:1',
      'Cannot remove namespace file "/run/netns/a": No such file or directory',
      'Command failed -:3',
      '',
    ].join('\n');
    expect(parseIpBatchErrors(stderr)).toEqual({
      failures: [
        { line: 1, message: 'Cannot find device "vs-a"' },
        { line: 3, message: 'Cannot remove namespace file "/run/netns/a": No such file or directory' },
      ],
      rest: '',
    });
  });

  it('keeps what ip printed after the last failed line: it stopped in the middle of a command', () => {
    const stderr =
      'Cannot find device "br"\nCommand failed -:1\nError: argument "br" is wrong: Device does not exist\n';
    expect(parseIpBatchErrors(stderr)).toEqual({
      failures: [{ line: 1, message: 'Cannot find device "br"' }],
      rest: 'Error: argument "br" is wrong: Device does not exist',
    });
  });

  it('joins a message of several lines', () => {
    expect(parseIpBatchErrors('RTNETLINK answers: File exists\nmore\nCommand failed -:2\n').failures).toEqual(
      [{ line: 2, message: 'RTNETLINK answers: File exists; more' }],
    );
  });
});

describe('checkIpBatch', () => {
  const failures = [
    { line: 1, command: 'link delete dev vs-a', message: 'Cannot find device "vs-a"' },
    { line: 2, command: 'netns delete a', message: 'Device or resource busy' },
  ];

  it('passes when every failure is accepted', () => {
    expect(() =>
      checkIpBatch(failures.slice(0, 1), (failure) => isMissingMessage(failure.message)),
    ).not.toThrow();
    expect(() => checkIpBatch([], () => false)).not.toThrow();
  });

  it('throws COMMAND_FAILED naming each refused command and what ip said', () => {
    expect(() => checkIpBatch(failures, (failure) => isMissingMessage(failure.message))).toThrow(
      expect.objectContaining({
        code: 'COMMAND_FAILED',
        message: 'ip -batch failed: ip netns delete a: Device or resource busy',
      }),
    );
  });
});
