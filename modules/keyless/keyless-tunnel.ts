import { Construct } from 'constructs';
import { DnsRecord } from '@cdktf/provider-cloudflare/lib/dns-record';
import { ZeroTrustTunnelCloudflaredConfigA } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared-config';
import { ZeroTrustTunnelCloudflared } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared';
import { ZeroTrustTunnelCloudflaredRoute } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared-route';
import { ZeroTrustTunnelCloudflaredVirtualNetwork } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared-virtual-network';
import { parseIpv4 } from '../../lib/cidr';

export interface KeylessTunnelProps {
  readonly accountId: string;
  /** Tunnel and virtual network name. */
  readonly name: string;
  /** Private IPs to route into the virtual network, one `/32` each (the key servers). */
  readonly privateIps: readonly string[];
  /**
   * Public hostnames the tunnel serves (proxied CNAMEs to the tunnel), each forwarded to
   * a service inside the VPC, e.g. the demo origin.
   * @default none
   */
  readonly publicHostnames?: ReadonlyArray<{ readonly hostname: string; readonly service: string }>;
  /** Zone of the public hostnames. Required with `publicHostnames`. */
  readonly zoneId?: string;
}

/**
 * A remotely managed Cloudflare Tunnel with its own virtual network and a private
 * network route for each key server's *private* address (the address cloudflared sees
 * on the host's interface; a route to a public address shows as INVALID and Keyless
 * requests never arrive). Nothing here holds a secret (no `tunnel_secret` is set, so
 * Cloudflare generates it): the tunnel's token is read and stored by the custody stack
 * (TunnelTokenInSecretsManager), never an output or part of user-data.
 */
export class KeylessTunnel extends Construct {
  readonly tunnelId: string;
  readonly virtualNetworkId: string;

  constructor(scope: Construct, id: string, props: KeylessTunnelProps) {
    super(scope, id);
    if (props.privateIps.length === 0) throw new Error(`KeylessTunnel ${id}: privateIps is empty; route at least one key server`);
    for (const ip of props.privateIps) if (parseIpv4(ip) === undefined) throw new Error(`KeylessTunnel ${id}: "${ip}" is not an IPv4 address`);
    if (new Set(props.privateIps).size !== props.privateIps.length) throw new Error(`KeylessTunnel ${id}: privateIps ${props.privateIps.join(', ')} has duplicates`);

    const tunnel = new ZeroTrustTunnelCloudflared(this, 'Tunnel', { accountId: props.accountId, name: props.name, configSrc: 'cloudflare' });
    const vnet = new ZeroTrustTunnelCloudflaredVirtualNetwork(this, 'VirtualNetwork', {
      accountId: props.accountId,
      name: props.name,
      comment: 'Keyless SSL key servers',
      isDefaultNetwork: false,
    });
    props.privateIps.forEach((ip) => {
      new ZeroTrustTunnelCloudflaredRoute(this, `Route-${ip.replace(/\./g, '-')}`, {
        accountId: props.accountId,
        network: `${ip}/32`,
        tunnelId: tunnel.id,
        virtualNetworkId: vnet.id,
        comment: `keyless key server ${ip}`,
      });
    });
    const published = props.publicHostnames ?? [];
    if (published.length > 0) {
      if (!props.zoneId) throw new Error(`KeylessTunnel ${id}: publicHostnames need zoneId`);
      new ZeroTrustTunnelCloudflaredConfigA(this, 'Ingress', {
        accountId: props.accountId,
        tunnelId: tunnel.id,
        // Anything not named here gets a 404 from cloudflared, never a VPC service.
        config: { ingress: [...published.map((p) => ({ hostname: p.hostname, service: p.service })), { service: 'http_status:404' }] },
      });
      for (const p of published) {
        new DnsRecord(this, `Hostname-${p.hostname}`, {
          zoneId: props.zoneId,
          name: p.hostname,
          type: 'CNAME',
          content: `\${${tunnel.fqn}.id}.cfargotunnel.com`,
          proxied: true,
          ttl: 1,
          comment: 'served through the keyless tunnel',
        });
      }
    }
    this.tunnelId = tunnel.id;
    this.virtualNetworkId = vnet.id;
  }
}
