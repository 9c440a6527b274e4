import { cpuSharesToWeight } from '@volt/cgroups';
import { DEVICE_LIMITS, RESOURCE_LIMITS, unwrap, type ValidIsolation, VoltError } from '@volt/core';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, type IPod, Pod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseIsolation } from '../model/isolation.js';
import {
  formatKubernetesManifests,
  KUBERNETES_RESOURCES,
  type KubernetesObject,
  type KubernetesTarget,
  renderKubernetes,
} from './kubernetes.js';

const target: KubernetesTarget = {
  landlockAbi: 6,
  image: 'registry.example/web:1',
  kind: 'pod',
  architectures: ['x86_64', 'aarch64'],
};
const isolation = (document: Record<string, unknown>): ValidIsolation =>
  unwrap(parseIsolation({ name: 'web', boot: false, command: ['/usr/bin/app', '--serve'], ...document }));
const manifests = (document: Record<string, unknown>, overrides: Partial<KubernetesTarget> = {}) =>
  renderKubernetes(isolation(document), { ...target, ...overrides });

/** Validates an object against the Kubernetes API schema of its kind (kubernetes-models, offline). */
function validate(object: KubernetesObject): void {
  const models = { Pod, Deployment, ConfigMap, NetworkPolicy } as const;
  const Model = models[object.kind as keyof typeof models];
  if (Model === undefined) throw new Error(`no schema for ${object.kind}`);
  new Model(object as never).validate();
}

const podOf = (objects: readonly KubernetesObject[]) => objects.find((object) => object.kind === 'Pod');

describe('renderKubernetes', () => {
  it('renders the profile as exactly this Pod (every field name checked by the compiler against the API types)', () => {
    const rendered = manifests({
      readOnlyRoot: true,
      environment: { APP_MODE: 'production' },
      network: { dns: ['192.0.2.53'], searchDomains: ['example.test'], ports: ['tcp:8080:80'] },
      resources: { memory: { high: '192M', max: '256M' }, cpu: { weight: 50, quota: '150%' } },
    });
    const expected: IPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/managed-by': 'volt' },
        annotations: { 'container.seccomp.security.alpha.kubernetes.io/web': 'localhost/volt-web.json' },
      },
      spec: {
        hostname: 'web',
        hostUsers: false,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: 'Never',
        dnsPolicy: 'None',
        dnsConfig: { nameservers: ['192.0.2.53'], searches: ['example.test'] },
        containers: [
          {
            name: 'web',
            image: 'registry.example/web:1',
            command: [
              '/usr/local/lib/volt/volt-landlock',
              '--policy',
              '/run/volt/landlock.policy',
              '--',
              '/usr/bin/app',
              '--serve',
            ],
            workingDir: '/',
            env: [
              { name: 'VOLT_CONTAINER', value: 'web' },
              { name: 'VOLT_RUNTIME', value: 'kubernetes' },
              { name: 'APP_MODE', value: 'production' },
            ],
            ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }],
            securityContext: {
              runAsUser: 0,
              runAsGroup: 0,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: {
                drop: ['ALL'],
                add: [
                  'AUDIT_CONTROL',
                  'AUDIT_WRITE',
                  'CHOWN',
                  'DAC_OVERRIDE',
                  'DAC_READ_SEARCH',
                  'FOWNER',
                  'FSETID',
                  'IPC_OWNER',
                  'KILL',
                  'LEASE',
                  'LINUX_IMMUTABLE',
                  'MKNOD',
                  'NET_BIND_SERVICE',
                  'NET_BROADCAST',
                  'NET_RAW',
                  'SETFCAP',
                  'SETGID',
                  'SETPCAP',
                  'SETUID',
                  'SYS_ADMIN',
                  'SYS_BOOT',
                  'SYS_CHROOT',
                  'SYS_NICE',
                  'SYS_PTRACE',
                  'SYS_RESOURCE',
                  'SYS_TTY_CONFIG',
                  'NET_ADMIN',
                ],
              },
              seccompProfile: { type: 'Localhost', localhostProfile: 'volt-web.json' },
            },
            // cpu.weight 50: 412m, which the kubelet writes as 421 shares, which runc's curve makes 50 again
            resources: { limits: { memory: '256Mi', cpu: '1500m' }, requests: { cpu: '412m' } },
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'run', mountPath: '/run' },
              { name: 'volt-landlock', mountPath: '/run/volt', readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'tmp', emptyDir: { medium: 'Memory' } },
          { name: 'run', emptyDir: { medium: 'Memory' } },
          { name: 'volt-landlock', configMap: { name: 'web-landlock', defaultMode: 0o444 } },
        ],
      },
    };
    expect(podOf(rendered.objects)).toEqual(expected);
    expect(rendered.objects.map((object) => object.kind)).toEqual(['ConfigMap', 'Pod']);
    expect(rendered.seccompProfile).toMatchObject({
      localhostProfile: 'volt-web.json',
      nodePath: '/var/lib/kubelet/seccomp/volt-web.json',
      profile: { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'] },
    });
  });

  it('renders manifests the Kubernetes API schema accepts, for every network mode, kind and seccomp profile', () => {
    const variants: readonly [Record<string, unknown>, Partial<KubernetesTarget>][] = [
      [{}, {}],
      [{}, { kind: 'deployment' }],
      [{ network: { mode: 'none' }, landlock: 'none' }, {}],
      [{ network: { mode: 'host' }, seccomp: 'unconfined' }, { kind: 'deployment' }],
      [{ network: { mode: 'private', ports: ['udp:5353:53'] }, privateUsers: false }, {}],
      [{ resources: { memory: { max: '50%' }, cpu: { weight: 'idle' } } }, {}],
    ];
    for (const [document, overrides] of variants) {
      const rendered = manifests(document, overrides);
      for (const object of rendered.objects) validate(object);
    }
    expect(() =>
      validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { hostUsers: 'no' } }),
    ).toThrow(/hostUsers/);
  });

  it('renders a Deployment of one replica around the same pod, restarting as Deployments must', () => {
    const rendered = manifests({}, { kind: 'deployment' });
    const deployment = rendered.objects.find((object) => object.kind === 'Deployment') as KubernetesObject & {
      spec: { replicas: number; selector: unknown; template: { spec: IPod['spec'] } };
    };
    const pod = podOf(manifests({}).objects) as IPod;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
    expect(deployment.spec.template.spec).toEqual({ ...pod.spec, restartPolicy: 'Always' });
  });

  it('follows the network mode: hostNetwork for host (no user namespace: Kubernetes refuses both), a NetworkPolicy for none', () => {
    const host = podOf(manifests({ network: { mode: 'host' } }).objects) as IPod;
    expect(host.spec?.hostNetwork).toBe(true);
    expect(host.spec?.hostUsers).toBeUndefined();
    expect(
      manifests({ network: { mode: 'host' } }).enforcement.find((entry) => entry.layer === 'users'),
    ).toMatchObject({ status: 'not-enforced' });
    const none = manifests({ network: { mode: 'none' } });
    expect(none.objects.at(-1)).toMatchObject({
      kind: 'NetworkPolicy',
      spec: { policyTypes: ['Ingress', 'Egress'] },
    });
    expect(none.enforcement.find((entry) => entry.layer === 'network')?.status).toBe('partially-enforced');
  });

  it('names every limit Kubernetes cannot say in the report, and carries the others', () => {
    const rendered = manifests({
      resources: {
        memory: { high: '1G', max: '2G', min: '64M', swapMax: '0' },
        cpu: { weight: 100, allowedCpus: '0-1', quotaPeriod: '50ms', quota: '50%' },
        io: { weight: 200 },
        tasks: { max: 64 },
      },
    });
    const resources = rendered.enforcement.find((entry) => entry.layer === 'resources');
    expect(resources?.status).toBe('partially-enforced');
    for (const key of [
      'memory.high',
      'memory.min',
      'memory.swapMax',
      'cpu.allowedCpus',
      'cpu.quotaPeriod',
      'io.weight',
      'tasks.max',
    ]) {
      expect(resources?.detail).toContain(`${key} (`);
    }
    // the weight asks for 1000m, above the 500m limit: Kubernetes refuses that, so the request is the limit
    const container = (podOf(rendered.objects) as IPod).spec?.containers[0];
    expect(container?.resources).toEqual({
      limits: { memory: '2Gi', cpu: '500m' },
      requests: { cpu: '500m' },
    });
    expect(resources?.detail).toContain('requests.cpu lowered to the limit 500m');
    // the kubelet's own period is no omission
    expect(
      manifests({ resources: { cpu: { quota: '50%', quotaPeriod: '100ms' } } }).enforcement.find(
        (entry) => entry.layer === 'resources',
      )?.detail,
    ).not.toContain('cpu.quotaPeriod');
  });

  it("turns every cpu.weight into the request whose shares (the kubelet's millicores × 1024 / 1000) runc maps back to it", () => {
    for (let weight = 1; weight <= 10000; weight++) {
      const pod = podOf(manifests({ resources: { cpu: { weight } } }).objects) as IPod;
      const millicores = Number.parseInt(String(pod.spec?.containers[0]?.resources?.requests?.['cpu']), 10);
      expect(cpuSharesToWeight(Math.max(2, Math.floor((millicores * 1024) / 1000)))).toBe(weight);
    }
  });

  it('has a Kubernetes row for every limit of the resource set', () => {
    expect(Object.keys(KUBERNETES_RESOURCES).sort()).toEqual(
      [...RESOURCE_LIMITS.map((row) => row.key), 'io.devices'].sort(),
    );
    expect(DEVICE_LIMITS.length).toBeGreaterThan(0);
  });

  it('states the Landlock policy ConfigMap and the helper the image must hold; unconfined seccomp loads no profile', () => {
    const rendered = manifests({ seccomp: 'unconfined' }, { helperPath: '/opt/volt/volt-landlock' });
    expect(rendered.objects[0]).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'web-landlock' },
      binaryData: { 'landlock.policy': expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) },
    });
    const landlock = rendered.enforcement.find((entry) => entry.layer === 'landlock');
    expect(landlock?.detail).toContain('the image must hold the helper at /opt/volt/volt-landlock');
    expect(landlock?.detail).toContain('Landlock ABI 6 or later');
    expect(rendered.seccompProfile).toBeUndefined();
    const pod = podOf(rendered.objects) as IPod;
    expect(pod.spec?.containers[0]?.securityContext?.seccompProfile).toEqual({ type: 'Unconfined' });
    expect(pod.metadata?.annotations).toEqual({
      'container.seccomp.security.alpha.kubernetes.io/web': 'unconfined',
    });
  });

  it('refuses a name that is not a DNS label, and a booting container', () => {
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return VoltError.isInstance(error) ? [error.code, error.path] : error;
      }
      return undefined;
    };
    expect(codeOf(() => manifests({ name: 'Web1' }))).toEqual(['INVALID_VALUE', ['name']]);
    expect(codeOf(() => renderKubernetes(unwrap(parseIsolation({ name: 'web' })), target))).toEqual([
      'UNSUPPORTED',
      ['boot'],
    ]);
  });

  it('formats the manifests as a YAML stream that reads back as the same objects, after a comment naming the node path', async () => {
    const rendered = manifests({ network: { mode: 'none' } });
    const text = await formatKubernetesManifests(rendered);
    expect(text).toMatch(
      /^# Generated by Volt isolation\.\n# Install the seccomp profile on every node at \/var\/lib\/kubelet\/seccomp\/volt-web\.json\n/,
    );
    expect(parseAllDocuments(text).map((document) => document.toJSON())).toEqual(rendered.objects);
  });
});
