import { Construct } from 'constructs';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { parseIpv4 } from '../../lib/cidr';

/**
 * Amazon Linux 2023 resolved by EC2 at launch from AWS's public SSM parameter. No
 * `aws_ami`/`aws_ssm_parameter` data source, so an offline plan works.
 */
export const AL2023_LATEST_AMI = 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

/** Session tokens required (IMDSv2); hop limit 1 keeps them from containers on the host. */
const IMDS_V2_ONLY = { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' };

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

export interface KeyServerLaunchTemplateProps {
  /** Template name. */
  readonly name: string;
  /** @default AL2023_LATEST_AMI */
  readonly ami?: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  readonly securityGroupId: string;
  readonly instanceProfileName: string;
}

/**
 * What every key server shares: image, size, IMDSv2 with hop limit 1 (a container on
 * the host cannot reach the role's credentials), an encrypted root volume, no public
 * address, no SSH key (Session Manager instead). A launch template rather than
 * instance arguments because the AWS provider resolves `root_block_device` on an
 * instance with DescribeImages, which rejects a `resolve:ssm:` image
 * (terraform-provider-aws issue 43488); EC2 itself resolves it in a template.
 */
export class KeyServerLaunchTemplate extends Construct {
  readonly template: LaunchTemplate;
  readonly ami: string;

  constructor(scope: Construct, id: string, props: KeyServerLaunchTemplateProps) {
    super(scope, id);
    this.ami = props.ami ?? AL2023_LATEST_AMI;
    if (!/^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[\w./-]+)$/.test(this.ami)) {
      throw new Error(`KeyServerLaunchTemplate ${id}: ami "${this.ami}" is neither an AMI id nor resolve:ssm:<public parameter>`);
    }
    this.template = new LaunchTemplate(this, 'Template', {
      name: props.name,
      imageId: this.ami,
      instanceType: props.instanceType ?? 't3.small',
      iamInstanceProfile: { name: props.instanceProfileName },
      metadataOptions: IMDS_V2_ONLY,
      // /dev/xvda is the root device of every Amazon Linux 2023 AMI.
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'true', volumeType: 'gp3', volumeSize: 8, deleteOnTermination: 'true' } }],
      vpcSecurityGroupIds: [props.securityGroupId],
      updateDefaultVersion: true,
    });
  }
}

export interface KeyServerProps {
  readonly launchTemplate: KeyServerLaunchTemplate;
  readonly subnetId: string;
  /** Fixed private address inside the subnet (validated by the env schema). */
  readonly privateIp: string;
  /** cloud-config; must hold no secret (it is readable from instance metadata and stored in state). */
  readonly userData: string;
  /** `Name` tag. */
  readonly name: string;
}

/**
 * One Keyless SSL key server at a fixed private address, launched from the shared
 * template. Changing user-data replaces the host; a new AMI release does not (the
 * `ami` EC2 resolved at launch is ignored afterwards), so replace hosts on purpose.
 */
export class KeyServer extends Construct {
  readonly instance: Instance;
  readonly privateIp: string;

  constructor(scope: Construct, id: string, props: KeyServerProps) {
    super(scope, id);
    if (parseIpv4(props.privateIp) === undefined) throw new Error(`KeyServer ${id}: privateIp "${props.privateIp}" is not an IPv4 address`);
    const lt = props.launchTemplate.template;
    this.instance = new Instance(this, 'Instance', {
      // $Default, not latest_version: a template edit is for hosts launched later and
      // never replaces running key servers by itself (replace them one at a time).
      launchTemplate: { id: lt.id, version: '$Default' },
      subnetId: props.subnetId,
      privateIp: props.privateIp,
      // Repeated from the template: the instance is what reviewers and scanners look at.
      metadataOptions: IMDS_V2_ONLY,
      userData: props.userData,
      userDataReplaceOnChange: true,
      // Said explicitly: left unset, the provider reads `false` back and plans a replacement.
      hibernation: false,
      tags: { Name: props.name },
      lifecycle: { ignoreChanges: ['ami'] },
    });
    this.privateIp = props.privateIp;
  }
}
