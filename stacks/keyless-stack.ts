import type { Construct } from 'constructs';
import type { EnabledKeylessConfig } from '../envs/schema/keyless';
import { KeyServer, KeyServerLaunchTemplate, KeyServerSecurityGroup } from '../modules/keyless/key-server';
import { KeyServerRole } from '../modules/keyless/key-server-role';
import { KeyServerSecrets } from '../modules/keyless/key-server-secrets';
import { keyServerUserData } from '../modules/keyless/key-server-user-data';
import { KeylessCertificates, SsmLeafCertificate } from '../modules/keyless/keyless-certificates';
import { KeylessTunnel } from '../modules/keyless/keyless-tunnel';
import { LeafCertificate } from '../modules/keyless/leaf-certificate';
import { PrivateNetwork } from '../modules/keyless/network';
import { EnvStack, EnvStackProps } from './env-stack';

export type KeylessStackProps = EnvStackProps;

/**
 * Keyless SSL: key servers in private subnets, reached by Cloudflare only through a
 * tunnel; the edge certificate registered with their private IPs. Built only when
 * the environment enables keyless (an Enterprise add-on).
 */
export class KeylessStack extends EnvStack {
  readonly keyServers: readonly KeyServer[];
  readonly tunnel: KeylessTunnel;

  constructor(scope: Construct, props: KeylessStackProps) {
    super(scope, 'keyless', props);
    const { config, file, dir } = props.env;
    const keyless = config.keyless;
    if (!keyless.enabled) throw new Error(`KeylessStack: ${file} has keyless.enabled false; build this stack only when it is on`);
    const k: EnabledKeylessConfig = keyless;
    // Read the certificate before any resource exists, so a bad PEM stops synth cleanly.
    const certificatePem = k.certificate.file
      ? LeafCertificate.fromFile(k.certificate.file, dir, { envFile: file, field: 'keyless.certificate.file' }).pem
      : undefined;

    this.useAws();
    this.useCloudflare();
    const prefix = `${config.name}-keyless`;
    const emulated = config.aws.endpoint !== undefined;

    const network = new PrivateNetwork(this, 'Network', {
      namePrefix: prefix,
      vpcCidr: k.vpc.cidr,
      existingVpcId: k.vpc.existingVpcId,
      privateSubnets: k.subnets,
      egress: k.egress,
    });
    const secrets = new KeyServerSecrets(this, 'Secrets', { namePrefix: `${config.name}/keyless`, recoveryWindowInDays: emulated ? 0 : 30 });
    const role = new KeyServerRole(this, 'KeyServerRole', { name: `${prefix}-key-server`, readableSecretArns: secrets.arns });
    const securityGroup = new KeyServerSecurityGroup(this, 'KeyServerSecurityGroup', { vpcId: network.vpcId, name: `${prefix}-key-server` });

    const launchTemplate = new KeyServerLaunchTemplate(this, 'KeyServerLaunchTemplate', {
      name: `${prefix}-key-server`,
      ami: k.amiId,
      instanceType: k.instanceType,
      securityGroupId: securityGroup.group.id,
      instanceProfileName: role.instanceProfileName,
    });
    this.keyServers = k.keyServers.map(
      (ks) =>
        new KeyServer(this, `KeyServer-${ks.name}`, {
          name: `${prefix}-${ks.name}`,
          subnetId: network.privateSubnetIds[ks.subnet],
          privateIp: ks.privateIp,
          launchTemplate,
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

    this.tunnel = new KeylessTunnel(this, 'Tunnel', {
      accountId: config.cloudflare.accountId,
      name: prefix,
      privateIps: k.keyServers.map((ks) => ks.privateIp),
      tokenSecretId: secrets.tunnelToken.id,
    });
    new KeylessCertificates(this, 'EdgeCertificate', {
      zoneId: config.cloudflare.zoneId,
      certificatePem: certificatePem ?? new SsmLeafCertificate(this, 'EdgeCertificateSource', { parameterName: k.certificate.ssmParameter! }).pem,
      endpoints: k.keyServers,
      port: k.port,
      virtualNetworkId: this.tunnel.virtualNetworkId,
      bundleMethod: k.bundleMethod,
      namePrefix: prefix,
    });
  }
}
