// Plans rendered per second, in one process, with nothing kept between plans (renderPlan keeps nothing).
// Render speed is not a goal of the project (a container takes hundreds of milliseconds to start); the
// figure is kept as a floor: at least 50,000 plans per second for the default isolation on the project's
// machines, printed as a ratio against that floor.
//
// Starting points:
// - "render": renderPlan of a configuration parsed before, as for containers made from one profile;
// - "parse + render": parseIsolation of the default document for a new container, then renderPlan;
// - "full profile, parse + render": a document that sets something in every layer.
import { performance } from 'node:perf_hooks';
import { unwrap } from '@volt/core';
import { parseIsolation, renderPlan } from '../src/index.js';

const FLOOR = 50_000;
const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const FULL = {
  boot: false,
  command: ['/usr/bin/app', '--port=8080'],
  environment: { APP_MODE: 'production' },
  landlock: { preset: 'server', ports: [{ port: 8080, access: ['bind-tcp'] }], handledNet: ['bind-tcp'] },
  seccomp: { profile: 'strict', deny: ['@swap', 'ptrace'] },
  resources: {
    memory: { max: '512M', high: '384M' },
    cpu: { weight: 200, quota: '150%' },
    tasks: { max: 256 },
  },
  network: { ports: ['tcp:8080:8080'], dns: ['9.9.9.9'] },
  readOnlyRoot: true,
} as const;

/** Runs `render` for `seconds` and returns renders per second. */
function rate(seconds: number, render: (index: number) => unknown): number {
  const end = performance.now() + seconds * 1000;
  let rounds = 0;
  const start = performance.now();
  while (performance.now() < end) render(rounds++);
  return rounds / ((performance.now() - start) / 1000);
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const parsed = unwrap(parseIsolation({ name: 'web' }));
const cases: readonly (readonly [string, (index: number) => unknown])[] = [
  ['default, render', () => renderPlan(parsed, target)],
  [
    'default, parse + render',
    (index) => renderPlan(unwrap(parseIsolation({ name: `web-${index % 1000}` })), target),
  ],
  [
    'full profile, parse + render',
    (index) => renderPlan(unwrap(parseIsolation({ name: `web-${index % 1000}`, ...FULL })), target),
  ],
];
for (const [, render] of cases) rate(0.5, render); // warm-up
const rounds = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < 5; round++)
  for (const [name, render] of cases) rounds.get(name)?.push(rate(1, render));
for (const [name] of cases) {
  const perSecond = median(rounds.get(name) ?? []);
  console.log(
    `${name.padEnd(30)} ${perSecond.toFixed(0).padStart(8)} plans/s = ${(perSecond / FLOOR).toFixed(2)}x the floor of ${FLOOR}/s`,
  );
}
