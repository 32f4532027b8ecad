import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';

/** One allowed flow: protocol and port, with the reason it exists. */
export interface PortRule {
  readonly description: string;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

/** Outbound traffic a key server needs. */
export const KEY_SERVER_EGRESS: readonly PortRule[] = [
  { description: 'HTTPS: Cloudflare API and package repositories, AWS APIs (Secrets Manager, SSM)', protocol: 'tcp', port: 443 },
  { description: 'Cloudflare Tunnel (http2)', protocol: 'tcp', port: 7844 },
  { description: 'Cloudflare Tunnel (QUIC)', protocol: 'udp', port: 7844 },
];

export interface HostSecurityGroupProps {
  readonly vpcId: string;
  /** Group name. */
  readonly name: string;
  readonly description: string;
  /** Allowed outbound flows, to anywhere. */
  readonly egress: readonly PortRule[];
  /**
   * Allowed inbound flows, each only from members of another security group.
   * @default none: no ingress at all
   */
  readonly ingressFromGroups?: ReadonlyArray<PortRule & { readonly sourceGroupId: string }>;
}

/**
 * A security group whose rules are all inline, so `ingress`/`egress` are complete
 * lists: rules added by hand are removed on the next apply. No ingress unless named,
 * and then only from another group, never from a CIDR.
 */
export class HostSecurityGroup extends Construct {
  readonly group: SecurityGroup;

  constructor(scope: Construct, id: string, props: HostSecurityGroupProps) {
    super(scope, id);
    for (const r of [...props.egress, ...(props.ingressFromGroups ?? [])]) {
      if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) throw new Error(`HostSecurityGroup ${id}: port ${r.port} of "${r.description}" is not a port`);
    }
    const rule = (r: PortRule, from: { cidrBlocks?: string[]; securityGroups?: string[] }) => ({
      description: r.description,
      protocol: r.protocol,
      fromPort: r.port,
      toPort: r.port,
      cidrBlocks: from.cidrBlocks ?? [],
      ipv6CidrBlocks: [],
      prefixListIds: [],
      securityGroups: from.securityGroups ?? [],
      selfAttribute: false,
    });
    this.group = new SecurityGroup(this, 'Group', {
      name: props.name,
      description: props.description,
      vpcId: props.vpcId,
      ingress: (props.ingressFromGroups ?? []).map((r) => rule(r, { securityGroups: [r.sourceGroupId] })),
      egress: props.egress.map((r) => rule(r, { cidrBlocks: ['0.0.0.0/0'] })),
      revokeRulesOnDelete: true,
    });
  }
}
