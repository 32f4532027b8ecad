import { blocks, PolicyStack, Rule, shown, TfResource } from '../engine';

const INSTANCE_TYPES = ['aws_instance', 'aws_launch_template'];
const WORLD = ['0.0.0.0/0', '::/0'];

/** Key servers live in the keyless stack: everything there is held to "no way in". */
function isKeyServerStack(stack: PolicyStack): boolean {
  return stack.concern === 'keyless';
}

export const ec2Imdsv2: Rule = {
  id: 'EC2-IMDSV2',
  description: 'Instances and launch templates require IMDSv2 session tokens.',
  fix: 'Set metadata_options { http_tokens = "required", http_endpoint = "enabled" }.',
  resourceTypes: INSTANCE_TYPES,
  check(instance) {
    const tokens = blocks(instance.body.metadata_options)[0]?.http_tokens;
    return tokens === 'required' ? [] : [`metadata_options.http_tokens is ${shown(tokens)}; expected "required" (IMDSv1 lets SSRF read credentials)`];
  },
};

export const ec2EncryptedVolumes: Rule = {
  id: 'EC2-ENCRYPTED-VOLUMES',
  description: 'Root, attached and standalone EBS volumes are encrypted.',
  fix: 'Set encrypted = true on root_block_device, every ebs_block_device and aws_ebs_volume.',
  resourceTypes: [...INSTANCE_TYPES, 'aws_ebs_volume'],
  check(resource) {
    const b = resource.body;
    if (resource.type === 'aws_ebs_volume') return b.encrypted === true ? [] : [`encrypted is ${shown(b.encrypted)}; expected true`];
    const problems: string[] = [];
    if (resource.type === 'aws_instance') {
      const root = blocks(b.root_block_device)[0];
      if (root?.encrypted !== true) problems.push(`root_block_device.encrypted is ${shown(root?.encrypted)}; expected true`);
      blocks(b.ebs_block_device).forEach((d, i) => {
        if (d.encrypted !== true) problems.push(`ebs_block_device[${i}].encrypted is ${shown(d.encrypted)}; expected true`);
      });
    } else {
      const mappings = blocks(b.block_device_mappings);
      if (mappings.length === 0) problems.push('block_device_mappings is unset, so the root volume is not declared encrypted');
      mappings.forEach((m, i) => {
        const ebs = blocks(m.ebs)[0];
        if (ebs && ebs.encrypted !== true && ebs.encrypted !== 'true') problems.push(`block_device_mappings[${i}].ebs.encrypted is ${shown(ebs.encrypted)}; expected true`);
      });
    }
    return problems;
  },
};

export const keyServerNoPublicIp: Rule = {
  id: 'EC2-KEYSERVER-NO-PUBLIC-IP',
  description: 'Key servers get no public IP address, neither on the instance nor from their subnet.',
  fix: 'Set associate_public_ip_address = false and place key servers in a subnet with map_public_ip_on_launch = false.',
  resourceTypes: ['aws_instance'],
  check(instance, stack) {
    if (!isKeyServerStack(stack)) return [];
    const problems: string[] = [];
    if (instance.body.associate_public_ip_address !== false)
      problems.push(`associate_public_ip_address is ${shown(instance.body.associate_public_ip_address)}; expected false on a key server`);
    const subnet = stack.resolve(instance.body.subnet_id);
    if (subnet?.type === 'aws_subnet' && subnet.body.map_public_ip_on_launch === true)
      problems.push(`its subnet ${subnet.address} maps public IPs on launch`);
    return problems;
  },
};

/** Ingress entries of a security group (inline blocks) or a standalone ingress rule resource, as CIDR lists. */
function ingressCidrs(resource: TfResource): string[][] {
  const b = resource.body;
  switch (resource.type) {
    case 'aws_security_group':
      return blocks(b.ingress).map((i) => [...(i.cidr_blocks ?? []), ...(i.ipv6_cidr_blocks ?? [])]);
    case 'aws_vpc_security_group_ingress_rule':
      return [[b.cidr_ipv4, b.cidr_ipv6].filter(Boolean)];
    case 'aws_security_group_rule':
      return b.type === 'ingress' ? [[...(b.cidr_blocks ?? []), ...(b.ipv6_cidr_blocks ?? [])]] : [];
    default:
      return [];
  }
}

const INGRESS_TYPES = ['aws_security_group', 'aws_vpc_security_group_ingress_rule', 'aws_security_group_rule'];

export const noWorldIngress: Rule = {
  id: 'SG-NO-WORLD-INGRESS',
  description: 'No security group admits traffic from 0.0.0.0/0 or ::/0; key servers admit no inbound traffic at all.',
  fix: 'Remove the ingress (tunnel hosts need none: cloudflared connects outbound) or narrow it to a known CIDR or security group.',
  resourceTypes: INGRESS_TYPES,
  check(resource, stack) {
    const entries = ingressCidrs(resource);
    if (isKeyServerStack(stack) && entries.length > 0) return [`declares ${entries.length} ingress rule(s); key servers take no inbound traffic`];
    return entries.flat().filter((c) => WORLD.includes(c)).map((c) => `allows ingress from ${c}`);
  },
};

export const ec2Rules: readonly Rule[] = [ec2Imdsv2, ec2EncryptedVolumes, keyServerNoPublicIp, noWorldIngress];
