// `volt net` in-process: bad input is refused before anything touches the host (no root needed).
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerNetCommands } from './net.js';

async function volt(...args: string[]): Promise<void> {
  const program = new Command('volt').exitOverride();
  registerNetCommands(program);
  await program.parseAsync(['node', 'volt', ...args]);
}

describe('volt net (validation only)', () => {
  it.each([
    [['net', 'up', '--bridge', 'vtn br'], 'INVALID_INTERFACE_NAME', ['network', 'bridge']],
    [['net', 'up', '--bridge', 'vtnbr-far-too-long'], 'INVALID_INTERFACE_NAME', ['network', 'bridge']],
    [['net', 'up', '--subnet', '10.87.0.1/16'], 'INVALID_SUBNET', ['network', 'subnet']],
    [['net', 'sandbox', 'up', 'vtn-x', '--port', 'sctp:1:1'], 'INVALID_PORT', ['network', 'ports', 0]],
    [['net', 'sandbox', 'up', 'vtn-x', '--dns', 'dns.example'], 'INVALID_IP_ADDRESS', ['network', 'dns', 0]],
    [['net', 'sandbox', 'up', 'vtn-x', '--mode', 'bridge'], 'INVALID_VALUE', ['network', 'mode']],
    [
      ['net', 'sandbox', 'up', 'vtn-x', '--port', '8080:80', '--port', 'tcp:8080:81'],
      'CONFLICT',
      ['network', 'ports', 1],
    ],
    [['net', 'sandbox', 'up', 'vtn/x', '--mode', 'none'], 'INVALID_MACHINE_NAME', ['name']],
    [['net', 'status', '--table', 'volt;flush'], 'INVALID_VALUE', ['table']],
  ])('volt %j fails with its code and input path', async (args, code, path) => {
    await expect(volt(...args)).rejects.toMatchObject({ code, path });
  });
});
