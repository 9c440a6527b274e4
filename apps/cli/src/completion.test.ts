// The completion scripts, loaded by the real bash, zsh and fish: each completes a sub-command and an
// option, from the same command definitions `volt --help` shows.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_GROUPS } from './commands/groups.js';
import { COMPLETION_SHELLS, completionScript, completionTree } from './completion.js';
import { createProgram } from './program.js';
import { VOLT_BIN } from './testing/volt-bin.js';

const scratch = mkdtempSync(join(tmpdir(), 'vc21-completion-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The script `volt completion SHELL` prints, in a file. */
function script(shell: string): string {
  const file = join(scratch, `volt.${shell}`);
  writeFileSync(file, execFileSync(process.execPath, [VOLT_BIN, 'completion', shell], { encoding: 'utf8' }));
  return file;
}

const bash = (file: string, words: readonly string[]): string[] =>
  execFileSync(
    'bash',
    [
      '-c',
      `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _volt; printf '%s\\n' "\${COMPREPLY[@]}"`,
      file,
      ...words,
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter((line) => line !== '');

// zsh's completion functions run inside its completion widgets; here _describe and _files print what they
// were given, so that the script's own logic runs in the real zsh.
const zsh = (file: string, words: readonly string[]): string[] =>
  execFileSync(
    'zsh',
    [
      '-f',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh parameter expansion, not a template
      'compdef() { : }; _files() { print -r -- "<files>" }; _describe() { local -a c; c=("${(@P)${@[-1]}}"); print -rl -- ${c%%:*} }; source "$1"; shift; words=("$@"); CURRENT=$#; _volt',
      'zsh',
      file,
      ...words,
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter((line) => line !== '');

const fish = (file: string, line: string): string[] =>
  execFileSync('fish', ['-c', `source $argv[1]; complete -C $argv[2]`, file, line], { encoding: 'utf8' })
    .split('\n')
    .filter((entry) => entry !== '')
    .map((entry) => entry.split('\t')[0] ?? '');

describe('volt completion', () => {
  const full = createProgram('0.0.0');
  for (const [, register] of COMMAND_GROUPS) register(full);
  const tree = completionTree(full);

  it('is generated from the command definitions: every command and option is in every script', () => {
    const commands = full.commands.map((command) => command.name());
    expect(tree.subcommands.map((node) => node.path)).toEqual(commands.map((name) => `volt ${name}`));
    const render = tree.subcommands.find((node) => node.path === 'volt render');
    expect(render?.options.flatMap((option) => option.flags)).toEqual(
      expect.arrayContaining(['--name', '-n', '--profile', '--json', '-h', '--help']),
    );
    for (const shell of COMPLETION_SHELLS) {
      const text = completionScript(tree, shell);
      for (const name of commands) expect(text).toContain(name);
      expect(text).toContain('--memory-max');
      expect(text).toContain('volt net sandbox');
    }
  });

  it('loads in bash and completes a sub-command, a nested one and an option', () => {
    const file = script('bash');
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    expect(bash(file, ['volt', 're'])).toEqual(['render', 'remove']);
    expect(bash(file, ['volt', 'net', 'sandbox', ''])).toEqual(
      expect.arrayContaining(['up', 'down', 'status']),
    );
    expect(bash(file, ['volt', 'render', '--memory-m'])).toEqual(['--memory-max']);
    // the value of an option is not taken for a command; after it, the command's options again
    expect(bash(file, ['volt', 'render', '--name', 'net', '--js'])).toEqual(['--json']);
    expect(execFileSync('bash', ['-c', 'source "$0"; complete -p volt', file], { encoding: 'utf8' })).toBe(
      'complete -o default -F _volt volt\n',
    );
  });

  it('loads in zsh under compinit and completes a sub-command and an option', () => {
    const file = script('zsh');
    expect(
      execFileSync(
        'zsh',
        [
          '-f',
          '-c',
          'autoload -U compinit; compinit -u -D; source "$1"; print -r -- $_comps[volt]',
          'zsh',
          file,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, HOME: scratch },
        },
      ),
    ).toBe('_volt\n');
    expect(zsh(file, ['volt', 're'])).toContain('render');
    expect(zsh(file, ['volt', 'validate', '--'])).toEqual(expect.arrayContaining(['--json', '--help']));
    expect(zsh(file, ['volt', 'net', 'sandbox', ''])).toEqual(
      expect.arrayContaining(['up', 'down', 'status']),
    );
  });

  it('loads in fish and completes a sub-command and an option with their descriptions', () => {
    const file = script('fish');
    expect(fish(file, 'volt re')).toEqual(['remove', 'render']);
    expect(fish(file, 'volt render --memory-m')).toEqual(['--memory-max']);
    expect(fish(file, 'volt net sandbox ')).toEqual(['down', 'status', 'up']);
    expect(
      execFileSync('fish', ['-c', `source $argv[1]; complete -C 'volt probe --j'`, file], {
        encoding: 'utf8',
      }),
    ).toBe('--json\tprint the facts as JSON\n');
  });

  it('refuses a shell it does not know', () => {
    const run = spawnSync(process.execPath, [VOLT_BIN, 'completion', 'tcsh'], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([
      2,
      expect.stringMatching(/^volt: USAGE .*"tcsh" is not accepted; accepted: bash, zsh, fish/),
    ]);
  });
});
