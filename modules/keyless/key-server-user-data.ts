import { stringify } from 'yaml';
import { BOOT_LIBEXEC, bootScript, renderCloudConfig, shellEnvFile, type CloudConfig } from './cloud-config';

/**
 * Where Cloudflare publishes the packages, as its install page https://pkg.cloudflare.com/
 * (index.html, "Amazon Linux" for cloudflared and "Amazon Linux 2023" for gokeyless)
 * gives them: the signing key, `cloudflared.repo`, and the gokeyless repo of the `rpm/`
 * tree built for glibc 2.34+ (Amazon Linux 2023; `rpm-el8/` is for Amazon Linux 2). The
 * page publishes no key fingerprint, so the env file pins one verified out of band. The
 * repo files are rewritten on the host to check signatures against that pinned key.
 */
export const CLOUDFLARE_PACKAGES = {
  signingKeyUrl: 'https://pkg.cloudflare.com/cloudflare-main.gpg',
  cloudflaredRepoUrl: 'https://pkg.cloudflare.com/cloudflared.repo',
  gokeylessRepoUrl: 'https://pkg.cloudflare.com/gokeyless/rpm/gokeyless.repo',
} as const;


/** The fields of `/etc/keyless/gokeyless.yaml` known at synth time; the API key is added on the host. */
export interface GokeylessBaseConfig {
  /** The key server's own private IP: what the keyless certificate's host and tunnel route say. */
  readonly hostname: string;
  readonly zone_id: string;
  readonly port: number;
  readonly private_key_stores: ReadonlyArray<{ readonly dir: string }>;
}

export interface KeyServerUserDataProps {
  /** Fixed private IP of this key server. */
  readonly privateIp: string;
  /** Cloudflare zone id the keyless certificate belongs to. */
  readonly zoneId: string;
  /** gokeyless port. */
  readonly port: number;
  /** File name (without `.key`) of the private key under /etc/keyless/keys. */
  readonly keyName: string;
  readonly region: string;
  /** ARNs (Terraform tokens) of the secrets the host fetches at boot. */
  readonly secretArns: { readonly tunnelToken: string; readonly credentials: string; readonly privateKey: string };
  /** Pinned fingerprint of Cloudflare's package signing key. */
  readonly signingKeyFingerprint: string;
}

const CLOUDFLARED_UNIT = `[Unit]
Description=Cloudflare Tunnel (remotely managed) carrying Keyless SSL requests to gokeyless
After=network-online.target
Wants=network-online.target

[Service]
# The token is fetched from Secrets Manager at boot; systemd reads it as root.
EnvironmentFile=/etc/cloudflared/tunnel.env
ExecStart=/usr/bin/cloudflared --no-autoupdate tunnel run
DynamicUser=yes
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
Restart=on-failure
RestartSec=5s

[Install]
WantedBy=multi-user.target
`;

/** The gokeyless settings that are not secret, as gokeyless reads them. */
export function gokeylessBaseConfig(props: Pick<KeyServerUserDataProps, 'privateIp' | 'zoneId' | 'port'>): GokeylessBaseConfig {
  return { hostname: props.privateIp, zone_id: props.zoneId, port: props.port, private_key_stores: [{ dir: '/etc/keyless/keys' }] };
}

/** The typed cloud-config of a key server (not yet serialized). */
export function keyServerCloudConfig(props: KeyServerUserDataProps): CloudConfig {
  return {
    write_files: [
      bootScript('boot-lib.sh', BOOT_LIBEXEC),
      bootScript('keyless-bootstrap.sh', BOOT_LIBEXEC),
      bootScript('render-gokeyless-config.sh', BOOT_LIBEXEC),
      {
        path: '/etc/keyless/bootstrap.env',
        permissions: '0600',
        content: shellEnvFile({
          AWS_REGION: props.region,
          TUNNEL_TOKEN_SECRET_ARN: props.secretArns.tunnelToken,
          CREDENTIALS_SECRET_ARN: props.secretArns.credentials,
          PRIVATE_KEY_SECRET_ARN: props.secretArns.privateKey,
          KEY_NAME: props.keyName,
          SIGNING_KEY_FINGERPRINT: props.signingKeyFingerprint,
          PACKAGE_KEY_URL: CLOUDFLARE_PACKAGES.signingKeyUrl,
          CLOUDFLARED_REPO_URL: CLOUDFLARE_PACKAGES.cloudflaredRepoUrl,
          GOKEYLESS_REPO_URL: CLOUDFLARE_PACKAGES.gokeylessRepoUrl,
        }),
      },
      { path: '/etc/keyless/gokeyless.base.yaml', permissions: '0600', content: stringify(gokeylessBaseConfig(props)) },
      { path: '/etc/systemd/system/cloudflared-keyless.service', permissions: '0644', content: CLOUDFLARED_UNIT },
    ],
    runcmd: [[`${BOOT_LIBEXEC}/keyless-bootstrap.sh`]],
  };
}

/** The `#cloud-config` user-data of a key server. Holds no secret: only ARNs of secrets. */
export function keyServerUserData(props: KeyServerUserDataProps): string {
  return renderCloudConfig(keyServerCloudConfig(props));
}
