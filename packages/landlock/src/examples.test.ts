// Every `@example` of this package's TSDoc is code: each block is type-checked as a module of its own
// (with the public API and its own file's exports in scope), and each block that does not wait for the
// host (no `await`) runs, checking every line written as `expression; // result` whose result is a
// literal. `// false, code X` after an expression ending in `.ok` also checks the Result's error code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '@volt/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

interface Example {
  /** The file, relative to src/. */
  readonly file: string;
  readonly index: number;
  readonly code: string;
}

const SRC = dirname(fileURLToPath(import.meta.url));
const CLAIM = /^(?!\s*(?:\/\/|const |let |import |await ))(.+?);\s*\/\/\s*(.+)$/;

function examples(): Example[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('.test.'))
    .sort()
    .flatMap((file) =>
      [
        ...readFileSync(join(SRC, file), 'utf8').matchAll(
          /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\s*\*\s*```/g,
        ),
      ].map((block, index) => ({
        file,
        index,
        code: (block[1] as string)
          .split('\n')
          .map((line) => line.replace(/^\s*\* ?/, ''))
          .join('\n'),
      })),
    );
}

/** The names a module exports, read from its declarations (values and types alike). */
function exportedNames(file: string): string[] {
  const source = readFileSync(join(SRC, file), 'utf8');
  return [...source.matchAll(/^export (?:async )?(?:function|const|interface|type) (\w+)/gm)].map(
    (match) => match[1] as string,
  );
}

/** The public names, from index.ts's export lists. */
function publicNames(): string[] {
  const index = readFileSync(join(SRC, 'index.ts'), 'utf8');
  return [...index.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((list) =>
    (list[1] as string)
      .split(',')
      .map((name) => name.replace(/^\s*type\s+/, '').trim())
      .filter((name) => name !== ''),
  );
}

/** An example as a module next to its file: the public API and the file's own exports imported. */
function asModule(example: Example): string {
  const everyPublic = publicNames();
  const own = exportedNames(example.file).filter((name) => !everyPublic.includes(name));
  const toIndex = relative(dirname(example.file), 'index.js');
  const base = example.file.replace(/^.*\//, '').replace(/\.ts$/, '.js');
  return [
    `import { ${everyPublic.join(', ')} } from '${toIndex.startsWith('.') ? toIndex : `./${toIndex}`}';`,
    own.length > 0 ? `import { ${own.join(', ')} } from './${base}';` : '',
    example.code,
    'export {};',
  ].join('\n');
}

function typeErrors(all: readonly Example[]): string[] {
  const modules: Readonly<Record<string, string>> = Object.fromEntries(
    all.map((example) => [
      join(SRC, dirname(example.file), `__example_${example.file.replace(/\W/g, '_')}_${example.index}.ts`),
      asModule(example),
    ]),
  );
  const virtual = (file: string) => Object.hasOwn(modules, file);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => modules[file] ?? readFile(file);
  host.fileExists = (file) => virtual(file) || fileExists(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = modules[file];
    return text === undefined
      ? getSourceFile(file, language, ...rest)
      : ts.createSourceFile(file, text, language, true);
  };
  const program = ts.createProgram(Object.keys(modules), options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file !== undefined && virtual(diagnostic.file.fileName))
    .map((diagnostic) => {
      const file = diagnostic.file as ts.SourceFile;
      const line = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
      const code = file.text.split('\n').slice(2, -1).join('\n');
      return `${relative(SRC, file.fileName)}:${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}\n${code}`;
    });
}

/** The claimed result: a literal, or `true`/`false` with an optional error code; undefined when it is prose. */
function claimOf(text: string): { value: unknown; code?: string } | undefined {
  const coded = /^(true|false)(?:, code ([A-Z_]+))?\b/.exec(text);
  if (coded !== null)
    return { value: coded[1] === 'true', ...(coded[2] === undefined ? {} : { code: coded[2] }) };
  try {
    return { value: new Function(`return (${text});`)() };
  } catch {
    return undefined;
  }
}

/** Runs an example, its claims turned into checks: how many were checked, and what did not hold. */
async function run(example: Example): Promise<{ checked: number; wrong: string[] }> {
  const wrong: string[] = [];
  let checked = 0;
  const check = (actual: () => unknown, result: () => unknown, text: string, claim: string) => {
    const claimed = claimOf(claim);
    const value = actual();
    if (claimed === undefined) return;
    checked++;
    try {
      expect(value).toEqual(claimed.value);
      if (claimed.code !== undefined && text.endsWith('.ok'))
        expect((result() as { error?: { code?: string } }).error?.code).toBe(claimed.code);
    } catch (error) {
      wrong.push(`${example.file}: ${text} // ${claim}: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  const body = example.code
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .map((line) => {
      const match = CLAIM.exec(line);
      if (match === null) return line;
      const [, text = '', claim = ''] = match;
      const result = text.endsWith('.ok') ? text.slice(0, -'.ok'.length) : text;
      return `__check(() => (${text}), () => (${result}), ${JSON.stringify(text)}, ${JSON.stringify(claim)});`;
    })
    .join('\n');
  const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = pathToFileURL(join(SRC, example.file.replace(/\.ts$/, '.js'))).href;
  const own = (await import(/* @vite-ignore */ module)) as Record<string, unknown>;
  const scope: Record<string, unknown> = { ...core, ...api, ...own, __check: check };
  await new Function(...Object.keys(scope), js)(...Object.values(scope));
  return { checked, wrong };
}

describe('TSDoc examples', () => {
  const all = examples();

  it('exist for the public API and are many', () => {
    expect(all.length).toBeGreaterThan(50);
  });

  it('type-check, each as a module of its own', { timeout: 120_000 }, () => {
    expect(typeErrors(all)).toEqual([]);
  });

  it('run, and every stated result holds', { timeout: 60_000 }, async () => {
    const pure = all.filter((example) => !/\bawait\b/.test(example.code));
    expect(pure.length).toBeGreaterThan(40);
    const runs = await Promise.all(pure.map(run));
    expect(runs.flatMap((outcome) => outcome.wrong)).toEqual([]);
    expect(runs.reduce((sum, outcome) => sum + outcome.checked, 0)).toBeGreaterThan(50);
  });
});
