import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { bootConfigFingerprint } from '../../../modules/keyless/private-host';
import { baseEnvironment, envDir, withField } from '../../support/env-files';
import { resourcesOf, onlyResource, synthStacks } from '../../support/synth';

const all = synthStacks();
const stack = all.get('prod-keyless')!;
const policyDoc = (ref: string) => {
  const name = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(ref)![1];
  return stack.data.aws_iam_policy_document[name];
};

describe('the keyless stack', () => {
  it('exists only where keyless is enabled (prod, local), never in dev or staging', () => {
    expect([...all.keys()].filter((n) => n.endsWith('-keyless')).sort()).toEqual(['local-keyless', 'prod-keyless']);
  });

  it('gives the key servers a security group with no ingress and only the egress the tunnel and HTTPS need', () => {
    const sg = onlyResource(stack, 'aws_security_group');
    expect(sg.ingress).toEqual([]);
    expect(sg.egress.map((r: any) => `${r.protocol}/${r.from_port}-${r.to_port} ${r.cidr_blocks.join(',')}`).sort()).toEqual([
      'tcp/443-443 0.0.0.0/0',
      'tcp/7844-7844 0.0.0.0/0',
      'udp/7844-7844 0.0.0.0/0',
    ]);
    expect(resourcesOf(stack, 'aws_security_group_rule')).toEqual({});
    expect(resourcesOf(stack, 'aws_vpc_security_group_ingress_rule')).toEqual({});
    // The VPC's default group is emptied so nothing lands in an open group by accident.
    expect(onlyResource(stack, 'aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
  });

  it('requires IMDSv2 with hop limit 1 and an encrypted root volume, with no SSH key and no public address', () => {
    const imds = { http_tokens: 'required', http_put_response_hop_limit: 1, http_endpoint: 'enabled' };
    const lt = onlyResource(stack, 'aws_launch_template');
    expect(lt.metadata_options).toMatchObject(imds);
    expect(lt.block_device_mappings).toEqual([expect.objectContaining({ device_name: '/dev/xvda', ebs: expect.objectContaining({ encrypted: 'true' }) })]);
    expect(lt.key_name).toBeUndefined();
    expect(lt.image_id).toBe('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    const instances = Object.values<any>(resourcesOf(stack, 'aws_instance'));
    expect(instances).toHaveLength(2);
    for (const i of instances) {
      expect(i.metadata_options).toMatchObject(imds);
      expect(i.key_name).toBeUndefined();
      expect(i.associate_public_ip_address).toBeUndefined();
      // user-data is no longer hidden from drift: a boot-config change replaces the host,
      // and key servers roll one per apply (pinned template versions, holds; docs/keyless.md).
      expect(i.lifecycle.ignore_changes).toEqual(['ami']);
      expect(i.user_data_replace_on_change).toBe(true);
      const withRefsMasked = (i.user_data as string).replace(/(?<!\$)\$\{[^}]+\}/g, '<ref>');
      expect(i.tags.BootConfigSha256).toBe(createHash('sha256').update(withRefsMasked).digest('hex'));
      // Pinned to an explicit version (the env file's launchTemplateVersion, 1 by default): a template edit replaces no host.
      expect(i.launch_template.version).toBe('1');
    }
    for (const s of Object.values<any>(resourcesOf(stack, 'aws_subnet'))) expect(s.map_public_ip_on_launch).toBe(false);
  });

  it('a held key server keeps its user-data and boot-config tag; the others follow the code', () => {
    let doc = withField(baseEnvironment('local'), 'keyless.keyServers[1].holdBootConfig', true);
    doc = withField(doc, 'keyless.keyServers[1].launchTemplateVersion', 3);
    const dir = envDir({ local: doc });
    let keyless: Record<string, any>;
    try {
      keyless = synthStacks('local', dir).get('local-keyless')!;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const hosts = Object.values<any>(resourcesOf(keyless, 'aws_instance'));
    const byName = Object.fromEntries(hosts.map((h) => [h.tags.Name, h]));
    expect(byName['local-keyless-key-b'].lifecycle.ignore_changes).toEqual(['ami', 'user_data', 'tags["BootConfigSha256"]']);
    expect(byName['local-keyless-key-b'].launch_template.version).toBe('3');
    expect(byName['local-keyless-key-a'].lifecycle.ignore_changes).toEqual(['ami']);
    expect(byName['local-keyless-key-a'].launch_template.version).toBe('1');
  });

  it('puts the key servers in private subnets whose only route out is the NAT gateway, across two zones', () => {
    const subnets = Object.values<any>(resourcesOf(stack, 'aws_subnet'));
    const byName = Object.fromEntries(subnets.map((s) => [s.tags.Name, s]));
    expect(new Set([byName['prod-keyless-private-a'].availability_zone, byName['prod-keyless-private-b'].availability_zone]).size).toBe(2);
    const routes = Object.values<any>(resourcesOf(stack, 'aws_route'));
    const privateDefault = routes.find((r) => r.nat_gateway_id);
    expect(privateDefault.destination_cidr_block).toBe('0.0.0.0/0');
    expect(routes.filter((r) => r.gateway_id)).toHaveLength(1); // only the NAT subnet reaches the internet gateway
    const instances = Object.values<any>(resourcesOf(stack, 'aws_instance'));
    const subnetIds = new Set(instances.map((i) => i.subnet_id));
    expect([...subnetIds].every((id) => /PrivateSubnet-private-[ab]/.test(id))).toBe(true);
  });

  it('lets the instance role read exactly its three secrets, and use Session Manager, nothing else', () => {
    const inline = onlyResource(stack, 'aws_iam_role_policy');
    const doc = policyDoc(inline.policy);
    expect(doc.statement).toHaveLength(1);
    expect(doc.statement[0].effect).toBe('Allow');
    expect(doc.statement[0].actions).toEqual(['secretsmanager:GetSecretValue']);
    const secrets = Object.keys(resourcesOf(stack, 'aws_secretsmanager_secret')).map((n) => `\${aws_secretsmanager_secret.${n}.arn}`);
    expect(secrets).toHaveLength(3);
    expect([...doc.statement[0].resources].sort()).toEqual(secrets.sort());
    expect(doc.statement[0].resources.join()).not.toContain('*');
    expect(onlyResource(stack, 'aws_iam_role_policy_attachment').policy_arn).toMatch(/^arn:\$\{data\.aws_partition\.[\w-]+\.partition\}:iam::aws:policy\/AmazonSSMManagedInstanceCore$/);
    expect(policyDoc(onlyResource(stack, 'aws_iam_role').assume_role_policy).statement[0].principals).toEqual([{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }]);
  });

  it('stores only the tunnel token through Terraform, from the custody stack; the API key and private key are put in out of band', () => {
    // The keyless stack holds no secret value: neither the token nor a secret version.
    expect(resourcesOf(stack, 'aws_secretsmanager_secret_version')).toEqual({});
    expect(stack.data.cloudflare_zero_trust_tunnel_cloudflared_token).toBeUndefined();
    // The custody stack (prod-pki) reads the token of this stack's tunnel and writes it into this stack's secret.
    const custody = all.get('prod-pki')!;
    const versions = Object.values<any>(resourcesOf(custody, 'aws_secretsmanager_secret_version'));
    expect(versions).toHaveLength(1);
    const [[tokenName, token]] = Object.entries<any>(custody.data.cloudflare_zero_trust_tunnel_cloudflared_token);
    expect(versions[0].secret_string).toBe(`\${data.cloudflare_zero_trust_tunnel_cloudflared_token.${tokenName}.token}`);
    const outputOf = (ref: string) => stack.output[/^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.([\w-]+)\}$/.exec(ref)![1]].value;
    expect(outputOf(versions[0].secret_id)).toMatch(/^\$\{aws_secretsmanager_secret\.Secrets_TunnelToken_\w+\.arn\}$/);
    expect(outputOf(token.tunnel_id)).toMatch(/^\$\{cloudflare_zero_trust_tunnel_cloudflared\.Tunnel_\w+\.id\}$/);
    expect(Object.values<any>(resourcesOf(stack, 'aws_secretsmanager_secret')).map((s) => s.name).sort()).toEqual([
      'prod/keyless/gokeyless-api-key',
      'prod/keyless/private-key',
      'prod/keyless/tunnel-token',
    ]);
  });

  it('routes each key server\'s private IP, as a /32, through the tunnel into its own virtual network', () => {
    const tunnel = onlyResource(stack, 'cloudflare_zero_trust_tunnel_cloudflared');
    expect(tunnel.config_src).toBe('cloudflare');
    expect(tunnel.tunnel_secret).toBeUndefined();
    const routes = Object.values<any>(resourcesOf(stack, 'cloudflare_zero_trust_tunnel_cloudflared_route'));
    expect(routes.map((r) => r.network).sort()).toEqual(['10.60.1.10/32', '10.60.2.10/32']);
    for (const r of routes) {
      expect(r.virtual_network_id).toMatch(/^\$\{cloudflare_zero_trust_tunnel_cloudflared_virtual_network\./);
      expect(r.tunnel_id).toMatch(/^\$\{cloudflare_zero_trust_tunnel_cloudflared\./);
    }
    expect(onlyResource(stack, 'cloudflare_zero_trust_tunnel_cloudflared_virtual_network').is_default_network).toBe(false);
  });

  it('registers the edge certificate once per key server, at its private IP through the tunnel', () => {
    const configs = Object.values<any>(resourcesOf(stack, 'cloudflare_keyless_certificate'));
    expect(configs.map((c) => [c.name, c.host, c.tunnel.private_ip, c.port])).toEqual([
      ['prod-keyless-key-a', '10.60.1.10', '10.60.1.10', 2407],
      ['prod-keyless-key-b', '10.60.2.10', '10.60.2.10', 2407],
    ]);
  });

  it('exposes only the tunnel id and the token secret\'s ARN, read by the custody stack alone', () => {
    expect(Object.values<any>(stack.output ?? {}).map((o) => o.value).sort()).toEqual([
      expect.stringMatching(/^\$\{aws_secretsmanager_secret\.Secrets_TunnelToken_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{cloudflare_zero_trust_tunnel_cloudflared\.Tunnel_\w+\.id\}$/),
    ]);
    const readers = [...all].filter(([, json]) => Object.values<any>(json.data?.terraform_remote_state ?? {}).some((r) => /prod-keyless\.tfstate$/.test(r.config.key ?? r.config.path)));
    expect(readers.map(([name]) => name)).toEqual(['prod-pki']);
  });
});

describe('the keyless stack in an existing VPC', () => {
  const doc = withField(
    withField(baseEnvironment('local'), 'keyless.vpc.existingVpcId', 'vpc-0123456789abcdef0'),
    'keyless.egress',
    { via: 'existingNatGateway', natGatewayId: 'nat-0123456789abcdef0' },
  );
  const dir = envDir({ local: doc });
  const stack = synthStacks('local', dir).get('local-keyless')!;
  rmSync(dir, { recursive: true, force: true });

  it('creates only its subnets and routes there, pointing at the existing NAT gateway', () => {
    for (const type of ['aws_vpc', 'aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_default_security_group']) expect({ type, found: resourcesOf(stack, type) }).toEqual({ type, found: {} });
    const subnets = Object.values<any>(resourcesOf(stack, 'aws_subnet'));
    expect(subnets.map((s) => s.vpc_id)).toEqual(['vpc-0123456789abcdef0', 'vpc-0123456789abcdef0']);
    expect(onlyResource(stack, 'aws_route')).toMatchObject({ destination_cidr_block: '0.0.0.0/0', nat_gateway_id: 'nat-0123456789abcdef0' });
    for (const sg of Object.values<any>(resourcesOf(stack, 'aws_security_group'))) expect(sg.vpc_id).toBe('vpc-0123456789abcdef0');
  });
});

describe('the demo origin host (local only)', () => {
  const local = all.get('local-keyless')!;
  const groups = Object.values<any>(resourcesOf(local, 'aws_security_group'));
  const origin = groups.find((g) => g.name === 'local-keyless-origin');
  const keyServers = Object.entries<any>(resourcesOf(local, 'aws_security_group')).find(([, g]) => g.name === 'local-keyless-key-server')![0];

  it('admits only HTTP from the key servers\' group, from no CIDR', () => {
    expect(origin.ingress).toEqual([expect.objectContaining({ protocol: 'tcp', from_port: 80, to_port: 80, cidr_blocks: [], security_groups: [`\${aws_security_group.${keyServers}.id}`] })]);
    expect(origin.egress.map((r: any) => `${r.protocol}/${r.from_port}`)).toEqual(['tcp/443']);
  });

  it('has a role with Session Manager only: no secret access', () => {
    expect(Object.values<any>(resourcesOf(local, 'aws_iam_role_policy'))).toHaveLength(1); // the key servers' only
    const roles = Object.values<any>(resourcesOf(local, 'aws_iam_role')).map((r) => r.name).sort();
    expect(roles).toEqual(['local-keyless-key-server', 'local-keyless-origin']);
    expect(Object.values<any>(resourcesOf(local, 'aws_iam_role_policy_attachment')).map((a) => a.role)).toHaveLength(2);
  });

  it('is served through the tunnel: its hostname is a proxied CNAME to the tunnel, everything else gets 404', () => {
    const config = onlyResource(local, 'cloudflare_zero_trust_tunnel_cloudflared_config');
    expect(config.config.ingress).toEqual([{ hostname: 'www.example.test', service: 'http://10.40.1.20:80' }, { service: 'http_status:404' }]);
    const dns = onlyResource(local, 'cloudflare_dns_record');
    expect(dns).toMatchObject({ name: 'www.example.test', type: 'CNAME', proxied: true });
    expect(dns.content).toMatch(/^\$\{cloudflare_zero_trust_tunnel_cloudflared\.[\w-]+\.id\}\.cfargotunnel\.com$/);
    expect(resourcesOf(stack, 'cloudflare_dns_record')).toEqual({}); // prod has no demo origin
  });
});

describe('the boot configuration fingerprint', () => {
  it('ignores how references happen to be numbered, and changes with the content', () => {
    expect(bootConfigFingerprint('KEY=${TfToken[TOKEN.1]}')).toBe(bootConfigFingerprint('KEY=${TfToken[TOKEN.99]}'));
    expect(bootConfigFingerprint('KEY=${TfToken[TOKEN.1]}')).not.toBe(bootConfigFingerprint('KEY2=${TfToken[TOKEN.1]}'));
  });
});
