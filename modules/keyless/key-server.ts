import { Construct } from 'constructs';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';

/**
 * Amazon Linux 2023 resolved by EC2 at launch from AWS's public SSM parameter. No
 * `aws_ami`/`aws_ssm_parameter` data source, so an offline plan works; the instance
 * ignores later changes of `ami`, so a new AMI release is no perpetual diff (replace a
 * host on purpose to move it to the newest AMI).
 */
export const AL2023_LATEST_AMI = 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

/** Outbound traffic a key server needs; nothing may come in. */
const EGRESS = [
  { description: 'HTTPS: Cloudflare API and package repositories, AWS APIs (Secrets Manager, SSM)', protocol: 'tcp', port: 443 },
  { description: 'Cloudflare Tunnel (http2)', protocol: 'tcp', port: 7844 },
  { description: 'Cloudflare Tunnel (QUIC)', protocol: 'udp', port: 7844 },
] as const;

export interface KeyServerSecurityGroupProps {
  readonly vpcId: string;
  /** Group name. */
  readonly name: string;
}

/**
 * The key servers' security group: egress only. The tunnel is outbound, so Cloudflare
 * needs no inbound path; `ingress = []` also removes rules added by hand.
 */
export class KeyServerSecurityGroup extends Construct {
  readonly group: SecurityGroup;

  constructor(scope: Construct, id: string, props: KeyServerSecurityGroupProps) {
    super(scope, id);
    this.group = new SecurityGroup(this, 'Group', {
      name: props.name,
      description: 'Keyless SSL key servers: egress only, no ingress',
      vpcId: props.vpcId,
      ingress: [],
      egress: EGRESS.map((r) => ({
        description: r.description,
        protocol: r.protocol,
        fromPort: r.port,
        toPort: r.port,
        cidrBlocks: ['0.0.0.0/0'],
        ipv6CidrBlocks: [],
        prefixListIds: [],
        securityGroups: [],
        selfAttribute: false,
      })),
      revokeRulesOnDelete: true,
    });
  }
}

export interface KeyServerProps {
  readonly subnetId: string;
  /** Fixed private address inside the subnet (validated by the env schema). */
  readonly privateIp: string;
  readonly securityGroupId: string;
  readonly instanceProfileName: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  /** @default AL2023_LATEST_AMI */
  readonly ami?: string;
  /** cloud-config; must hold no secret (it is readable from instance metadata and stored in state). */
  readonly userData: string;
  /** `Name` tag. */
  readonly name: string;
}

/**
 * One Keyless SSL key server: private address only, IMDSv2 with hop limit 1 (so a
 * container on the host cannot reach the role's credentials), encrypted root volume,
 * no SSH key (Session Manager instead). Changing user-data replaces the host.
 */
export class KeyServer extends Construct {
  readonly instance: Instance;
  readonly privateIp: string;

  constructor(scope: Construct, id: string, props: KeyServerProps) {
    super(scope, id);
    const ami = props.ami ?? AL2023_LATEST_AMI;
    this.instance = new Instance(this, 'Instance', {
      ami,
      instanceType: props.instanceType ?? 't3.small',
      subnetId: props.subnetId,
      privateIp: props.privateIp,
      associatePublicIpAddress: false,
      vpcSecurityGroupIds: [props.securityGroupId],
      iamInstanceProfile: props.instanceProfileName,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3', deleteOnTermination: true },
      userData: props.userData,
      userDataReplaceOnChange: true,
      tags: { Name: props.name },
      lifecycle: ami === AL2023_LATEST_AMI ? { ignoreChanges: ['ami'] } : undefined,
    });
    this.privateIp = props.privateIp;
  }
}
