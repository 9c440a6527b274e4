// Full validated plans rendered per second, in one process, against the original Go sketch's figure
// (about 150,000 renders per second on these machines, validating nothing).
import { performance } from 'node:perf_hooks';
import { safeParseProfile } from '@volt/core/profile';
import { isolationFromProfile, renderPlan } from '../src/index.js';

const GO_SKETCH_RENDERS_PER_SECOND = 150_000;
const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const documents: Record<string, unknown> = {
  'default profile': { name: 'web' },
  'a full profile': {
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

function renderOnce(document: unknown): void {
  const profile = safeParseProfile(document);
  if (!profile.ok) throw profile.error;
  renderPlan(isolationFromProfile(profile.value), target);
}

for (const [title, document] of Object.entries(documents)) {
  for (let i = 0; i < 2_000; i++) renderOnce(document);
  let renders = 0;
  const start = performance.now();
  while (performance.now() - start < 2_000) {
    for (let i = 0; i < 100; i++) renderOnce(document);
    renders += 100;
  }
  const perSecond = renders / ((performance.now() - start) / 1000);
  const ratio = perSecond / GO_SKETCH_RENDERS_PER_SECOND;
  console.log(
    `${title}: ${Math.round(perSecond).toLocaleString('en')} validated plans/s = ${ratio.toFixed(2)}x the Go sketch (${GO_SKETCH_RENDERS_PER_SECOND.toLocaleString('en')}/s, no validation)`,
  );
}
