import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { parseIpv4 } from '../../lib/cidr';
import type { HostRole } from '../../lib/naming';

/**
 * Amazon Linux 2023 resolved by EC2 at launch from AWS's public SSM parameter. No
 * `aws_ami`/`aws_ssm_parameter` data source, so an offline plan works.
 */
export const AL2023_LATEST_AMI = 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

/** Session tokens required (IMDSv2); hop limit 1 keeps them from containers on the host. */
const IMDS_V2_ONLY = { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' };

export interface HardenedLaunchTemplateProps {
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
 * What every private host of this stack shares: image, size, IMDSv2 with hop limit 1 (a container on
 * the host cannot reach the role's credentials), an encrypted root volume, no public
 * address, no SSH key (Session Manager instead). A launch template rather than
 * instance arguments because the AWS provider resolves `root_block_device` on an
 * instance with DescribeImages, which rejects a `resolve:ssm:` image
 * (hashicorp/terraform-provider-aws issue 43488); EC2 itself resolves it in a template.
 */
export class HardenedLaunchTemplate extends Construct {
  readonly template: LaunchTemplate;
  readonly ami: string;

  constructor(scope: Construct, id: string, props: HardenedLaunchTemplateProps) {
    super(scope, id);
    this.ami = props.ami ?? AL2023_LATEST_AMI;
    if (!/^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[\w./-]+)$/.test(this.ami)) {
      throw new Error(`HardenedLaunchTemplate ${id}: ami "${this.ami}" is neither an AMI id nor resolve:ssm:<public parameter>`);
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

export interface PrivateHostProps {
  readonly launchTemplate: HardenedLaunchTemplate;
  readonly subnetId: string;
  /** Fixed private address inside the subnet (validated by the env schema). */
  readonly privateIp: string;
  /** cloud-config; must hold no secret (it is readable from instance metadata and stored in state). */
  readonly userData: string;
  /** `Name` tag. */
  readonly name: string;
  /**
   * What the host is, as its `Role` tag: policy checks hold a key server to "no
   * inbound traffic at all" and other hosts to "no inbound traffic from the world".
   */
  readonly role: HostRole;
  /**
   * The template version to launch from: an explicit number pins the host, so a template
   * or AMI edit (a new version) replaces no running host until its number is advanced.
   * @default "$Default"
   */
  readonly launchTemplateVersion?: number;
  /**
   * Keep the user-data the host was launched with (and its `BootConfigSha256` tag) while
   * another host rolls to a changed boot configuration. @default false
   */
  readonly holdBootConfig?: boolean;
}


/**
 * SHA-256 of user-data with every Terraform reference replaced by `<ref>`: references
 * (secret ARNs) are CDKTF tokens here whose text depends on construction order, and would
 * otherwise change the fingerprint whenever unrelated code changes.
 */
export function bootConfigFingerprint(userData: string): string {
  return createHash('sha256').update(userData.replace(/\$\{TfToken\[[^\]]+\]\}/g, '<ref>')).digest('hex');
}

/**
 * A host at a fixed private address, launched from a hardened template. A changed boot
 * configuration (user-data) replaces it (`user_data_replace_on_change`: cloud-init runs
 * once per instance, so an in-place user-data update would change nothing on the host),
 * and drift sees the user-data the host really runs. With fixed addresses a replacement
 * destroys the host before its successor exists, so hosts that must keep serving roll one
 * per apply: each pins its template version (a template or AMI edit replaces nobody until
 * the host's number is advanced) and can hold its boot configuration while another rolls
 * (docs/keyless.md, "Rolling key servers"; `npm run apply` refuses a round that replaces
 * more than one key server).
 */
export class PrivateHost extends Construct {
  readonly instance: Instance;
  readonly privateIp: string;

  constructor(scope: Construct, id: string, props: PrivateHostProps) {
    super(scope, id);
    if (parseIpv4(props.privateIp) === undefined) throw new Error(`PrivateHost ${id}: privateIp "${props.privateIp}" is not an IPv4 address`);
    const lt = props.launchTemplate.template;
    const version = props.launchTemplateVersion;
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new Error(`PrivateHost ${id}: launchTemplateVersion ${version} is not a template version (1 or more)`);
    this.instance = new Instance(this, 'Instance', {
      // A pinned number: a template edit makes a new version and replaces this host only
      // when its number is advanced. $Default (hosts that need no rolling): the provider
      // replaces the host once the default version moves past the one it runs.
      launchTemplate: { id: lt.id, version: version === undefined ? '$Default' : String(version) },
      subnetId: props.subnetId,
      privateIp: props.privateIp,
      // Repeated from the template: the instance is what reviewers and scanners look at.
      metadataOptions: IMDS_V2_ONLY,
      userData: props.userData,
      // Said explicitly: left unset, the provider reads `false` back and plans a replacement.
      hibernation: false,
      userDataReplaceOnChange: true,
      tags: { Name: props.name, Role: props.role, BootConfigSha256: bootConfigFingerprint(props.userData) },
      // `ami` is what the template resolved at launch (`resolve:ssm:`): the template's
      // version pin, not this attribute, decides when a host moves to a new image.
      lifecycle: { ignoreChanges: props.holdBootConfig ? ['ami', 'user_data', 'tags["BootConfigSha256"]'] : ['ami'] },
    });
    this.privateIp = props.privateIp;
  }
}
