// Full validated plans rendered per second, in one process, against the original Go sketch's figure
// (about 150,000 renders per second on these machines, from an IsolationConfig struct, validating nothing).
//
// Starting points, each made new for every render:
// - "from defaultIsolation(name)": the library's default config for a new container, as the sketch's
//   DefaultIsolation(rootfs); its parts are the shared default values, validated once when the module loads.
//   renderPlan keeps what a part renders once the same part comes twice in a row, so this is a fleet of
//   containers made from one profile.
// - "... two profiles in turn": the same, but every other container has other (equal) validated parts, so
//   no part ever comes twice in a row and every part is rendered anew: nothing is kept.
// - "from a config": an IsolationConfig literal with every part new, none validated before; renderPlan
//   validates all of it, then renders (the worst case).
// - "from a profile document": the same, after parsing and defaulting a profile document (JSON/YAML data),
//   which the sketch does not do at all.
// "rendering alone" re-renders a config validated before (validation is then free, and its parts' artifacts
// are kept): the sketch's own work.
//
// With VOLT_GO_SKETCH=path/to/isolation.go and Go on PATH, the sketch itself is measured here too (one
// core, before and after the rounds below, median of the six), and every figure is also given against it.
import { performance } from 'node:perf_hooks';
import type { IsolationConfig } from '@volt/core';
import { safeParseProfile } from '@volt/core/profile';
import { landlockPreset } from '@volt/landlock';
import { defaultIsolation, isolationFromProfile, renderPlan } from '../src/index.js';
import { measureGoSketch } from './go-sketch.js';

const GO_SKETCH_RENDERS_PER_SECOND = 150_000;
const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const GIB = 1024 ** 3;

/** The default isolation as a literal: every part new, none validated before. */
const defaultConfig = (): IsolationConfig => ({
  name: 'web',
  rootfs: '/var/lib/machines/web',
  boot: true,
  command: [],
  environment: [],
  landlock: landlockPreset('server'),
  seccomp: { profile: 'default', allow: [], deny: [], action: { kind: 'errno', errno: 1 } },
  resources: {
    delegate: true,
    memory: { high: { kind: 'bytes', bytes: GIB }, max: { kind: 'bytes', bytes: 2 * GIB } },
    cpu: { weight: 100 },
    io: { weight: 100, devices: [] },
    tasks: { max: { kind: 'count', count: 4096 } },
  },
  network: {
    mode: 'private',
    bridge: 'voltbr0',
    subnet: '10.87.0.0/16',
    ports: [],
    dns: ['1.1.1.1', '1.0.0.1'],
    searchDomains: [],
  },
  privateUsers: true,
  readOnlyRoot: false,
});

/** A profile that sets something in every layer, as a literal config. */
const fullConfig = (): IsolationConfig => ({
  name: 'api',
  rootfs: '/var/lib/machines/api',
  boot: false,
  command: ['/usr/bin/api', '--port=8080'],
  environment: [['MODE', 'production']],
  landlock: landlockPreset('server'),
  seccomp: { profile: 'default', allow: [], deny: ['ptrace'], action: { kind: 'errno', errno: 13 } },
  resources: {
    delegate: true,
    memory: { high: { kind: 'bytes', bytes: 768 * 2 ** 20 }, max: { kind: 'bytes', bytes: GIB } },
    cpu: { weight: 200, allowedCpus: [0, 1] },
    io: { weight: 100, devices: [] },
    tasks: { max: { kind: 'count', count: 512 } },
  },
  network: {
    mode: 'private',
    bridge: 'voltbr0',
    subnet: '10.87.0.0/16',
    ports: [{ protocol: 'tcp', hostPort: 8080, containerPort: 8080 }],
    dns: ['9.9.9.9'],
    searchDomains: [],
  },
  privateUsers: true,
  readOnlyRoot: true,
});

const documents: Record<string, unknown> = {
  default: { name: 'web' },
  full: {
    name: 'api',
    boot: false,
    command: ['/usr/bin/api', '--port=8080'],
    environment: { MODE: 'production' },
    seccomp: { profile: 'default', deny: ['ptrace'], action: { errno: 'EACCES' } },
    resources: {
      memory: { max: '1G', high: '768M' },
      cpu: { weight: 200, allowedCpus: '0-1' },
      tasks: { max: 512 },
    },
    network: { ports: ['tcp:8080:8080'], dns: ['9.9.9.9'] },
    readOnlyRoot: true,
  },
};

function fromDocument(document: unknown): () => void {
  return () => {
    const profile = safeParseProfile(document);
    if (!profile.ok) throw profile.error;
    renderPlan(isolationFromProfile(profile.value), target);
  };
}

const validatedDefault = renderPlan(defaultConfig(), target).config;
const validatedFull = renderPlan(fullConfig(), target).config;

let containers = 0;
// The default parts again, equal but not the same values: validated anew from a copy.
const otherDefaultParts = renderPlan(structuredClone(defaultConfig()), target).config;
if (
  JSON.stringify(
    renderPlan({ ...otherDefaultParts, name: 'web-1', rootfs: '/var/lib/machines/web-1' }, target),
  ) !== JSON.stringify(renderPlan(defaultIsolation('web-1'), target))
)
  throw new Error('the other default parts render another plan than the default');

const cases: readonly (readonly [string, () => void])[] = [
  // As the sketch renders DefaultIsolation(rootfs): a new container each time, sharing the default parts,
  // which are validated values (checked once, when the module loads); its name and rootfs are checked.
  [
    'default profile, from defaultIsolation(name)',
    () => renderPlan(defaultIsolation(`web-${containers++ % 4096}`), target),
  ],
  [
    'default profile, from defaultIsolation(name), two profiles in turn (nothing kept)',
    () => {
      const name = `web-${containers++ % 4096}`;
      const config =
        containers % 2 === 0
          ? defaultIsolation(name)
          : { ...otherDefaultParts, name, rootfs: `/var/lib/machines/${name}` };
      renderPlan(config, target);
    },
  ],
  ['default profile, from a config', () => renderPlan(defaultConfig(), target)],
  ['full profile, from a config', () => renderPlan(fullConfig(), target)],
  // Not a validated plan: the config was validated once before, so this is rendering alone, which is all
  // the sketch does.
  ['default profile, rendering alone', () => renderPlan(validatedDefault, target)],
  ['full profile, rendering alone', () => renderPlan(validatedFull, target)],
  ['default profile, from a profile document', fromDocument(documents['default'])],
  ['full profile, from a profile document', fromDocument(documents['full'])],
];

// The two literals must be the plans the documents give, or the comparison would be of different work.
for (const [literal, document] of [
  [defaultConfig(), documents['default']],
  [fullConfig(), documents['full']],
] as const) {
  const profile = safeParseProfile(document);
  if (!profile.ok) throw profile.error;
  const a = JSON.stringify(renderPlan(literal, target).files);
  const b = JSON.stringify(renderPlan(isolationFromProfile(profile.value), target).files);
  if (a !== b) throw new Error(`the ${literal.name} literal renders another plan than its document`);
}

/** Renders per second over `ms` milliseconds. */
function rate(renderOnce: () => void, ms: number): number {
  let renders = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) renderOnce();
    renders += 100;
  }
  return renders / ((performance.now() - start) / 1000);
}

const sketchFile = process.env['VOLT_GO_SKETCH'];
const sketchRounds: number[] = [];
function measureSketch(): void {
  if (sketchFile === undefined) return;
  const measured = measureGoSketch(sketchFile, 3);
  if ('unavailable' in measured) console.log(`Go sketch not measured: ${measured.unavailable}`);
  else sketchRounds.push(...measured.rounds);
}
measureSketch();

const results: (readonly [string, number])[] = [];
for (const [title, renderOnce] of cases) {
  rate(renderOnce, 1_000); // warm-up: the JIT settles
  const rounds = [rate(renderOnce, 1_000), rate(renderOnce, 1_000), rate(renderOnce, 1_000)].sort(
    (a, b) => a - b,
  );
  results.push([title, rounds[1] ?? 0]);
}
measureSketch();

const sketchHere =
  sketchRounds.length > 0 ? sketchRounds.sort((a, b) => a - b)[sketchRounds.length >> 1] : undefined;
if (sketchHere !== undefined) {
  console.log(
    `Go sketch measured on this machine: ${Math.round(sketchHere).toLocaleString('en')} renders/s (DefaultIsolation + NspawnArgs + NspawnConfigBlock, one core, no validation)`,
  );
}
for (const [title, perSecond] of results) {
  const what = title.endsWith('rendering alone') ? 'plans/s' : 'validated plans/s';
  const measured =
    sketchHere === undefined ? '' : `, ${(perSecond / sketchHere).toFixed(2)}x the sketch measured here`;
  console.log(
    `${title}: ${Math.round(perSecond).toLocaleString('en')} ${what} (median of three 1 s rounds) = ${(perSecond / GO_SKETCH_RENDERS_PER_SECOND).toFixed(2)}x the Go sketch's stated ${GO_SKETCH_RENDERS_PER_SECOND.toLocaleString('en')}/s${measured}`,
  );
}
