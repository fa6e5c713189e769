import { isIP } from 'node:net';

/**
 * The network an address belongs to, as an owner reads it: IPv4 /24, IPv6 /48 (an
 * IPv4-mapped IPv6 address counts as IPv4). A new network is worth an audit row; a new
 * address inside a known one (DHCP, privacy addresses) is not. Null for no or a bad address.
 */
export function networkOf(address: string | null | undefined): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const candidate = mapped ? mapped[1]! : address;
  const family = isIP(candidate);
  if (family === 4) return `${candidate.slice(0, candidate.lastIndexOf('.'))}.0/24`;
  if (family !== 6) return null;
  const groups = expandIpv6(candidate.split('%')[0]!);
  return groups ? `${groups.slice(0, 3).join(':')}::/48` : null;
}

/** The eight groups of a valid IPv6 address, without leading zeros. */
function expandIpv6(address: string): string[] | null {
  const [head = '', tail] = address.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  if (groups.length !== 8 || groups.some((group) => group.includes('.'))) return null;
  return groups.map((group) => parseInt(group, 16).toString(16));
}
