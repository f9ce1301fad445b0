import { promises as dns } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * Where a webhook may be sent. An admin key must not become a way to probe the internal network
 * (cloud metadata at 169.254.169.254, a database on localhost, the office LAN): by default only
 * public unicast addresses are accepted. The rule is checked when a webhook is created and again
 * at each delivery, on the address the connection is actually made to (DNS rebinding).
 */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * True for any address that is not public unicast: loopback, private, carrier-grade NAT,
 * link-local (cloud metadata), unique- and site-local, documentation, benchmarking, reserved,
 * multicast, broadcast, unspecified — and every IPv6 form that carries an IPv4 address or a
 * tunnel to one (IPv4-mapped and -translated, IPv4-compatible ::7f00:1, 6to4 2002::/16, Teredo
 * 2001::/32, NAT64 64:ff9b::/96 and 64:ff9b:1::/48), whatever IPv4 it carries. IPv4 in decimal,
 * octal or hexadecimal forms (2130706433, 0177.0.0.1, 0x7f000001, 127.1) is read as the address it
 * is. The classes come from ipaddr.js (its special ranges follow the IANA registries); on top, an
 * IPv6 address must be global unicast (2000::/3), which leaves out the IPv4-compatible block
 * that ipaddr.js calls unicast.
 */
export function isInternalAddress(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets, zone id (fe80::1%eth0)
  if (!ipaddr.isValid(text)) return true; // not an address at all: refuse
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(text);
  } catch {
    return true;
  }
  if (parsed.range() !== 'unicast') return true;
  if (parsed.kind() === 'ipv6') return !(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST);
  return false;
}

export class WebhookTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetError';
  }
}

/** Every address the URL's host resolves to must be public (unless internal targets are allowed). */
export async function assertPublicTarget(url: string, allowInternal: boolean): Promise<void> {
  if (allowInternal) return;
  // The WHATWG parser has already turned 2130706433, 0x7f000001 and 127.1 into 127.0.0.1.
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const literal = net.isIP(host) !== 0 || ipaddr.isValid(host);
  const addresses = literal ? [host] : (await dns.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new WebhookTargetError(`the host ${host} does not resolve`);
  const internal = addresses.find(isInternalAddress);
  if (internal) {
    throw new WebhookTargetError(`${host} is ${internal === host ? '' : `at ${internal}, `}a loopback, private, link-local or metadata address (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true for on-premises receivers)`);
  }
}

/**
 * A `lookup` for the HTTP client: resolves as usual, then refuses an internal address, so the
 * address checked is the address connected to.
 */
export function guardedLookup(allowInternal: boolean) {
  return async (hostname: string): Promise<Array<{ address: string; family: 4 | 6 }>> => {
    const list = await dns.lookup(hostname, { all: true, verbatim: true });
    const internal = allowInternal ? undefined : list.find((a) => isInternalAddress(a.address));
    if (internal) throw Object.assign(new WebhookTargetError(`${hostname} resolved to the internal address ${internal.address}; delivery refused`), { code: 'EINTERNALTARGET' });
    return list.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  };
}
