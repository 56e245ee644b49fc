// What an IP address really names: IPv4 and IPv6 literals parsed to their bits, IPv4 addresses embedded in IPv6 forms
// extracted, and every range of the IANA special-purpose registries (both families) recognised. Pure: no I/O.

/** Why an address is not a public unicast address, or null when it is one. */
export type SpecialAddress = { readonly range: string; readonly name: string; readonly embedded?: string };

interface Range {
  readonly network: bigint;
  readonly prefix: number;
  readonly text: string;
  readonly name: string;
}

function range(bits: number, text: string, name: string): Range {
  const [address, prefixText] = text.split('/') as [string, string];
  const parsed = bits === 32 ? parseIPv4(address) : parseIPv6(address);
  if (parsed === null) throw new Error(`bad range ${text}`);
  const prefix = Number(prefixText);
  return { network: parsed, prefix, text, name };
}

function inRange(value: bigint, bits: number, r: Range): boolean {
  const shift = BigInt(bits - r.prefix);
  return value >> shift === r.network >> shift;
}

/**
 * IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry, as of 2025), plus the multicast block
 * (RFC 5771) and the limited broadcast address. Every entry is refused, also those marked globally reachable (AS112,
 * AMT, the deprecated 6to4 relay anycast): none of them is a customer's web server.
 */
const IPV4_SPECIAL: readonly Range[] = [
  ['0.0.0.0/8', '"this network" (RFC 791)'],
  ['10.0.0.0/8', 'private-use (RFC 1918)'],
  ['100.64.0.0/10', 'shared address space, carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0/8', 'loopback (RFC 1122)'],
  ['169.254.0.0/16', 'link-local (RFC 3927)'],
  ['172.16.0.0/12', 'private-use (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments (RFC 6890)'],
  ['192.0.2.0/24', 'documentation TEST-NET-1 (RFC 5737)'],
  ['192.31.196.0/24', 'AS112-v4 (RFC 7535)'],
  ['192.52.193.0/24', 'AMT (RFC 7450)'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast (RFC 7526)'],
  ['192.168.0.0/16', 'private-use (RFC 1918)'],
  ['192.175.48.0/24', 'direct delegation AS112 service (RFC 7534)'],
  ['198.18.0.0/15', 'benchmarking (RFC 2544)'],
  ['198.51.100.0/24', 'documentation TEST-NET-2 (RFC 5737)'],
  ['203.0.113.0/24', 'documentation TEST-NET-3 (RFC 5737)'],
  ['224.0.0.0/4', 'multicast (RFC 5771)'],
  ['240.0.0.0/4', 'reserved (RFC 1112)'],
  ['255.255.255.255/32', 'limited broadcast (RFC 919)'],
].map(([text, name]) => range(32, text as string, name as string));

/**
 * IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry, as of 2025), plus deprecated site-local
 * (RFC 3879) and multicast (RFC 4291 §2.7). The forms that carry an IPv4 address are listed apart (EMBEDDING): their
 * meaning is the IPv4 address inside.
 */
const IPV6_SPECIAL: readonly Range[] = [
  ['::/128', 'unspecified (RFC 4291)'],
  ['::1/128', 'loopback (RFC 4291)'],
  ['::/96', 'deprecated IPv4-compatible (RFC 4291 §2.5.5.1)'],
  ['::ffff:0:0:0/96', 'IPv4-translated (RFC 2765)'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation (RFC 8215)'],
  ['100::/64', 'discard-only (RFC 6666)'],
  ['100:0:0:1::/64', 'dummy IPv6 prefix (RFC 9780)'],
  ['2001::/23', 'IETF protocol assignments, Teredo included (RFC 2928, RFC 4380)'],
  ['2001:db8::/32', 'documentation (RFC 3849)'],
  ['2620:4f:8000::/48', 'direct delegation AS112 service (RFC 7534)'],
  ['3fff::/20', 'documentation (RFC 9637)'],
  ['5f00::/16', 'segment routing SIDs (RFC 9602)'],
  ['fc00::/7', 'unique-local (RFC 4193)'],
  ['fe80::/10', 'link-local unicast (RFC 4291)'],
  ['fec0::/10', 'deprecated site-local (RFC 3879)'],
  ['ff00::/8', 'multicast (RFC 4291)'],
].map(([text, name]) => range(128, text as string, name as string));

/**
 * IPv6 forms whose last (or, for 6to4, second and third) 32 bits are an IPv4 address that a translator or tunnel
 * will connect to: the address means what that IPv4 address means. Teredo and the translated and compatible forms
 * are refused whole above (not globally reachable), after their embedded address is reported.
 */
const EMBEDDING: readonly { readonly range: Range; readonly extract: (value: bigint) => bigint[] }[] = [
  { range: range(128, '::ffff:0:0/96', 'IPv4-mapped (RFC 4291 §2.5.5.2)'), extract: (v) => [v & 0xffffffffn] },
  { range: range(128, '64:ff9b::/96', 'NAT64 well-known prefix (RFC 6052)'), extract: (v) => [v & 0xffffffffn] },
  { range: range(128, '2002::/16', '6to4 (RFC 3056)'), extract: (v) => [(v >> 80n) & 0xffffffffn] },
  { range: range(128, '::ffff:0:0:0/96', 'IPv4-translated (RFC 2765)'), extract: (v) => [v & 0xffffffffn] },
  { range: range(128, '::/96', 'deprecated IPv4-compatible (RFC 4291 §2.5.5.1)'), extract: (v) => [v & 0xffffffffn] },
  {
    // RFC 4380 §4: server IPv4 in bits 32-63, client IPv4 obfuscated (inverted) in the last 32 bits.
    range: range(128, '2001::/32', 'Teredo (RFC 4380)'),
    extract: (v) => [(v >> 64n) & 0xffffffffn, ~v & 0xffffffffn],
  },
];

/** The 32 bits of a dotted-quad IPv4 address (each part decimal 0-255, no leading zeros), or null. */
export function parseIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** The 128 bits of an IPv6 address (RFC 4291 §2.2 text forms, a trailing dotted IPv4 included, no zone), or null. */
export function parseIPv6(text: string): bigint | null {
  let head = text;
  let tail: bigint[] = [];
  const lastColon = head.lastIndexOf(':');
  if (lastColon >= 0 && head.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(head.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = head.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "a:b::1.2.3.4" leaves "a:b::", "a:b:c:d:e:f:1.2.3.4" leaves "a:...:f:".
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const words: bigint[] = [];
  for (const group of [...left, ...Array(8 - explicit).fill('0'), ...right] as string[]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    words.push(BigInt(Number.parseInt(group, 16)));
  }
  return [...words, ...tail].reduce((value, word) => (value << 16n) | word, 0n);
}

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv4Special(value: bigint): SpecialAddress | null {
  const hit = IPV4_SPECIAL.find((r) => inRange(value, 32, r));
  return hit ? { range: hit.text, name: hit.name } : null;
}

function ipv6Special(value: bigint): SpecialAddress | null {
  for (const form of EMBEDDING) {
    if (!inRange(value, 128, form.range)) continue;
    for (const embedded of form.extract(value)) {
      const inner = ipv4Special(embedded);
      if (inner) return { ...inner, embedded: `${ipv4Text(embedded)} inside ${form.range.name}` };
    }
  }
  const hit = IPV6_SPECIAL.find((r) => inRange(value, 128, r));
  return hit ? { range: hit.text, name: hit.name } : null;
}

/**
 * Whether `address` is an IP literal, and if so what special-purpose range it lies in (null: public unicast).
 * Accepts an IPv4 dotted quad, an IPv6 address with or without brackets, with or without a zone (`%eth0`).
 * Returns undefined for anything that is not an IP literal (a host name).
 */
export function specialAddress(address: string): SpecialAddress | null | undefined {
  let text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseIPv4(text);
  if (v4 !== null) return ipv4Special(v4);
  if (!text.includes(':')) return undefined;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const v6 = parseIPv6(text);
  return v6 === null ? undefined : ipv6Special(v6);
}

/** Whether an IP literal (v4 or v6, brackets allowed) lies in a range a request must not reach. */
export function isInternalAddress(address: string): boolean {
  const special = specialAddress(address);
  return special !== null && special !== undefined;
}

/**
 * Why a callback URL is refused before any DNS lookup, or null: not http(s), or an internal literal address. The
 * WHATWG URL parser has already turned every IPv4 spelling (0x7f.1, 2130706433, 0177.0.0.1) into a dotted quad and
 * every IPv6 one into its compressed hex form.
 */
export function callbackUrlProblem(raw: string, allowPrivate: boolean): 'not_http' | 'internal_address' | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not_http';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not_http';
  if (url.hostname === '') return 'not_http';
  if (allowPrivate) return null;
  const host = url.hostname.toLowerCase();
  // RFC 6761: localhost and its subdomains are this host, whatever DNS says.
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.') return 'internal_address';
  return isInternalAddress(host) ? 'internal_address' : null;
}
