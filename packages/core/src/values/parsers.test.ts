// Properties every value parser of core shares: it never throws, it answers with a Result, and a refusal is
// a configuration VoltError whose message quotes the input and says what is accepted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Result, VoltError } from '../errors.js';
import { parseByteLimit, parseByteSize, parsePercentage } from './bytes.js';
import { parseErrno } from './errno.js';
import { parseIpAddress, parseSubnet } from './ip.js';
import {
  parseAbsolutePath,
  parseDevicePath,
  parseDomainName,
  parseEnvironmentName,
  parseEnvironmentVariable,
  parseInterfaceName,
  parseMachineName,
} from './names.js';
import { parseIndexSet, parseInteger, parsePort, parseTimeSpan, parseWeight } from './numbers.js';
import { parseFreeText } from './text.js';

const PARSERS: readonly (readonly [string, (text: string) => Result<unknown>])[] = [
  ['parseByteSize', (text) => parseByteSize(text)],
  ['parseByteSize base 1000', (text) => parseByteSize(text, 1000)],
  ['parsePercentage', (text) => parsePercentage(text)],
  ['parseByteLimit', (text) => parseByteLimit(text)],
  [
    'parseByteLimit strict',
    (text) => parseByteLimit(text, { minBytes: 1, allowInfinity: false, allowPercent: false }),
  ],
  ['parseIndexSet', parseIndexSet],
  ['parseInteger', (text) => parseInteger(text, { min: 1, max: 9, what: 'a digit' })],
  ['parseWeight', parseWeight],
  ['parsePort', parsePort],
  ['parseTimeSpan', parseTimeSpan],
  ['parseIpAddress', (text) => parseIpAddress(text)],
  ['parseSubnet', (text) => parseSubnet(text)],
  ['parseMachineName', parseMachineName],
  ['parseInterfaceName', parseInterfaceName],
  ['parseAbsolutePath', parseAbsolutePath],
  ['parseEnvironmentName', parseEnvironmentName],
  ['parseDevicePath', parseDevicePath],
  ['parseFreeText', parseFreeText],
  ['parseEnvironmentVariable', (text) => parseEnvironmentVariable('NAME', text)],
  ['parseEnvironmentVariable of a name', (text) => parseEnvironmentVariable(text, 'value')],
  ['parseDomainName', parseDomainName],
  ['parseErrno', parseErrno],
];

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom(...'0123456789.-+:/%‰‱ \t\n=[]"\'\\$;`KMGTPEkmgsabcdefx'.split('')) }),
  fc.constantFrom('', ' ', '\n', '\u0000', 'infinity', '__proto__', 'constructor', '-0', '1e400', 'NaN', '%'),
);

describe.each(PARSERS)('%s', (_name, parse) => {
  it('never throws; a refusal is a config VoltError that quotes the input and says what is accepted', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const result = parse(text);
        expect(typeof result.ok).toBe('boolean');
        if (result.ok) return;
        expect(VoltError.isInstance(result.error)).toBe(true);
        expect(result.error.category).toBe('config');
        expect(result.issues[0]).toBe(result.error);
        expect(result.error.message).toMatch(/accepted: /);
        expect(result.error.path).toEqual([]);
      }),
    );
  });
});
