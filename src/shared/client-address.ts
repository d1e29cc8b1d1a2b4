import { isIPv6 } from 'node:net';

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The key by which one client is counted (throttles, the hashing share, the connection
 * cap): an IPv4 address as it is, an IPv6 address by its /64. One host is commonly given a
 * whole /64, so counting its addresses one by one would give it billions of allowances.
 */
export function clientKey(address: string): string {
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped?.[1]) return mapped[1];
  const plain = address.split('%')[0] ?? address; // without a zone id (fe80::1%eth0)
  if (!isIPv6(plain)) return address;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` filled with zeros (a trailing IPv4 part counts as two). */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['v4', 'v4'] : [group])));
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => (group === 'v4' ? group : Number.parseInt(group, 16).toString(16)));
}
