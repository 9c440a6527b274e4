import { loadProfileSource, profileJsonSchema } from '@volt/core/profile';
import { describe, expect, it } from 'vitest';
import { validateIsolation } from './isolation.js';
import { acceptedKeys, locateProblems } from './problems.js';

async function problemsOf(text: string): Promise<string[]> {
  const loaded = await loadProfileSource(text);
  if (!loaded.ok) throw loaded.error;
  return locateProblems(loaded.value, validateIsolation(loaded.value.document), profileJsonSchema()).map(
    (problem) => `${problem.line}:${problem.column} ${problem.code} ${problem.path}`,
  );
}

describe('locateProblems: each problem where it was written', () => {
  it('places three mistakes on different lines at their line and column', async () => {
    const text = [
      'name: web',
      'boot: false',
      'command: [/bin/app]',
      'resources:',
      '  memory:',
      '    max: 2GB',
      '  cpu: { weight: 20000 }',
      'network:',
      '  mode: bridged',
      '',
    ].join('\n');
    expect(await problemsOf(text)).toEqual([
      '6:10 INVALID_BYTE_SIZE resources.memory.max',
      '7:18 INVALID_WEIGHT resources.cpu.weight',
      '9:9 INVALID_VALUE network.mode',
    ]);
  });

  it('places an unknown key at the key itself, with the keys accepted there', async () => {
    const loaded = await loadProfileSource(
      'name: web\nresources:\n  tasks: { max: 8 }\n  memroy:\n    max: 1G\n',
    );
    if (!loaded.ok) throw loaded.error;
    const [problem] = locateProblems(
      loaded.value,
      validateIsolation(loaded.value.document),
      profileJsonSchema(),
    );
    expect(problem).toMatchObject({ line: 4, column: 3, code: 'INVALID_PROFILE', path: 'resources' });
    expect(problem?.message).toMatch(/^unknown key\(s\) "memroy"; accepted keys: .*\bmemory\b/);
    expect(await problemsOf('boot: true\nnmae: web\n')).toEqual([
      '2:1 INVALID_PROFILE ',
      '1:1 INVALID_PROFILE name',
    ]);
    expect(await problemsOf('name: web\nlandlock:\n  preset: server\n  pahts: []\n')).toEqual([
      '4:3 INVALID_PROFILE landlock',
    ]);
  });

  it('places a problem of a part and a rule across parts at their keys, a missing key at its holder', async () => {
    const text = 'name: web\nboot: false\nseccomp:\n  deny: [mount, no_such_call]\n';
    expect(await problemsOf(text)).toEqual(['4:17 INVALID_SYSCALL seccomp.deny[1]', '1:1 CONFLICT command']);
  });

  it('knows the keys a map accepts from the JSON Schema, and none where any key goes', () => {
    const schema = profileJsonSchema();
    expect(acceptedKeys(schema, ['resources', 'tasks'])).toEqual(['max']);
    expect(acceptedKeys(schema, ['landlock', 'paths', 0])).toEqual(['path', 'access', 'optional']);
    expect(acceptedKeys(schema, ['environment'])).toBeUndefined();
    expect(acceptedKeys(schema, ['name'])).toBeUndefined();
    expect(acceptedKeys(schema, [])).toContain('resources');
  });
});
