import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readNspawnBindSpec, readNspawnSettingsWords } from '../../test/systemd-readers.js';
import { freeTextArbitrary, pathArbitrary } from '../../test/text-arbitraries.js';
import {
  NSPAWN_BIND_OPTIONS,
  nspawnBindSpec,
  nspawnCommandArguments,
  nspawnSetenvArgument,
  nspawnSettingsWord,
  nspawnSettingsWords,
} from './nspawn.js';
import { checkUnitFileEntry, parseUnitFile, renderUnitFile, unitFileValues } from './unit-file.js';

/** What nspawn reads from a `.nspawn` line written with `renderUnitFile`. */
function readBack(key: string, value: string): string {
  const file = parseUnitFile(renderUnitFile({ sections: [{ name: 'Exec', entries: [[key, value]] }] }));
  if (!file.ok) throw file.error;
  return unitFileValues(file.value, 'Exec', key)[0] as string;
}

describe('nspawnSettingsWord', () => {
  it.each([
    ['/bin/echo', '/bin/echo'],
    ['', '""'],
    ['hello world', '"hello world"'],
    [' lead', '" lead"'],
    ['trail\t', '"trail\t"'],
    ['say "hi"', `"say "'"'"hi"'"'`],
    ['"', `'"'`],
    ["it's", `"it's"`],
    ['a\\b', 'a\\b'],
    ['ends\\', '"ends\\"'],
    ['%i$HOME;', '%i$HOME;'],
    ['ü∞ 😀', '"ü∞ 😀"'],
    ['a=b', 'a=b'],
  ])('writes %j as %s', (word, written) => {
    expect(nspawnSettingsWord(word)).toBe(written);
  });

  it('reads back as the same words through the line and config_parse_strv (property, model)', () => {
    fc.assert(
      fc.property(fc.array(freeTextArbitrary, { minLength: 1, maxLength: 6 }), (words) => {
        const value = nspawnSettingsWords(words);
        expect(checkUnitFileEntry('Parameters', value).ok).toBe(true);
        expect(readNspawnSettingsWords(readBack('Parameters', value))).toEqual(words);
      }),
    );
  });

  it('writes one Environment= word per variable', () => {
    const value = nspawnSettingsWord('GREETING=hello "world"');
    expect(value).toBe(`"GREETING=hello "'"'"world"'"'`);
    expect(readNspawnSettingsWords(value)).toEqual(['GREETING=hello "world"']);
  });
});

describe('nspawnBindSpec', () => {
  it.each([
    [{ source: '/srv/data', target: '/data' }, '/srv/data:/data'],
    [{ source: '/srv/a:b', target: '/c\\d' }, '/srv/a\\:b:/c\\\\d'],
    [{ source: '/my data', target: '/my data ' }, '/my data:/my data :rbind'],
    [{ source: '/x', target: '/y\t' }, '/x:/y\t:rbind'],
    [{ source: '/x', target: '/y', options: ['norbind', 'idmap'] as const }, '/x:/y:norbind,idmap'],
    [{ source: '/100%', target: '/"q"' }, '/100%:/"q"'],
  ])('writes %j as %s', (bind, written) => {
    expect(nspawnBindSpec(bind)).toBe(written);
  });

  it('reads back as the same source, target and options on both routes (property, model)', () => {
    const options = fc.option(fc.subarray([...NSPAWN_BIND_OPTIONS], { minLength: 1 }), { nil: undefined });
    fc.assert(
      fc.property(pathArbitrary, pathArbitrary, options, (source, target, chosen) => {
        const spec = nspawnBindSpec(
          chosen === undefined ? { source, target } : { source, target, options: chosen },
        );
        const expected = chosen?.join(',') ?? (/[ \t]$/.test(target) ? 'rbind' : undefined);
        expect(readNspawnBindSpec(spec)).toEqual([source, target, expected]);
        expect(checkUnitFileEntry('Bind', spec).ok).toBe(true);
        expect(readNspawnBindSpec(readBack('Bind', spec))).toEqual([source, target, expected]);
      }),
    );
  });
});

describe('the command line', () => {
  it('ends options with -- before the command, every argument verbatim', () => {
    expect(nspawnCommandArguments(['-x', 'a b', ''])).toEqual(['--', '-x', 'a b', '']);
  });

  it('passes an environment variable verbatim after --setenv=', () => {
    expect(nspawnSetenvArgument('A', ' = "%i" $B ')).toBe('--setenv=A= = "%i" $B ');
  });
});
