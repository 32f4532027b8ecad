import { readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';
import { buildReport, type PlanReport, type TerraformPlanJson } from '../../tools/plan/plan-report';
import { buildReview, type Review } from '../../tools/review/review';
import { synthesizeJson } from '../../tools/synth/synth-json';

/**
 * The inputs behind the examples in docs/: recorded plan JSON from test/fixtures/plans
 * and the review of the committed `dev` environment, with one protected path removed
 * from API Shield as the pull request's change. Fixed commit and time, so the rendered
 * text is stable.
 */

export const EXAMPLE_TIME = new Date('2026-12-02T05:23:00Z');
export const EXAMPLE_COMMIT = '4f0c2a9e1b7d3c5a8e6f0b2d4c6a8e0f1a3b5c7d';
export const EXAMPLE_RUN = 'https://github.com/acme/edge-mtls-cdktf/actions/runs/123456789';

export function planFixture(name: string): TerraformPlanJson {
  return JSON.parse(readFileSync(fromRoot('test', 'fixtures', 'plans', name), 'utf8'));
}

/** A pull request's plan of `dev`: the recorded replace/delete/create/sensitive-update plan on dev-origin. */
export function examplePlan(): PlanReport {
  return buildReport({
    mode: 'plan',
    env: 'dev',
    awsOnly: false,
    commit: EXAMPLE_COMMIT,
    generatedAt: EXAMPLE_TIME,
    results: [
      { stack: 'dev-edge', exitCode: 0, plan: { terraform_version: '1.11.4', resource_changes: [] }, providers: { 'registry.terraform.io/cloudflare/cloudflare': '5.14.0' } },
      {
        stack: 'dev-origin',
        exitCode: 2,
        plan: planFixture('replace-delete-sensitive.json'),
        constructPaths: { 'aws_api_gateway_domain_name.Api': 'dev-origin/Domain-api.example.test/Domain', 'aws_s3_object.Truststore': 'dev-origin/Truststore/Bundle' },
        providers: { 'registry.terraform.io/hashicorp/aws': '5.100.0' },
      },
    ],
  });
}

/**
 * A pull request that removes the first of three protected hostnames, planned on moto
 * by test/integration/identities-moto.test.ts (RECORD_PLAN_FIXTURES=1 writes the
 * fixture): only `api.example.test`'s resources are deleted; the other two hostnames'
 * domains, certificates and mappings are untouched (their ids are their hostnames).
 */
export function exampleRemovalPlan(): PlanReport {
  return buildReport({
    mode: 'plan',
    env: 'local',
    awsOnly: true,
    commit: EXAMPLE_COMMIT,
    generatedAt: EXAMPLE_TIME,
    // As `local` reports it: moto drops a domain's mutual TLS, so every plan wants to set it again (envs/local.yaml).
    knownGaps: [
      {
        resourceType: 'aws_api_gateway_domain_name',
        attribute: 'mutual_tls_authentication',
        reason: "moto 5.2.1's CreateDomainName drops mutual TLS and moto has no UpdateDomainName, so every plan wants to set it again",
      },
    ],
    results: [{ stack: 'local-origin', exitCode: 2, plan: planFixture('moto-hostname-removal.json'), providers: { 'registry.terraform.io/hashicorp/aws': '5.100.0' } }],
  });
}

/** The review of `dev` against its committed self with the `/admin/` prefix dropped from API Shield. */
export function exampleReview(): Review {
  const dev = synthesizeJson('dev');
  const head = new Map([...dev.stacks].map(([n, j]) => [n, structuredClone(j)]));
  const rule = Object.values<any>(head.get('dev-edge')!.resource.cloudflare_ruleset)[0].rules[0];
  rule.expression = rule.expression.replace(' or starts_with(http.request.uri.path, "/admin/")', '');
  return buildReview(head, { ref: 'origin/main', stacks: dev.stacks }, { environments: dev.environments });
}

/** A nightly drift of `local`: the recorded moto drifts (security group rule, bucket versioning and tags). */
export function exampleDrift(): PlanReport {
  return buildReport({
    mode: 'drift',
    env: 'local',
    awsOnly: true,
    commit: EXAMPLE_COMMIT,
    generatedAt: EXAMPLE_TIME,
    knownGaps: [
      { resourceType: 'aws_launch_template', attribute: 'tag_specifications', reason: "moto echoes a launch template's own tags back as a launch-template tag specification" },
      { resourceType: 'aws_launch_template', attribute: 'latest_version', reason: 'follows from the tag_specifications echo, which makes every plan a new template version' },
    ],
    results: [
      {
        stack: 'local-keyless',
        exitCode: 2,
        plan: planFixture('moto-drift-sg-ingress.json'),
        constructPaths: { 'aws_security_group.KeyServerSecurityGroup_91981080': 'local-keyless/KeyServerSecurityGroup' },
        providers: { 'registry.terraform.io/hashicorp/aws': '5.100.0' },
      },
      { stack: 'local-origin', exitCode: 2, plan: planFixture('moto-drift-versioning-and-tag.json'), providers: { 'registry.terraform.io/hashicorp/aws': '5.100.0' } },
    ],
  });
}
