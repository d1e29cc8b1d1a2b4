import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { MAX_URL_LENGTH } from './webhooks.schemas.js';

// The SSRF defence: an endpoint URL is whatever an admin typed, so without these checks a
// delivery could be aimed at the cloud metadata service, a database port on the private
// network, or the API itself. A literal address is refused when the endpoint is saved; a
// name can change what it resolves to at any time, so it is resolved and checked again at
// every attempt, and the attempt connects to the very address that was checked.

export interface UrlRules {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
}

/** A delivery's destination was refused (non-public, or its name did not resolve): the attempt fails and nothing is sent. */
export class DestinationRefusedError extends Error {
  override name = 'DestinationRefusedError';
}

/**
 * ipaddr.js's name for an address's range ('unicast', 'loopback', 'private', 'linkLocal',
 * 'uniqueLocal', 'carrierGradeNat', '6to4', ...), or 'invalid'. An IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) reaches the IPv4 host it carries, so it is judged as that address.
 */
function rangeOf(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = ipaddr.IPv6.parse(address);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().range() : v6.range();
  }
  return parsed.range();
}

/**
 * Whether an address is on the public internet: only plain unicast is. Every named special
 * range is refused, tunnels and translations (6to4, Teredo, NAT64) included, since they can
 * lead to an IPv4 host the check never saw.
 */
export function isPublicAddress(address: string): boolean {
  return rangeOf(address) === 'unicast';
}

/** A name that means this very machine whatever DNS says (RFC 6761); a trailing dot is the same name. */
function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Why an endpoint URL is refused, or undefined. Phrased to follow the field's name ("url
 * must be ..."), as validation messages are.
 */
export function endpointUrlProblem(raw: string, rules: UrlRules): string | undefined {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL, like https://erp.example.com/hooks';
  }
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:')) {
    return rules.allowHttp ? 'must be an http or https URL' : 'must be an https URL (plain http only with WEBHOOK_ALLOW_HTTP=true)';
  }
  // Credentials would be sent to the receiver in the clear of every log line that shows the URL.
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  // WHATWG URL has already turned forms like 2130706433, 0x7f.1 or 127.1 into dotted
  // addresses and compressed IPv6, so the host seen here is the one a connection would use.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return 'must name a host';
  if (rules.allowPrivateNetworks) return undefined;
  if (isIP(host) !== 0 && !isPublicAddress(host)) {
    return `must not point at a non-public address (${host} is ${rangeOf(host)}) unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`;
  }
  if (isLocalhostName(host)) return 'must not point at localhost unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true';
  return undefined;
}

/**
 * The address to connect to for `hostname`, looked up once for this attempt: the first
 * acceptable one. The caller connects to it and nowhere else, so a DNS answer that changes
 * between a check and a connection (DNS rebinding) cannot slip a private address through.
 */
export async function resolveDestination(hostname: string, allowPrivateNetworks: boolean): Promise<{ address: string; family: 4 | 6 }> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : 'lookup failed';
      throw new DestinationRefusedError(`${host} did not resolve (${code})`);
    }
  }
  const chosen = addresses.find((entry) => allowPrivateNetworks || isPublicAddress(entry.address));
  if (!chosen) {
    if (addresses.length === 0) throw new DestinationRefusedError(`${host} resolved to no address`);
    const refused = addresses.map((entry) => `${entry.address} (${rangeOf(entry.address)})`).join(', ');
    throw new DestinationRefusedError(
      isIP(host) !== 0
        ? `${refused} is not a public address and private networks are not allowed`
        : `${host} resolves only to non-public addresses, ${refused}, and private networks are not allowed`,
    );
  }
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}
