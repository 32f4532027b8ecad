import { Construct } from 'constructs';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { parseCidr } from '../../lib/cidr';
import { availabilityZonesProblem, natInAdoptedVpcProblem, subnetOutsideVpcProblem } from '../../lib/rules';

/** A subnet to create, in one availability zone. */
export interface SubnetSpec {
  /** Unique within the network; also the `Name` tag suffix. */
  readonly name: string;
  readonly availabilityZone: string;
  readonly cidr: string;
}

/** How private subnets reach the internet (Cloudflare's edge, package repos, AWS APIs). */
export type PrivateEgress =
  | { readonly via: 'nat'; readonly publicSubnet: SubnetSpec }
  | { readonly via: 'existingNatGateway'; readonly natGatewayId: string };

export interface PrivateNetworkProps {
  /** Prefix of every `Name` tag. */
  readonly namePrefix: string;
  /** CIDR of the new VPC, or of the existing one (to check subnets against). */
  readonly vpcCidr: string;
  /** Adopt this VPC instead of creating one. @default a new VPC */
  readonly existingVpcId?: string;
  /** Private subnets (no public IPs), at least two availability zones. */
  readonly privateSubnets: readonly SubnetSpec[];
  readonly egress: PrivateEgress;
}

/**
 * Private subnets whose only way out is a NAT gateway: hosts in them have no public
 * address and cannot be reached from the internet. In a new VPC the default security
 * group is emptied, so nothing lands in an open group by accident.
 */
export class PrivateNetwork extends Construct {
  readonly vpcId: string;
  /** Subnet ids by subnet name. */
  readonly privateSubnetIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const vpcCidr = parseCidr(props.vpcCidr);
    if (!vpcCidr) throw new Error(`PrivateNetwork ${id}: vpcCidr "${props.vpcCidr}" is not an IPv4 CIDR block`);
    const all = props.egress.via === 'nat' ? [...props.privateSubnets, props.egress.publicSubnet] : props.privateSubnets;
    for (const s of all) {
      const outside = subnetOutsideVpcProblem(s.cidr, props.vpcCidr);
      if (outside) throw new Error(`PrivateNetwork ${id}: subnet ${s.name}: ${outside}`);
    }
    const zones = availabilityZonesProblem(props.privateSubnets.map((s) => s.availabilityZone));
    if (zones) throw new Error(`PrivateNetwork ${id}: privateSubnets: ${zones}`);
    const nat = natInAdoptedVpcProblem(props.egress.via, props.existingVpcId);
    if (nat) throw new Error(`PrivateNetwork ${id}: ${nat}`);
    const tag = (name: string) => ({ Name: `${props.namePrefix}-${name}` });

    if (props.existingVpcId) {
      this.vpcId = props.existingVpcId;
    } else {
      const vpc = new Vpc(this, 'Vpc', { cidrBlock: props.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tag('vpc') });
      this.vpcId = vpc.id;
      new DefaultSecurityGroup(this, 'DefaultSecurityGroupEmptied', { vpcId: vpc.id, ingress: [], egress: [], tags: tag('default-unused') });
    }

    const privateRoutes = new RouteTable(this, 'PrivateRouteTable', { vpcId: this.vpcId, tags: tag('private') });
    const subnetIds: Record<string, string> = {};
    for (const s of props.privateSubnets) {
      const subnet = new Subnet(this, `PrivateSubnet-${s.name}`, {
        vpcId: this.vpcId,
        cidrBlock: s.cidr,
        availabilityZone: s.availabilityZone,
        mapPublicIpOnLaunch: false,
        tags: tag(s.name),
      });
      new RouteTableAssociation(this, `PrivateRoutes-${s.name}`, { subnetId: subnet.id, routeTableId: privateRoutes.id });
      subnetIds[s.name] = subnet.id;
    }
    this.privateSubnetIds = subnetIds;

    let natGatewayId: string;
    if (props.egress.via === 'nat') {
      const pub = props.egress.publicSubnet;
      const igw = new InternetGateway(this, 'InternetGateway', { vpcId: this.vpcId, tags: tag('igw') });
      const publicSubnet = new Subnet(this, 'NatSubnet', {
        vpcId: this.vpcId,
        cidrBlock: pub.cidr,
        availabilityZone: pub.availabilityZone,
        mapPublicIpOnLaunch: false,
        tags: tag(pub.name),
      });
      const publicRoutes = new RouteTable(this, 'NatSubnetRouteTable', { vpcId: this.vpcId, tags: tag(pub.name) });
      new Route(this, 'NatSubnetDefaultRoute', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
      new RouteTableAssociation(this, 'NatSubnetRoutes', { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      const eip = new Eip(this, 'NatAddress', { domain: 'vpc', tags: tag('nat'), dependsOn: [igw] });
      natGatewayId = new NatGateway(this, 'NatGateway', { allocationId: eip.id, subnetId: publicSubnet.id, tags: tag('nat') }).id;
    } else {
      natGatewayId = props.egress.natGatewayId;
    }
    new Route(this, 'PrivateDefaultRoute', { routeTableId: privateRoutes.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId });
  }
}
