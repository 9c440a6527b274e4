import type { Command } from 'commander';
import { printData, withProgress } from '../output.js';

/** Options every `volt net` command takes: where the state lives and which names it uses. */
interface CommonOptions {
  readonly table?: string;
  readonly stateDir?: string;
  readonly hostNetns?: string;
  readonly json?: boolean;
}

/** Options naming a network: the bridge and its subnets, and for sandboxes the rest. */
interface NetworkOptions extends CommonOptions {
  readonly bridge?: string;
  readonly subnet?: string;
  readonly subnet6?: string;
  readonly mode?: string;
  readonly port?: readonly string[];
  readonly dns?: readonly string[];
  readonly search?: readonly string[];
  readonly address?: string;
  readonly force?: boolean;
}

const collect = (value: string, previous: readonly string[] = []): readonly string[] => [...previous, value];

/** Flag values as a profile's network part, so that the profile schema validates them like a file. */
function flagsAsNetwork(options: NetworkOptions): Record<string, unknown> {
  const entries = {
    mode: options.mode,
    bridge: options.bridge,
    subnet: options.subnet,
    subnet6: options.subnet6,
    ports: options.port,
    dns: options.dns,
    searchDomains: options.search,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

async function loadNetns(options: CommonOptions) {
  const { netns } = await import('../deps/net.js');
  const netOptions = {
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    ...(options.hostNetns === undefined ? {} : { host: { namespace: options.hostNetns } }),
  };
  return { netns, netOptions };
}

async function loadNetwork(options: NetworkOptions) {
  const [{ unwrap }, loaded] = await Promise.all([import('../deps/net.js'), loadNetns(options)]);
  const network = unwrap(loaded.netns.parseNetworkConfig(flagsAsNetwork(options)));
  return { ...loaded, network };
}

function withCommon(command: Command): Command {
  return command
    .option('--table <name>', 'the nftables table (family inet) Volt keeps its rules in (default volt)')
    .option('--state-dir <dir>', 'the lock and lease directory (default /run/volt/net)')
    .option('--host-netns <name>', 'act on a named network namespace as if it were the host (for tests)');
}

function withBridge(command: Command): Command {
  return withCommon(command)
    .option('--bridge <name>', 'the bridge (default voltbr0)')
    .option('--subnet <cidr>', 'the bridge IPv4 subnet (default 10.87.0.0/16)')
    .option('--subnet6 <cidr>', 'an IPv6 subnet for the bridge');
}

/**
 * Registers `volt net …`: `up|down|status` for the host bridge, and `sandbox up|down|status NAME` for a
 * direct sandbox's network namespace. `@volt/netns` is loaded only when a command runs.
 *
 * @example
 * ```ts
 * registerNetCommands(program); // then: volt net up; volt net sandbox up web-1 --port tcp:8080:80
 * ```
 */
export function registerNetCommands(program: Command): void {
  const net = program
    .command('net')
    .description('Set up, tear down and inspect the Volt bridge and direct sandbox networks (needs root).');

  withBridge(net.command('up'))
    .description('Ensure the bridge: up, with the gateway address, forwarding and masquerading (idempotent).')
    .action(async (options: NetworkOptions) => {
      const { netns, network, netOptions } = await loadNetwork(options);
      const plan = await withProgress(`bringing up the bridge ${network.bridge}`, () =>
        netns.bridgeUp(network, netOptions),
      );
      process.stdout.write(
        `bridge ${plan.bridge} up, gateway ${plan.gateway.text}/${plan.subnet.prefixLength}\n`,
      );
    });

  withCommon(net.command('down'))
    .option('--bridge <name>', 'the bridge (default voltbr0)')
    .option('--force', 'remove the bridge even while sandboxes are recorded on it')
    .description("Remove the bridge and Volt's nftables table.")
    .action(async (options: NetworkOptions) => {
      const { netns, netOptions } = await loadNetns(options);
      await netns.bridgeDown(
        { bridge: options.bridge ?? netns.DEFAULT_BRIDGE },
        { ...netOptions, force: options.force === true },
      );
    });

  withCommon(net.command('status'))
    .option('--bridge <name>', 'the bridge (default voltbr0)')
    .option('--json', 'print JSON')
    .description('Show the bridge, its addresses, members, forwards and sandboxes.')
    .action(async (options: NetworkOptions) => {
      const { netns, netOptions } = await loadNetns(options);
      const status = await netns.bridgeStatus({ bridge: options.bridge ?? netns.DEFAULT_BRIDGE }, netOptions);
      printData(status, options.json === true, () => netns.formatBridgeStatus(status));
    });

  const sandbox = net
    .command('sandbox')
    .description('The network namespace of a direct sandbox (no nspawn).');

  withBridge(sandbox.command('up'))
    .argument('<name>', 'the sandbox, also its network namespace name')
    .option('--mode <mode>', 'private (on the bridge) or none (loopback only)', 'private')
    .option('--port <spec>', 'forward [tcp|udp:]HOST[:CONTAINER] (repeatable)', collect)
    .option('--dns <ip>', 'a DNS server (repeatable; default 1.1.1.1 and 1.0.0.1)', collect)
    .option('--search <domain>', 'a DNS search domain (repeatable)', collect)
    .option('--address <ip>', 'a fixed address from the bridge subnet')
    .option('--json', 'print the record as JSON')
    .description('Create the namespace, veth, address, route, port forwards and resolv.conf.')
    .action(async (name: string, options: NetworkOptions) => {
      const { netns, network, netOptions } = await loadNetwork(options);
      const record = await withProgress(`setting up the network of ${name}`, () =>
        netns.sandboxUp(name, network, {
          ...netOptions,
          ...(options.address === undefined ? {} : { address: options.address }),
        }),
      );
      printData(
        record,
        options.json === true,
        () => `sandbox ${record.name} up, ${record.address ?? 'loopback only'}\n`,
      );
    });

  withCommon(sandbox.command('down'))
    .argument('<name>', 'the sandbox')
    .description('Remove the forwards, veth, namespace, resolv.conf and lease of a sandbox.')
    .action(async (name: string, options: NetworkOptions) => {
      const { netns, netOptions } = await loadNetns(options);
      await netns.sandboxDown(name, netOptions);
    });

  withCommon(sandbox.command('status'))
    .argument('<name>', 'the sandbox')
    .option('--json', 'print JSON')
    .description('Show whether the namespace exists, its lease and its interfaces.')
    .action(async (name: string, options: NetworkOptions) => {
      const { netns, netOptions } = await loadNetns(options);
      const status = await netns.sandboxStatus(name, netOptions);
      printData(status, options.json === true, () => netns.formatSandboxStatus(status));
    });
}
