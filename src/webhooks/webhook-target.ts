import { promises as dns } from 'node:dns';
import net, { BlockList } from 'node:net';

/*
 * Where a webhook may be sent. An admin key must not become a way to probe the internal network
 * (cloud metadata at 169.254.169.254, a database on localhost, the office LAN): by default only
 * public unicast addresses are accepted. The rule is checked when a webhook is created and again
 * at each delivery, on the address the connection is actually made to (DNS rebinding).
 */
const blocked = new BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net4, prefix, 'ipv4');
}
for (const [net6, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (would reach IPv4 space behind it)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (fd00:ec2::254 is a metadata address)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net6, prefix, 'ipv6');
}

/** True for an address that is loopback, private, link-local, metadata, reserved or multicast. */
export function isInternalAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true; // not an address at all: refuse
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
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
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
