// The newcomer's walk-through in the root README, run as a script: every `sh` block between the
// `<!-- walkthrough -->` markers runs, in order, in one bash (set -euo pipefail) with a fresh HOME, from the
// repository's root; a `text` block right after an `sh` block is what that block must print, exactly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(repository, 'README.md'), 'utf8');

interface Block {
  readonly language: string;
  readonly text: string;
}

/** The fenced blocks of the walk-through, each without the indentation of its fence. */
function walkthroughBlocks(markdown: string): readonly Block[] {
  const start = markdown.indexOf('<!-- walkthrough -->');
  const end = markdown.indexOf('<!-- /walkthrough -->');
  if (start < 0 || end < start) throw new Error('the README has no <!-- walkthrough --> section');
  const blocks: Block[] = [];
  for (const match of markdown.slice(start, end).matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```$/gm)) {
    const indent = (match[1] ?? '').length;
    const lines = (match[3] ?? '')
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.search(/\S|$/))));
    blocks.push({ language: match[2] ?? '', text: lines.join('\n') });
  }
  return blocks;
}

const MARK = 'VOLT-README-BLOCK';
const home = mkdtempSync(join(tmpdir(), 'vc21-readme-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the README walk-through', () => {
  const blocks = walkthroughBlocks(readme);
  const steps = blocks.flatMap((block, index) => {
    if (block.language !== 'sh') return [];
    const next = blocks[index + 1];
    return [{ script: block.text, expected: next?.language === 'text' ? next.text : undefined }];
  });

  it('has commands to run, and outputs to compare', () => {
    expect(steps.length).toBeGreaterThanOrEqual(6);
    expect(steps.filter((step) => step.expected !== undefined).length).toBeGreaterThanOrEqual(4);
    for (const command of ['volt validate', 'volt explain', 'volt render', 'volt apply --dry-run']) {
      expect(steps.some((step) => step.script.includes(command))).toBe(true);
    }
  });

  it('runs from a clone, as a newcomer would, and prints what it shows', () => {
    const script = [
      'set -euo pipefail',
      'exec 2>&1',
      ...steps.flatMap((step, index) => [`echo ${MARK} ${index}`, step.script]),
      `echo ${MARK} end`,
    ].join('\n');
    const run = spawnSync('bash', ['-c', script], {
      cwd: repository,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: home, LANG: 'C.UTF-8' },
      timeout: 120_000,
    });
    expect(run.stdout).toContain(`${MARK} end`);
    expect(run.status).toBe(0);
    const outputs = run.stdout.split(new RegExp(`^${MARK} .*\\n`, 'm')).slice(1);
    steps.forEach((step, index) => {
      if (step.expected !== undefined) expect(outputs[index], step.script).toBe(step.expected);
    });
  });
});
