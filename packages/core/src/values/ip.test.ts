import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import { unwrap } from '../errors.js';
import { ipFromBytes, parseInterfaceAddress, parseIpAddress, parseSubnet, subnetContains } from './ip.js';

/** The WHATWG URL serialiser compresses IPv6 the RFC 5952 way (longest run of two or more zero groups). */
function urlCanonicalIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

const ipv6Text = (bytes: readonly number[]): string => {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return groups.join(':');
};

describe('parseIpAddress', () => {
  it.each([
    ['1.1.1.1', 4, '1.1.1.1', [1, 1, 1, 1]],
    ['0.0.0.0', 4, '0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', 4, '255.255.255.255', [255, 255, 255, 255]],
    ['10.87.0.1', 4, '10.87.0.1', [10, 87, 0, 1]],
    ['::', 6, '::', new Array(16).fill(0)],
    ['::1', 6, '::1', [...new Array(15).fill(0), 1]],
    ['2001:DB8:0:0:0:0:0:1', 6, '2001:db8::1', [0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['2001:0db8::0001', 6, '2001:db8::1', [0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['::ffff:1.2.3.4', 6, '::ffff:102:304', [...new Array(10).fill(0), 255, 255, 1, 2, 3, 4]],
    ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]],
    ['1:0:0:1:0:0:0:1', 6, '1:0:0:1::1', [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['1:0:0:2:0:0:3:4', 6, '1::2:0:0:3:4', [0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]],
    ['fd00:0:0:1::', 6, 'fd00:0:0:1::', [0xfd, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['1:0:1:1:1:1:1:1', 6, '1:0:1:1:1:1:1:1', [0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]],
  ] as const)('accepts %j as IPv%d %j', (text, family, canonical, bytes) => {
    expect(value(parseIpAddress(text))).toEqual({ family, text: canonical, bytes });
  });

  it.each([
    '',
    '1.1.1',
    '1.1.1.1.1',
    '256.1.1.1',
    '01.1.1.1',
    '1.1.1.01',
    '1.1.1.-1',
    ' 1.1.1.1',
    '1.1.1.1 ',
    '1.1.1.1\n',
    '0x1.1.1.1',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '0:0::0:0:0:0:0:0',
    '12345::1',
    'fe80::1%eth0',
    '[::1]',
    '::01.2.3.4',
    '::1.2.3',
    'g::1',
    ':1',
    '1:',
    'dns.example',
    'localhost',
  ])('rejects %j with INVALID_IP_ADDRESS', (text) => {
    const error = rejected(parseIpAddress(text));
    expect(error.code).toBe('INVALID_IP_ADDRESS');
    expect(error.message).toBe(
      `${JSON.stringify(text)} is not an IP address; accepted: an IPv4 or IPv6 address`,
    );
  });

  it('restricts the family when asked, and says which is accepted', () => {
    expect(rejected(parseIpAddress('::1', 4)).message).toContain(
      'accepted: an IPv4 address such as 10.0.0.1',
    );
    expect(rejected(parseIpAddress('1.1.1.1', 6)).message).toContain(
      'accepted: an IPv6 address such as fd00::1',
    );
    expect(value(parseIpAddress('1.1.1.1', 4)).family).toBe(4);
    expect(value(parseIpAddress('::1', 6)).family).toBe(6);
  });

  it("gives an IPv4 address's octets joined by dots as its text (property)", () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        const address = value(parseIpAddress(text));
        expect(address.text).toBe(address.bytes.join('.'));
        expect(address.text).toBe(text);
      }),
    );
  });

  it('accepts what node:net accepts, except zone indexes (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.%g'.split(''));
    const generated = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 40 }),
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.string(),
    );
    fc.assert(
      fc.property(generated, (text) => {
        const ours = parseIpAddress(text);
        const expected = text.includes('%') ? 0 : isIP(text);
        expect(ours.ok ? ours.value.family : 0).toBe(expected);
      }),
    );
  });

  it('canonicalises IPv6 the RFC 5952 way, idempotently (property)', () => {
    const groupBytes = fc.oneof(fc.constant([0, 0]), fc.tuple(fc.nat(255), fc.nat(255)));
    const bytes16 = fc.array(groupBytes, { minLength: 8, maxLength: 8 }).map((groups) => groups.flat());
    fc.assert(
      fc.property(bytes16, (bytes) => {
        const parsed = value(parseIpAddress(ipv6Text(bytes)));
        expect(parsed.bytes).toEqual(bytes);
        expect(parsed.text).toBe(urlCanonicalIpv6(ipv6Text(bytes)));
        expect(parsed.text).toBe(parsed.text.toLowerCase());
        expect(parseIpAddress(parsed.text)).toEqual({ ok: true, value: parsed });
        expect(ipFromBytes(bytes)).toEqual(parsed);
      }),
    );
  });

  it('canonicalises IPv4 idempotently and round-trips through ipFromBytes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }), (bytes) => {
        const address = ipFromBytes(bytes);
        expect(address.text).toBe(bytes.join('.'));
        expect(parseIpAddress(address.text)).toEqual({ ok: true, value: address });
      }),
    );
  });
});

describe('parseInterfaceAddress', () => {
  it.each([
    ['10.213.9.2/24', '10.213.9.2', '10.213.9.0/24'],
    ['10.87.0.2/16', '10.87.0.2', '10.87.0.0/16'],
    ['192.168.1.77/27', '192.168.1.77', '192.168.1.64/27'],
    ['10.0.0.1/0', '10.0.0.1', '0.0.0.0/0'],
    ['fd87:0:0:1::2/64', 'fd87:0:0:1::2', 'fd87:0:0:1::/64'],
  ])('%s is %s in %s', (text, address, subnet) => {
    const parsed = value(parseInterfaceAddress(text));
    expect([parsed.address.text, parsed.subnet.text]).toEqual([address, subnet]);
  });

  it.each(['10.0.0.2', '10.0.0.2/33', '10.0.0.2/024', '10.0.0.300/8', 'fd87::2/129', ''])(
    'refuses %j with INVALID_IP_ADDRESS',
    (text) => {
      expect(rejected(parseInterfaceAddress(text)).code).toBe('INVALID_IP_ADDRESS');
    },
  );

  it('gives a subnet parseSubnet accepts and that contains the address (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const parsed = value(parseInterfaceAddress(`${address}/${prefix}`));
        expect(value(parseSubnet(parsed.subnet.text))).toEqual(parsed.subnet);
        expect(subnetContains(parsed.subnet, parsed.address)).toBe(true);
      }),
    );
  });
});

describe('parseSubnet', () => {
  it.each([
    ['10.87.0.0/16', '10.87.0.0/16', 16],
    ['0.0.0.0/0', '0.0.0.0/0', 0],
    ['10.0.0.1/32', '10.0.0.1/32', 32],
    ['fd42::/64', 'fd42::/64', 64],
    ['FD42:0:0:0::/64', 'fd42::/64', 64],
    ['::/0', '::/0', 0],
    ['::1/128', '::1/128', 128],
  ])('accepts %j as %j', (text, canonical, prefixLength) => {
    const subnet = value(parseSubnet(text));
    expect(subnet.text).toBe(canonical);
    expect(subnet.prefixLength).toBe(prefixLength);
  });

  it.each([
    ['10.87.0.1/16', 'host bits are set'],
    ['10.87.0.0', 'the /prefix length is missing'],
    ['10.87.0.0/33', 'the prefix length must be 0..32'],
    ['fd42::/129', 'the prefix length must be 0..128'],
    ['10.87.0.0/', 'the prefix length must be 0..32'],
    ['10.87.0.0/016', 'the prefix length must be 0..32'],
    ['10.87.0.0/-1', 'the prefix length must be 0..32'],
    ['10.87.0.0/16/16', 'the prefix length must be 0..32'],
    ['10.87.0/16', 'the address is not valid'],
    ['fd42::1/64', 'host bits are set'],
  ])('rejects %j with INVALID_SUBNET (%s)', (text, why) => {
    const error = rejected(parseSubnet(text));
    expect(error.code).toBe('INVALID_SUBNET');
    expect(error.message).toContain(why);
    expect(error.message).toContain('accepted: CIDR such as 10.87.0.0/16');
  });

  it('restricts the family when asked', () => {
    expect(rejected(parseSubnet('fd42::/64', 4)).code).toBe('INVALID_SUBNET');
    expect(rejected(parseSubnet('10.0.0.0/8', 6)).code).toBe('INVALID_SUBNET');
  });

  it('subnetContains matches the prefix, per family', () => {
    const subnet = unwrap(parseSubnet('10.87.0.0/16'));
    expect(subnetContains(subnet, unwrap(parseIpAddress('10.87.3.4')))).toBe(true);
    expect(subnetContains(subnet, unwrap(parseIpAddress('10.88.0.0')))).toBe(false);
    expect(subnetContains(subnet, unwrap(parseIpAddress('::1')))).toBe(false);
    expect(subnetContains(unwrap(parseSubnet('0.0.0.0/0')), unwrap(parseIpAddress('8.8.8.8')))).toBe(true);
    expect(subnetContains(unwrap(parseSubnet('fd42::/64')), unwrap(parseIpAddress('fd42::9')))).toBe(true);
  });

  it('a subnet contains its own address, its text re-parses to itself (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 32 }),
        (bytes, prefix) => {
          const masked = bytes.map((byte, index) => {
            const keep = Math.max(0, Math.min(8, prefix - index * 8));
            return byte & (0xff << (8 - keep)) & 0xff;
          });
          const subnet = value(parseSubnet(`${masked.join('.')}/${prefix}`));
          expect(subnetContains(subnet, subnet.address)).toBe(true);
          expect(subnetContains(subnet, ipFromBytes(bytes))).toBe(true);
          expect(parseSubnet(subnet.text)).toEqual({ ok: true, value: subnet });
        },
      ),
    );
  });
});
