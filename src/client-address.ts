// Who a client is, for per-client limits: its address, with an IPv6 client taken as its /64 (one subscriber gets a
// whole /64, so the next address over is the same client) and IPv4 mapped into IPv6 taken as IPv4.
import { isIPv4, isIPv6 } from 'node:net';

export function clientAddress(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(raw)) return raw;
  if (!isIPv6(raw)) return 'unknown';
  return `${expandIPv6(raw).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.toLowerCase().split('::');
  const groups = (part: string | undefined): string[] => (part === undefined || part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right].map((group) => Number.parseInt(group, 16).toString(16));
}
