// Runs the `@example` lines of core's TSDoc that state their result (`expr; // result`), so that the docs
// cannot drift from the code. `// false, code X` also checks the error code of the Result before `.ok`.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from './index.js';
import * as profile from './model/profile.js';

interface Example {
  readonly file: string;
  readonly expression: string;
  readonly claim: string;
}

const scope: Record<string, unknown> = { ...core, ...profile };
const AsyncFunction = (async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

function examples(): Example[] {
  const directory = new URL('.', import.meta.url);
  const found: Example[] = [];
  for (const file of readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter(
    (name) => name.endsWith('.ts') && !name.includes('.test.'),
  )) {
    const source = readFileSync(new URL(file, directory), 'utf8');
    for (const block of source.matchAll(/@example\s*\n\s*\*\s*```ts\n([\s\S]*?)```/g)) {
      for (const raw of (block[1] as string).split('\n')) {
        const match = /^\s*\*\s*(?!\/\/)(.+?);\s*\/\/\s*(.+)$/.exec(raw);
        if (match !== null) found.push({ file, expression: match[1] as string, claim: match[2] as string });
      }
    }
  }
  return found;
}

async function evaluate(expression: string): Promise<{ value?: unknown; error?: unknown }> {
  try {
    const run = new AsyncFunction(...Object.keys(scope), `return (${expression});`);
    return { value: await run(...Object.values(scope)) };
  } catch (error) {
    return { error };
  }
}

function literal(text: string): { value?: unknown; parsed: boolean } {
  try {
    return { value: new Function(`return (${text});`)(), parsed: true };
  } catch {
    return { parsed: false };
  }
}

describe('TSDoc examples', () => {
  const all = examples();

  it('every stated result holds', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const example of all) {
      const where = `${example.file}: ${example.expression} // ${example.claim}`;
      const coded = /^(true|false)(?:, code ([A-Z_]+))?\b/.exec(example.claim);
      const claimed = coded === null ? literal(example.claim) : { value: coded[1] === 'true', parsed: true };
      if (!claimed.parsed) continue;
      const actual = await evaluate(example.expression);
      if ('error' in actual && actual.error instanceof ReferenceError) continue; // uses a variable of the example
      checked++;
      if ('error' in actual) {
        wrong.push(`${where}: threw ${String(actual.error)}`);
        continue;
      }
      try {
        expect(actual.value).toEqual(claimed.value);
      } catch {
        wrong.push(`${where}: got ${JSON.stringify(actual.value)}`);
        continue;
      }
      const code = coded?.[2];
      if (code !== undefined && example.expression.endsWith('.ok')) {
        const result = await evaluate(example.expression.slice(0, -'.ok'.length));
        const error = (result.value as { error?: { code?: string } } | undefined)?.error;
        if (error?.code !== code) wrong.push(`${where}: the code is ${error?.code}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
