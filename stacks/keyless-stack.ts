import type { Construct } from 'constructs';
import { HOST_ROLES } from '../lib/naming';
import { HostSecurityGroup, KEY_SERVER_EGRESS } from '../modules/keyless/host-security-group';
import { InstanceRole } from '../modules/keyless/instance-role';
import { KeyServerSecrets } from '../modules/keyless/key-server-secrets';
import { keyServerUserData } from '../modules/keyless/key-server-user-data';
import { KeylessCertificates, SsmLeafCertificate } from '../modules/keyless/keyless-certificates';
import { KeylessTunnel } from '../modules/keyless/keyless-tunnel';
import { PrivateNetwork } from '../modules/keyless/network';
import { OriginHost } from '../modules/keyless/origin-host';
import { HardenedLaunchTemplate, PrivateHost } from '../modules/keyless/private-host';
import { EnvStack, EnvStackProps } from './env-stack';

export type KeylessStackProps = EnvStackProps;

/**
 * Keyless SSL: key servers in private subnets, reached by Cloudflare only through a
 * tunnel; the edge certificate registered with their private IPs. Built only when
 * the environment enables keyless (an Enterprise add-on).
 */
export class KeylessStack extends EnvStack {
  readonly keyServers: readonly PrivateHost[];
  readonly tunnel: KeylessTunnel;
  /** The secret the key servers read the tunnel token from; the custody stack writes its value. */
  readonly tunnelTokenSecretArn: string;

  constructor(scope: Construct, props: KeylessStackProps) {
    super(scope, 'keyless', props);
    const { config, file, files, capabilities } = props.env;
    const k = config.keyless;
    if (!k.enabled) throw new Error(`KeylessStack: ${file} has keyless.enabled false; build this stack only when it is on`);

    this.useAws();
    this.useCloudflare();
    const prefix = `${config.name}-keyless`;

    const network = new PrivateNetwork(this, 'Network', {
      namePrefix: prefix,
      vpcCidr: k.vpc.cidr,
      existingVpcId: k.vpc.existingVpcId,
      privateSubnets: k.subnets,
      egress: k.egress,
    });
    const secrets = new KeyServerSecrets(this, 'Secrets', { namePrefix: `${config.name}/keyless`, recoveryWindowInDays: capabilities.secretRecoveryWindow ? 30 : 0 });
    const role = new InstanceRole(this, 'KeyServerRole', { name: `${prefix}-key-server`, readableSecretArns: secrets.arns });
    const securityGroup = new HostSecurityGroup(this, 'KeyServerSecurityGroup', {
      vpcId: network.vpcId,
      name: `${prefix}-key-server`,
      description: 'Keyless SSL key servers: egress only, no ingress',
      egress: KEY_SERVER_EGRESS,
    });
    const launchTemplate = new HardenedLaunchTemplate(this, 'KeyServerLaunchTemplate', {
      name: `${prefix}-key-server`,
      ami: k.amiId,
      instanceType: k.instanceType,
      securityGroupId: securityGroup.group.id,
      instanceProfileName: role.instanceProfileName,
    });
    this.keyServers = k.keyServers.map(
      (ks) =>
        new PrivateHost(this, `KeyServer-${ks.name}`, {
          name: `${prefix}-${ks.name}`,
          role: HOST_ROLES.keyServer,
          subnetId: network.privateSubnetIds[ks.subnet],
          privateIp: ks.privateIp,
          launchTemplate,
          launchTemplateVersion: ks.launchTemplateVersion,
          holdBootConfig: ks.holdBootConfig,
          userData: keyServerUserData({
            privateIp: ks.privateIp,
            zoneId: config.cloudflare.zoneId,
            port: k.port,
            keyName: k.keyName,
            region: config.aws.region,
            secretArns: { tunnelToken: secrets.tunnelToken.arn, credentials: secrets.gokeylessCredentials.arn, privateKey: secrets.privateKey.arn },
            signingKeyFingerprint: k.packageSigningKeyFingerprint,
          }),
        }),
    );

    const origin = k.originHost
      ? new OriginHost(this, 'OriginHost', {
          vpcId: network.vpcId,
          subnetId: network.privateSubnetIds[k.originHost.subnet],
          privateIp: k.originHost.privateIp,
          tunnelConnectorGroupId: securityGroup.group.id,
          namePrefix: prefix,
          ami: k.amiId,
          instanceType: k.instanceType,
        })
      : undefined;

    this.tunnel = new KeylessTunnel(this, 'Tunnel', {
      accountId: config.cloudflare.accountId,
      name: prefix,
      privateIps: k.keyServers.map((ks) => ks.privateIp),
      zoneId: config.cloudflare.zoneId,
      publicHostnames: origin && k.originHost ? [{ hostname: k.originHost.hostname, service: origin.serviceUrl }] : [],
    });
    this.tunnelTokenSecretArn = secrets.tunnelToken.arn;
    new KeylessCertificates(this, 'EdgeCertificate', {
      zoneId: config.cloudflare.zoneId,
      certificatePem: files.keylessCertificatePem ?? new SsmLeafCertificate(this, 'EdgeCertificateSource', { parameterName: k.certificate.ssmParameter! }).pem,
      endpoints: k.keyServers,
      port: k.port,
      virtualNetworkId: this.tunnel.virtualNetworkId,
      bundleMethod: k.bundleMethod,
      namePrefix: prefix,
    });
  }
}
