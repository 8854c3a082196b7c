// Who a client is, for every per-client limit and log line: one key per client whichever way it connects. IPv4 stays
// as it is; IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket reports) becomes that IPv4; any other IPv6
// address becomes its /64, because a single subscriber is given a whole /64 and can pick a fresh address in it for
// every request.
import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, an IPv4 tail turned into the last two groups). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, v4.index);
    // "::ffff:" → "::ffff", but "::" (as in "::1.2.3.4") stays.
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const [head = '', back] = text.split('::');
  const front = groups(head);
  if (back === undefined) return [...front, ...tail];
  const rear = [...groups(back), ...tail];
  return [...front, ...new Array<number>(8 - front.length - rear.length).fill(0), ...rear];
}

/**
 * The client key of an address: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as `<first four groups>::/64`
 * (lowercase hex, no leading zeros). Anything that is not an IP address (a missing socket address) is returned as it is.
 */
export function clientAddress(raw: string): string {
  // A zone index (`fe80::1%eth0`) names the interface, not the client.
  const address = raw.split('%')[0]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return raw;
  const groups = ipv6Groups(address.toLowerCase());
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/**
 * The client of a request, as clientAddress keys it. `ip` is express's (X-Forwarded-For from the HTTP workers or a
 * proxy on this host, which `trust proxy: loopback` accepts); the socket address otherwise.
 */
export function clientOf(req: { ip?: string | undefined; socket: { remoteAddress?: string | undefined } }): string {
  return clientAddress(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}
