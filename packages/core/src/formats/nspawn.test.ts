import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import { freeTextArbitrary, pathArbitrary } from '../../test/text-arbitraries.js';
import {
  NSPAWN_BIND_OPTIONS,
  nspawnBindSpec,
  nspawnCommandArguments,
  nspawnSetenvArgument,
  nspawnSettingsWord,
  nspawnSettingsWords,
  parseNspawnBindSpec,
  parseNspawnSettingsWords,
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
        const written = nspawnSettingsWords(words);
        expect(checkUnitFileEntry('Parameters', written).ok).toBe(true);
        expect(value(parseNspawnSettingsWords(readBack('Parameters', written)))).toEqual(words);
      }),
    );
  });

  it('writes one Environment= word per variable', () => {
    const written = nspawnSettingsWord('GREETING=hello "world"');
    expect(written).toBe(`"GREETING=hello "'"'"world"'"'`);
    expect(value(parseNspawnSettingsWords(written))).toEqual(['GREETING=hello "world"']);
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
        const options = chosen ?? (/[ \t]$/.test(target) ? ['rbind'] : undefined);
        const expected = options === undefined ? { source, target } : { source, target, options };
        expect(value(parseNspawnBindSpec(spec))).toEqual(expected);
        expect(checkUnitFileEntry('Bind', spec).ok).toBe(true);
        expect(value(parseNspawnBindSpec(readBack('Bind', spec)))).toEqual(expected);
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

describe('parseNspawnSettingsWords', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['a  b\tc', ['a', 'b', 'c']],
    [`x"y z"'w'`, ['xy zw']],
    ['""', ['']],
    ['\'\' ""', ['', '']],
    ['a\\b \\"c d"', ['a\\b', '\\c d']],
    ['%i $HOME', ['%i', '$HOME']],
    ['"a\\" b', ['a\\', 'b']],
  ])('reads %j as %j', (text, words) => {
    expect(value(parseNspawnSettingsWords(text))).toEqual(words);
  });

  it.each([
    ['"open', 'a " is not closed'],
    ["it's", "a ' is not closed"],
  ])('refuses %j (%s)', (text, why) => {
    const error = rejected(parseNspawnSettingsWords(text));
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toContain(why);
  });
});

describe('parseNspawnBindSpec', () => {
  it.each([
    ['/a', { source: '/a', target: '/a' }],
    ['/a:/b', { source: '/a', target: '/b' }],
    ['/a\\:b\\\\:/c\\d', { source: '/a:b\\', target: '/cd' }],
    ['/a:/b:', { source: '/a', target: '/b' }],
    ['/a:/b:norbind,,idmap', { source: '/a', target: '/b', options: ['norbind', 'idmap'] }],
    ['/"q" x:/%i', { source: '/"q" x', target: '/%i' }],
  ])('reads %j', (text, bind) => {
    expect(value(parseNspawnBindSpec(text))).toEqual(bind);
  });

  it.each([
    ['', 'its source is not an absolute path'],
    ['rel:/b', 'its source is not an absolute path'],
    ['+/a:/b', 'its source is not an absolute path'],
    [':/b', 'its source is not an absolute path'],
    ['/a:', 'its target is not an absolute path'],
    ['/a:b', 'its target is not an absolute path'],
    ['/a:/b:ro', '"ro" is not a bind option'],
    ['/a\\', 'it ends in a back-slash'],
  ])('refuses %j (%s)', (text, why) => {
    const error = rejected(parseNspawnBindSpec(text));
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toContain(why);
  });
});
