// host0's leased address, set up by the helper before the command starts (Boot=no containers on a private
// network). Two network namespaces made here, joined by a veth pair: the "container" side is called host0,
// as systemd-nspawn calls it; the other plays the bridge's gateway. Names start with vh7; both namespaces
// (and with them the veth pair) are removed after the tests, also after a failure.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landlockHelperPath } from '../src/index.js';
import { NODE } from './support.js';

const CONTAINER = `vh7-c${process.pid}`;
const GATEWAY = `vh7-g${process.pid}`;
const GATEWAY_LINK = `vh7g${process.pid % 100000}`;

function run(program: string, args: readonly string[]) {
  const result = spawnSync(program, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function must(program: string, args: readonly string[]): void {
  const result = run(program, args);
  if (result.code !== 0) throw new Error(`${program} ${args.join(' ')}: ${result.output}`);
}

const ADDRESSES = ['--address', '10.213.77.2/24', '--gateway', '10.213.77.1'];
const ADDRESSES_6 = ['--address', 'fd77::2/64', '--gateway', 'fd77::1'];

function inContainer(helperArgs: readonly string[], script: string) {
  return run('ip', [
    'netns',
    'exec',
    CONTAINER,
    landlockHelperPath(),
    ...helperArgs,
    '--',
    '/bin/sh',
    '-c',
    script,
  ]);
}

describe('the helper gives host0 its leased address before the command starts', () => {
  beforeAll(() => {
    must('ip', ['netns', 'add', CONTAINER]);
    must('ip', ['netns', 'add', GATEWAY]);
    must('ip', [
      'link',
      'add',
      GATEWAY_LINK,
      'netns',
      GATEWAY,
      'type',
      'veth',
      'peer',
      'name',
      'host0',
      'netns',
      CONTAINER,
    ]);
    must('ip', ['-n', GATEWAY, 'addr', 'add', '10.213.77.1/24', 'dev', GATEWAY_LINK]);
    must('ip', ['-n', GATEWAY, 'addr', 'add', 'fd77::1/64', 'dev', GATEWAY_LINK, 'nodad']);
    must('ip', ['-n', GATEWAY, 'link', 'set', GATEWAY_LINK, 'up']);
  });
  afterAll(() => {
    run('ip', ['netns', 'del', CONTAINER]);
    run('ip', ['netns', 'del', GATEWAY]);
  });

  it('host0 is down and has no address before (the baseline)', () => {
    const before = run('ip', ['-n', CONTAINER, '-o', 'addr', 'show', 'dev', 'host0']);
    expect(before.output).not.toMatch(/inet /);
  });

  it('adds the IPv4 and IPv6 addresses with their prefixes and a default route through each gateway', () => {
    const result = inContainer(
      [...ADDRESSES, ...ADDRESSES_6],
      'ip -o addr show dev host0 scope global; ip route show default; ip -6 route show default; ip -o link show lo',
    );
    expect(result.code).toBe(0);
    expect(result.output).toMatch(
      /^volt-landlock: network: host0 10\.213\.77\.2\/24 fd77::2\/64 via 10\.213\.77\.1, fd77::1$/m,
    );
    expect(result.output).toMatch(/host0\s+inet 10\.213\.77\.2\/24 /);
    expect(result.output).toMatch(/host0\s+inet6 fd77::2\/64 /);
    expect(result.output).toMatch(/^default via 10\.213\.77\.1 dev host0 /m);
    expect(result.output).toMatch(/^default via fd77::1 dev host0 /m);
    expect(result.output).toMatch(/lo: <LOOPBACK,UP,LOWER_UP>/);
  });

  it('is idempotent: a restarted container gets the same address again', () => {
    const result = inContainer(ADDRESSES, 'ip -4 -o addr show dev host0 | wc -l');
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^1$/m);
  });

  it('a server in the container is reached from the gateway side through the leased address', async () => {
    const server = `require('net').createServer((s)=>s.end('served\\n')).listen(8080,'10.213.77.2',()=>console.log('listening'))`;
    const child: ChildProcess = spawn(
      'ip',
      ['netns', 'exec', CONTAINER, landlockHelperPath(), ...ADDRESSES, '--init', '--', NODE, '-e', server],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
        child.once('close', (code) => reject(new Error(`the server ended (${code})`)));
      });
      const client = `require('net').connect(8080,'10.213.77.2').on('data',(d)=>process.stdout.write(d)).on('error',(e)=>{console.error(e.code);process.exit(1)})`;
      const reached = run('ip', ['netns', 'exec', GATEWAY, NODE, '-e', client]);
      expect(reached).toEqual({ code: 0, output: 'served\n' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fails before the command starts when there is no host0, or an address is malformed', () => {
    const noHost0 = run('ip', [
      'netns',
      'exec',
      GATEWAY,
      landlockHelperPath(),
      ...ADDRESSES,
      '--',
      '/bin/echo',
      'ran',
    ]);
    expect(noHost0.code).toBe(125);
    expect(noHost0.output).toMatch(/^volt-landlock: the container has no host0 interface/);
    expect(noHost0.output).not.toMatch(/ran/);
    for (const bad of ['10.213.77.2', '10.213.77.2/33', '10.213.77.300/24', 'fd77::2/129', '/24']) {
      const result = inContainer(['--address', bad], 'echo ran');
      expect(result.code).toBe(125);
      expect(result.output).toMatch(
        /^volt-landlock: (not an address|not a prefix length|prefix length above)/,
      );
    }
  });
});
