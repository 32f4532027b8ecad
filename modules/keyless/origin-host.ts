import { Construct } from 'constructs';
import { BOOT_LIBEXEC, bootScript, renderCloudConfig, type CloudConfig } from './cloud-config';
import { HostSecurityGroup } from './host-security-group';
import { InstanceRole } from './instance-role';
import { HardenedLaunchTemplate, PrivateHost } from './private-host';
import { HOST_ROLES } from '../../lib/naming';

/** The port nginx serves the demo origin on, inside the VPC only. */
export const ORIGIN_PORT = 80;

/** The origin's cloud-config: install and start nginx, the host the keyless hostname serves. */
export function originHostCloudConfig(): CloudConfig {
  return {
    write_files: [bootScript('boot-lib.sh', BOOT_LIBEXEC), bootScript('origin-bootstrap.sh', BOOT_LIBEXEC)],
    runcmd: [[`${BOOT_LIBEXEC}/origin-bootstrap.sh`]],
  };
}

export interface OriginHostProps {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly privateIp: string;
  /** Only members of this group (the key servers, running cloudflared) may connect. */
  readonly tunnelConnectorGroupId: string;
  /** Prefix of the role, group, template and `Name` tag. */
  readonly namePrefix: string;
  /** @default AL2023 via resolve:ssm */
  readonly ami?: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
}

/**
 * An optional demo origin (nginx) with no public address and no inbound path except
 * HTTP from the tunnel connectors: Cloudflare reaches it through the same tunnel as the
 * key servers (a public hostname route), so it needs no open 80/443 and no SSH. Its
 * role has Session Manager only, no secrets.
 */
export class OriginHost extends Construct {
  readonly host: PrivateHost;
  /** What the tunnel forwards the public hostname to. */
  readonly serviceUrl: string;

  constructor(scope: Construct, id: string, props: OriginHostProps) {
    super(scope, id);
    const securityGroup = new HostSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: `${props.namePrefix}-origin`,
      description: 'Demo origin: HTTP from the tunnel connectors only',
      egress: [{ description: 'HTTPS: package repositories, AWS APIs (SSM)', protocol: 'tcp', port: 443 }],
      ingressFromGroups: [{ description: 'HTTP from cloudflared on the key servers', protocol: 'tcp', port: ORIGIN_PORT, sourceGroupId: props.tunnelConnectorGroupId }],
    });
    const role = new InstanceRole(this, 'Role', { name: `${props.namePrefix}-origin` });
    const template = new HardenedLaunchTemplate(this, 'LaunchTemplate', {
      name: `${props.namePrefix}-origin`,
      ami: props.ami,
      instanceType: props.instanceType,
      securityGroupId: securityGroup.group.id,
      instanceProfileName: role.instanceProfileName,
    });
    this.host = new PrivateHost(this, 'Host', {
      launchTemplate: template,
      subnetId: props.subnetId,
      privateIp: props.privateIp,
      userData: renderCloudConfig(originHostCloudConfig()),
      name: `${props.namePrefix}-origin`,
      role: HOST_ROLES.demoOrigin,
    });
    this.serviceUrl = `http://${props.privateIp}:${ORIGIN_PORT}`;
  }
}
