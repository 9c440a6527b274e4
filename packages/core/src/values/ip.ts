import { fail, ok, type Result, VoltError } from '../errors.js';
import { notAString } from './describe.js';

/** An IP address: its family, its bytes (4 or 16) and its canonical text (RFC 5952 for IPv6). */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: readonly number[];
  readonly text: string;
}

/** Four decimal octets 0..255 without leading zeros (an octet `010` is octal to inet_aton, so refused). */
function parseIpv4Bytes(text: string): number[] | undefined {
  const bytes: number[] = [];
  let value = 0;
  let digits = 0;
  for (let index = 0; index <= text.length; index++) {
    const code = index < text.length ? text.charCodeAt(index) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || bytes.length === 4) return undefined;
      bytes.push(value);
      value = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits > 0 && value === 0) return undefined;
      value = value * 10 + (code - 0x30);
      digits++;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return bytes.length === 4 ? bytes : undefined;
}

function parseIpv6Bytes(text: string): number[] | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4Bytes(piece);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(Number.parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Parses an IPv4 or IPv6 address strictly: dotted quads without leading zeros, IPv6 with at most one
 * `::` and an optional trailing IPv4 part; no zone index, no brackets, no white space.
 *
 * @example
 * ```ts
 * parseIpAddress('1.1.1.1'); // { ok: true, value: { family: 4, bytes: [1, 1, 1, 1], text: '1.1.1.1' } }
 * parseIpAddress('2001:DB8:0:0:0:0:0:1').ok && parseIpAddress('2001:DB8::1'); // text '2001:db8::1'
 * parseIpAddress('dns.example').ok; // false, code INVALID_IP_ADDRESS
 * ```
 */
export function parseIpAddress(text: string, family?: 4 | 6): Result<IpAddress> {
  if (typeof text !== 'string') return notAString(text);
  const v4 = family === 6 ? undefined : parseIpv4Bytes(text);
  // Four octets without leading zeros are already their canonical text.
  if (v4 !== undefined) return ok({ family: 4, bytes: v4, text });
  const v6 = family === 4 ? undefined : parseIpv6Bytes(text);
  if (v6 !== undefined) return ok({ family: 6, bytes: v6, text: formatIpv6(v6) });
  const accepted =
    family === 4
      ? 'an IPv4 address such as 10.0.0.1'
      : family === 6
        ? 'an IPv6 address such as fd00::1'
        : 'an IPv4 or IPv6 address';
  return fail(
    new VoltError(
      'INVALID_IP_ADDRESS',
      `${JSON.stringify(text)} is not an IP address; accepted: ${accepted}`,
    ),
  );
}

/**
 * Builds an {@link IpAddress} from raw bytes (4 or 16).
 *
 * @example
 * ```ts
 * ipFromBytes([10, 0, 0, 1]).text; // '10.0.0.1'
 * ```
 */
export function ipFromBytes(bytes: readonly number[]): IpAddress {
  if (bytes.length === 4) return { family: 4, bytes: [...bytes], text: bytes.join('.') };
  return { family: 6, bytes: [...bytes], text: formatIpv6(bytes) };
}

/** An IP subnet in CIDR form. `address` is the network address (host bits cleared). */
export interface IpSubnet {
  readonly address: IpAddress;
  readonly prefixLength: number;
  readonly text: string;
}

/** An address and a prefix length, `ADDRESS/PREFIX`, or why the text is not one. */
function parseCidr(
  text: string,
  family: 4 | 6 | undefined,
): { readonly address: IpAddress; readonly prefixLength: number } | { readonly why: string } {
  const slash = text.indexOf('/');
  if (slash < 0) return { why: 'the /prefix length is missing' };
  const address = parseIpAddress(text.slice(0, slash), family);
  if (!address.ok) return { why: 'the address is not valid' };
  const bits = address.value.family === 4 ? 32 : 128;
  const prefixText = text.slice(slash + 1);
  // No leading zeros: iproute2 reads `/016` as octal (14).
  const prefixLength = /^(0|[1-9]\d{0,2})$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefixLength >= 0 && prefixLength <= bits))
    return { why: `the prefix length must be 0..${bits} without leading zeros` };
  return { address: address.value, prefixLength };
}

/**
 * Parses a CIDR subnet such as `10.87.0.0/16` or `fd42::/64`. Host bits must be zero.
 *
 * @example
 * ```ts
 * parseSubnet('10.87.0.0/16').ok; // true
 * parseSubnet('10.87.0.1/16').ok; // false, code INVALID_SUBNET (host bits set)
 * ```
 */
export function parseSubnet(text: string, family?: 4 | 6): Result<IpSubnet> {
  if (typeof text !== 'string') return notAString(text);
  const invalid = (why: string) =>
    fail<IpSubnet>(
      new VoltError(
        'INVALID_SUBNET',
        `${JSON.stringify(text)} is not a subnet: ${why}; accepted: CIDR such as 10.87.0.0/16`,
      ),
    );
  const cidr = parseCidr(text, family);
  if ('why' in cidr) return invalid(cidr.why);
  const { address, prefixLength } = cidr;
  const bits = address.family === 4 ? 32 : 128;
  for (let bit = prefixLength; bit < bits; bit++) {
    if (((address.bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) return invalid('host bits are set');
  }
  return ok({ address, prefixLength, text: `${address.text}/${prefixLength}` });
}

/** An interface's address with its prefix length (`Address=` of a networkd file), and the subnet it is in. */
export interface IpInterfaceAddress {
  readonly address: IpAddress;
  readonly subnet: IpSubnet;
}

/**
 * Parses an interface address such as `10.87.0.2/16`: an address and a prefix length, host bits allowed
 * (the form of networkd's `Address=` and `ip addr`), with the subnet it lies in.
 *
 * @example
 * ```ts
 * unwrap(parseInterfaceAddress('10.213.9.2/24')).subnet.text; // '10.213.9.0/24'
 * ```
 */
export function parseInterfaceAddress(text: string, family?: 4 | 6): Result<IpInterfaceAddress> {
  if (typeof text !== 'string') return notAString(text);
  const cidr = parseCidr(text, family);
  if ('why' in cidr) {
    return fail(
      new VoltError(
        'INVALID_IP_ADDRESS',
        `${JSON.stringify(text)} is not an address with a prefix length: ${cidr.why}; accepted: ADDRESS/PREFIX such as 10.87.0.2/16`,
      ),
    );
  }
  const { address, prefixLength } = cidr;
  const network = ipFromBytes(
    address.bytes.map((byte, index) => {
      const bitsLeft = prefixLength - index * 8;
      if (bitsLeft >= 8) return byte;
      return bitsLeft <= 0 ? 0 : byte & (0xff << (8 - bitsLeft)) & 0xff;
    }),
  );
  return ok({ address, subnet: { address: network, prefixLength, text: `${network.text}/${prefixLength}` } });
}

/**
 * True when `address` lies inside `subnet`.
 *
 * @example
 * ```ts
 * subnetContains(unwrap(parseSubnet('10.87.0.0/16')), unwrap(parseIpAddress('10.87.3.4'))); // true
 * ```
 */
export function subnetContains(subnet: IpSubnet, address: IpAddress): boolean {
  if (subnet.address.family !== address.family) return false;
  for (let bit = 0; bit < subnet.prefixLength; bit++) {
    const mask = 1 << (7 - (bit & 7));
    if ((((subnet.address.bytes[bit >> 3] as number) ^ (address.bytes[bit >> 3] as number)) & mask) !== 0)
      return false;
  }
  return true;
}
