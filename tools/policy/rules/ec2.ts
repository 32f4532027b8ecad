import { blocks, PolicyStack, Rule, TfResource } from '../engine';
import { formatValue } from '../../tf-json/format';
import type { TfStack } from '../../tf-json/stack';
import { HOST_ROLES } from '../../../lib/naming';

const INSTANCE_TYPES = ['aws_instance', 'aws_launch_template'];
const WORLD = ['0.0.0.0/0', '::/0'];

/** Key servers live in the keyless stack: everything there is held to "no way in". */
function isKeyServerStack(stack: PolicyStack): boolean {
  return stack.concern === 'keyless';
}

// Repeats Trivy AVD-AWS-0028/0130; kept: an IMDSv1 SSRF on a key server reads the role that reads the keyless private key, and only this rule fails `npm test`.
export const ec2Imdsv2: Rule = {
  id: 'EC2-IMDSV2',
  description: 'Instances and launch templates require IMDSv2 session tokens.',
  fix: 'Launch hosts through PrivateHost / HardenedLaunchTemplate (modules/keyless/private-host.ts), which require IMDSv2.',
  resourceTypes: INSTANCE_TYPES,
  check(instance) {
    const tokens = blocks(instance.body.metadata_options)[0]?.http_tokens;
    return tokens === 'required' ? [] : [`metadata_options.http_tokens is ${formatValue(tokens)}; expected "required" (IMDSv1 lets SSRF read credentials)`];
  },
};

/** The launch template an instance is launched from, when it is a resource of the stack. */
export function launchTemplateOf(instance: TfResource, stack: TfStack): TfResource | undefined {
  const ref = blocks(instance.body.launch_template)[0];
  const template = ref && (stack.resolve(ref.id) ?? stack.resolve(ref.name));
  return template?.type === 'aws_launch_template' ? template : undefined;
}

/** Launch template EBS flags are strings in the provider schema (`"true"`). */
export const isTrue = (v: unknown): boolean => v === true || v === 'true';

/** Problems with the encryption of the EBS volumes a launch template declares. */
export function templateVolumeProblems(template: TfResource): string[] {
  const mappings = blocks(template.body.block_device_mappings);
  if (mappings.length === 0) return ['block_device_mappings is unset, so the root volume is not declared encrypted'];
  return mappings.flatMap((m, i) => {
    const ebs = blocks(m.ebs)[0];
    return ebs && !isTrue(ebs.encrypted) ? [`block_device_mappings[${i}].ebs.encrypted is ${formatValue(ebs.encrypted)}; expected true`] : [];
  });
}

// Overlaps Trivy AVD-AWS-0131/0026/0008; kept: Trivy reads no launch template's block_device_mappings, where HardenedLaunchTemplate declares the root volume.
export const ec2EncryptedVolumes: Rule = {
  id: 'EC2-ENCRYPTED-VOLUMES',
  description: 'Root, attached and standalone EBS volumes are encrypted (on the instance, or on the launch template it is launched from).',
  fix: 'Launch hosts through HardenedLaunchTemplate (modules/keyless/private-host.ts), whose root volume is encrypted; give any extra volume `encrypted: true`.',
  resourceTypes: [...INSTANCE_TYPES, 'aws_ebs_volume'],
  check(resource, stack) {
    const b = resource.body;
    if (resource.type === 'aws_ebs_volume') return b.encrypted === true ? [] : [`encrypted is ${formatValue(b.encrypted)}; expected true`];
    if (resource.type === 'aws_launch_template') return templateVolumeProblems(resource);
    const problems: string[] = [];
    const root = blocks(b.root_block_device)[0];
    const template = launchTemplateOf(resource, stack);
    // Without its own root_block_device the instance gets the template's mappings,
    // which are checked (and reported) on the template itself.
    const rootFromTemplate = root === undefined && template !== undefined && templateVolumeProblems(template).length === 0;
    if (!rootFromTemplate && root?.encrypted !== true) problems.push(`root_block_device.encrypted is ${formatValue(root?.encrypted)}; expected true`);
    blocks(b.ebs_block_device).forEach((d, i) => {
      if (d.encrypted !== true) problems.push(`ebs_block_device[${i}].encrypted is ${formatValue(d.encrypted)}; expected true`);
    });
    return problems;
  },
};

// Overlaps Trivy AVD-AWS-0164 (subnets only); keyless: it follows each key server to its launch template and subnet.
export const keyServerNoPublicIp: Rule = {
  id: 'EC2-KEYSERVER-NO-PUBLIC-IP',
  description: 'Hosts of the keyless stack get no public IP address: not from the instance, its launch template or its subnet.',
  fix: 'Place key servers with PrivateHost (modules/keyless/private-host.ts) in the PrivateNetwork subnets (modules/keyless/network.ts; CIDRs from `keyless.vpc` in envs/<env>.yaml), which never map public IPs.',
  resourceTypes: ['aws_instance'],
  check(instance, stack) {
    if (!isKeyServerStack(stack)) return [];
    const template = launchTemplateOf(instance, stack);
    const fromTemplate = template && blocks(template.body.network_interfaces)[0]?.associate_public_ip_address;
    const explicit = instance.body.associate_public_ip_address ?? fromTemplate;
    const subnet = stack.resolve(instance.body.subnet_id);
    const problems: string[] = [];
    if (explicit !== undefined && explicit !== false && explicit !== 'false')
      problems.push(`associate_public_ip_address is ${formatValue(explicit)}; expected false on a key server`);
    // Unset, the subnet decides, so it must be one whose setting can be read here.
    if (explicit === undefined && subnet?.type !== 'aws_subnet')
      problems.push('associate_public_ip_address is unset and the subnet is not in this stack; set it to false explicitly');
    // Even with the flag off, a subnet that hands out public IPs is not a key server's place.
    if (subnet?.type === 'aws_subnet' && isTrue(subnet.body.map_public_ip_on_launch)) problems.push(`its subnet ${subnet.address} maps public IPs on launch`);
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

/** Host roles (the `Role` tag) allowed inbound traffic from inside the VPC; every other host is a key server. */
const HOSTS_WITH_INGRESS: readonly string[] = [HOST_ROLES.demoOrigin];

/** Addresses of the security groups attached to key servers (hosts of the keyless stack not tagged as another role). */
function keyServerGroups(stack: PolicyStack): Set<string> {
  const groups = new Set<string>();
  for (const instance of stack.ofType('aws_instance')) {
    if (HOSTS_WITH_INGRESS.includes(instance.body.tags?.Role)) continue;
    const template = launchTemplateOf(instance, stack);
    for (const ids of [instance.body.vpc_security_group_ids, instance.body.security_groups, template?.body.vpc_security_group_ids]) {
      for (const id of Array.isArray(ids) ? ids : []) {
        const group = stack.resolve(id);
        if (group) groups.add(group.address);
      }
    }
  }
  return groups;
}

/** The security group an ingress resource opens. */
function openedGroup(resource: TfResource, stack: PolicyStack): string | undefined {
  if (resource.type === 'aws_security_group') return resource.address;
  return stack.resolve(resource.body.security_group_id)?.address;
}

// Overlaps Trivy AVD-AWS-0107 (world ingress to SSH/RDP only); keyless: any world ingress, and no ingress at all to key servers.
export const noWorldIngress: Rule = {
  id: 'SG-NO-WORLD-INGRESS',
  description: 'No security group admits traffic from 0.0.0.0/0 or ::/0; key servers admit no inbound traffic at all.',
  fix: 'Key servers need no ingress (cloudflared dials out): give HostSecurityGroup (modules/keyless/host-security-group.ts) no ingress rule; for another host, narrow its PortRule to a known CIDR or security group.',
  resourceTypes: INGRESS_TYPES,
  check(resource, stack) {
    const entries = ingressCidrs(resource);
    if (isKeyServerStack(stack) && entries.length > 0) {
      const group = openedGroup(resource, stack);
      // A group the stack cannot tie to a host is held to the key-server standard too.
      if (group === undefined || keyServerGroups(stack).has(group) || !isAttachedToAnyHost(group, stack))
        return [`declares ${entries.length} ingress rule(s); key servers take no inbound traffic`];
    }
    return entries.flat().filter((c) => WORLD.includes(c)).map((c) => `allows ingress from ${c}`);
  },
};

function isAttachedToAnyHost(group: string, stack: PolicyStack): boolean {
  return [...stack.ofType('aws_instance'), ...stack.ofType('aws_launch_template')].some((host) =>
    [host.body.vpc_security_group_ids, host.body.security_groups].some((ids) => Array.isArray(ids) && ids.some((id) => stack.resolve(id)?.address === group)),
  );
}

export const ec2Rules: readonly Rule[] = [ec2Imdsv2, ec2EncryptedVolumes, keyServerNoPublicIp, noWorldIngress];
