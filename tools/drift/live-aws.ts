import { createHash } from 'node:crypto';
import { APIGatewayClient, GetDeploymentsCommand, GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DeclaredResource } from './edge-audit';
import { ofType, type StateRead, type StateValues } from './state';
import { resolveRef } from './state-ref';
import { forEachPage } from '../../lib/paging';

/**
 * Live AWS checks inside `npm run drift`: what decides who reaches the origin or the
 * keys but a refreshing plan cannot show, because the stacks do not declare it (an
 * instance's groups come from its launch template), the provider hides it
 * (`ignore_changes = [user_data]`), or the resource reads only itself (a secret version
 * reads its own version, not the current one). The expectation comes from the
 * synthesized JSON and the state; the live value from the AWS SDK. Resources are found
 * by type across every stack.
 */

export type LiveCheck = 'instance-security-groups' | 'instance-user-data' | 'secret-current-version' | 'operator-secret-versions' | 'api-stages-deployments';

export interface LiveFinding {
  readonly check: LiveCheck;
  /** `stack/type.name` and the live id. */
  readonly resource: string;
  readonly attribute: string;
  readonly expected: string;
  readonly actual: string;
  readonly fix: string;
}

export interface LiveReport {
  readonly findings: readonly LiveFinding[];
  /** How many resources each check read. */
  readonly checked: Readonly<Record<LiveCheck, number>>;
  readonly notes: readonly string[];
}

export interface LiveClients {
  readonly ec2: EC2Client;
  readonly apiGateway: APIGatewayClient;
  readonly secrets: SecretsManagerClient;
}

export function liveClients(region: string, endpoint?: string, credentials?: { accessKeyId: string; secretAccessKey: string }): LiveClients {
  const config = { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), maxAttempts: 2 };
  return { ec2: new EC2Client(config), apiGateway: new APIGatewayClient(config), secrets: new SecretsManagerClient(config) };
}

/**
 * A Terraform string template as Terraform renders it: `$${` and `%%{` are escapes,
 * `${type.name.attr}` references are read from state. Undefined when a reference is
 * not in state or the template uses anything else (a function call).
 */
export function renderTemplate(template: string, state: StateValues): string | undefined {
  let unresolved = false;
  const out = template.replace(/\$\$\{|%%\{|\$\{([^}]*)\}/g, (whole, ref: string | undefined) => {
    if (whole === '$${') return '${';
    if (whole === '%%{') return '%{';
    const v = resolveRef(`\${${ref}}`, state);
    if (typeof v !== 'string') unresolved = true;
    return typeof v === 'string' ? v : whole;
  });
  return unresolved ? undefined : out;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const where = (r: DeclaredResource) => `${r.stack}/${r.type}.${r.name}`;

/** The groups an instance must have: its own `vpc_security_group_ids`, else its launch template's. */
function expectedGroups(r: DeclaredResource, declared: ReadonlyMap<string, DeclaredResource>, state: StateValues): string[] | undefined {
  const own = r.config.vpc_security_group_ids as unknown[] | undefined;
  let refs = own;
  if (!refs) {
    const lt = /^\$\{(aws_launch_template\.[A-Za-z0-9_-]+)\.id\}$/.exec(String((r.config.launch_template as Record<string, unknown> | undefined)?.id ?? ''));
    refs = lt ? (declared.get(lt[1])?.config.vpc_security_group_ids as unknown[] | undefined) : undefined;
  }
  if (!refs) return undefined;
  const ids = refs.map((x) => resolveRef(x, state));
  return ids.every((x): x is string => typeof x === 'string') ? ids : undefined;
}

async function checkInstances(instances: readonly DeclaredResource[], declared: ReadonlyMap<string, DeclaredResource>, state: StateValues, ec2: EC2Client, notes: string[]): Promise<LiveFinding[]> {
  const out: LiveFinding[] = [];
  for (const r of instances) {
    const id = state.get(`${r.type}.${r.name}`)?.id as string | undefined;
    if (!id) continue;
    const live = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    if (!live || live.State?.Name === 'terminated') continue;
    const fix = `detach what was added (aws ec2 modify-network-interface-attribute --groups ...), or replace ${where(r)} from its launch template`;
    const expected = expectedGroups(r, declared, state);
    if (!expected) notes.push(`${where(r)}: expected security groups not resolvable from state; ENI groups not compared`);
    else {
      const want = [...expected].sort();
      for (const eni of live.NetworkInterfaces ?? []) {
        const got = (eni.Groups ?? []).map((g) => g.GroupId ?? '').sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          out.push({ check: 'instance-security-groups', resource: `${where(r)} (${id}, ${eni.NetworkInterfaceId})`, attribute: 'network interface security groups', expected: want.join(', '), actual: got.join(', ') || '(none)', fix });
        }
      }
    }
    if (typeof r.config.user_data === 'string') {
      const rendered = renderTemplate(r.config.user_data, state);
      if (rendered === undefined) {
        notes.push(`${where(r)}: user_data references something not in state; not compared`);
        continue;
      }
      const attr = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
      const liveText = attr.UserData?.Value ? Buffer.from(attr.UserData.Value, 'base64').toString('utf8') : '';
      if (liveText !== rendered) {
        out.push({
          check: 'instance-user-data',
          resource: `${where(r)} (${id})`,
          attribute: 'user_data',
          expected: `sha256 ${sha(rendered)} (${rendered.length} bytes, from the code)`,
          actual: `sha256 ${sha(liveText)} (${liveText.length} bytes)`,
          fix: `replace the host (terraform apply -replace='${r.type}.${r.name}'): a boot script changed out of band runs at the next boot with the instance role`,
        });
      }
    }
  }
  return out;
}

async function checkSecretVersions(state: StateValues, stackOf: ReadonlyMap<string, string>, secrets: SecretsManagerClient): Promise<{ findings: LiveFinding[]; count: number }> {
  const out: LiveFinding[] = [];
  const versions = ofType(state, 'aws_secretsmanager_secret_version');
  for (const [address, attrs] of versions) {
    const secretId = String(attrs.secret_id ?? attrs.arn ?? '');
    const managed = String(attrs.version_id ?? '');
    const live = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
    const current = Object.entries(live.VersionIdsToStages ?? {}).find(([, stages]) => stages?.includes('AWSCURRENT'))?.[0];
    if (current !== managed) {
      out.push({
        check: 'secret-current-version',
        resource: `${stackOf.get(address)}/${address} (${live.Name ?? secretId})`,
        attribute: 'AWSCURRENT version',
        expected: managed,
        actual: current ?? '(no current version)',
        fix: `the value hosts fetch at boot is not the managed one: terraform apply -replace='${address}' in ${stackOf.get(address)} writes it again; find who called PutSecretValue (CloudTrail)`,
      });
    }
  }
  return { findings: out, count: versions.length };
}

/**
 * Secrets whose value an operator puts in (no managed version: the keyless private key,
 * the gokeyless API key). Their value is invisible to Terraform by design; what can be
 * checked is that the secret has at most one version: a second one means the value was
 * replaced (or rotated) since, which someone must confirm and then tidy up.
 */
async function checkOperatorSecrets(state: StateValues, stackOf: ReadonlyMap<string, string>, secrets: SecretsManagerClient, notes: string[]): Promise<{ findings: LiveFinding[]; count: number }> {
  const managed = new Set(ofType(state, 'aws_secretsmanager_secret_version').map(([, a]) => String(a.secret_id)));
  const operator = ofType(state, 'aws_secretsmanager_secret').filter(([, a]) => !managed.has(String(a.arn)) && !managed.has(String(a.id)));
  const out: LiveFinding[] = [];
  for (const [address, attrs] of operator) {
    const live = await secrets.send(new DescribeSecretCommand({ SecretId: String(attrs.arn) }));
    // Versions without a staging label are deprecated (AWS deletes them); only labeled ones count.
    const versions = Object.entries(live.VersionIdsToStages ?? {}).filter(([, stages]) => (stages ?? []).length > 0);
    if (versions.length === 0) notes.push(`${stackOf.get(address)}/${address} (${live.Name}): no value put in yet`);
    if (versions.length > 1) {
      out.push({
        check: 'operator-secret-versions',
        resource: `${stackOf.get(address)}/${address} (${live.Name})`,
        attribute: 'versions',
        expected: 'one version (the value an operator put in)',
        actual: versions.map(([id, stages]) => `${id} ${(stages ?? []).join('+') || '(no stage)'}`).join(', '),
        fix: 'the value was replaced since it was put in: confirm who did it (CloudTrail PutSecretValue), then remove the old version (aws secretsmanager update-secret-version-stage --remove-from-version-id) so the next change shows',
      });
    }
  }
  return { findings: out, count: operator.length };
}

async function checkApis(state: StateValues, stackOf: ReadonlyMap<string, string>, apigw: APIGatewayClient): Promise<{ findings: LiveFinding[]; count: number }> {
  const out: LiveFinding[] = [];
  const apis = ofType(state, 'aws_api_gateway_rest_api');
  for (const [address, attrs] of apis) {
    const apiId = String(attrs.id);
    const stages = ofType(state, 'aws_api_gateway_stage').filter(([, s]) => s.rest_api_id === apiId).map(([, s]) => String(s.stage_name));
    const deployments = ofType(state, 'aws_api_gateway_deployment').filter(([, d]) => d.rest_api_id === apiId).map(([, d]) => String(d.id));
    const liveStages = (await apigw.send(new GetStagesCommand({ restApiId: apiId }))).item ?? [];
    const resource = `${stackOf.get(address)}/${address} (${apiId})`;
    for (const s of liveStages.filter((s) => !stages.includes(s.stageName ?? ''))) {
      out.push({ check: 'api-stages-deployments', resource, attribute: `stage ${s.stageName}`, expected: `stages ${stages.join(', ') || '(none)'}`, actual: `extra stage ${s.stageName} (deployment ${s.deploymentId ?? '?'})`, fix: `delete the stage (aws apigateway delete-stage --rest-api-id ${apiId} --stage-name ${s.stageName}): a base path mapping to it serves what the code never reviewed` });
    }
    const deploymentPage = (position?: string) => apigw.send(new GetDeploymentsCommand({ restApiId: apiId, position, limit: 500 }));
    await forEachPage(`GetDeployments (${apiId})`, deploymentPage, (page) => page.position, (page) => {
      for (const d of (page.items ?? []).filter((d) => !deployments.includes(d.id ?? ''))) {
        out.push({ check: 'api-stages-deployments', resource, attribute: `deployment ${d.id}`, expected: `deployments ${deployments.join(', ') || '(none)'}`, actual: `extra deployment ${d.id}${d.description ? ` (${d.description})` : ''}`, fix: `delete the deployment (aws apigateway delete-deployment --rest-api-id ${apiId} --deployment-id ${d.id}) after checking no stage uses it` });
      }
    });
  }
  return { findings: out, count: apis.length };
}

/** Runs every live check over the declared resources and the state. AWS errors propagate (exit 1). */
export async function liveAwsChecks(resources: readonly DeclaredResource[], states: StateRead, clients: LiveClients): Promise<LiveReport> {
  const notes: string[] = [...[...states.unreadable].map(([s, why]) => `${s}: ${why}; its resources were not checked live`)];
  const declared = new Map(resources.map((r) => [`${r.type}.${r.name}`, r]));
  const instances = resources.filter((r) => r.type === 'aws_instance');
  const groupsAndUserData = await checkInstances(instances, declared, states.values, clients.ec2, notes);
  const secrets = await checkSecretVersions(states.values, states.stackOf, clients.secrets);
  const operatorSecrets = await checkOperatorSecrets(states.values, states.stackOf, clients.secrets, notes);
  const apis = await checkApis(states.values, states.stackOf, clients.apiGateway);
  const applied = instances.filter((r) => states.values.has(`${r.type}.${r.name}`)).length;
  return {
    findings: [...groupsAndUserData, ...secrets.findings, ...operatorSecrets.findings, ...apis.findings],
    checked: { 'instance-security-groups': applied, 'instance-user-data': applied, 'secret-current-version': secrets.count, 'operator-secret-versions': operatorSecrets.count, 'api-stages-deployments': apis.count },
    notes,
  };
}
