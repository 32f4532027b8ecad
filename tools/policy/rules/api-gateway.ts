import { blocks, PolicyStack, Rule, Violation } from '../engine';
import { formatValue } from '../../tf-json/format';

const DOMAIN = 'aws_api_gateway_domain_name';
const REST_API_TYPES = ['aws_api_gateway_rest_api', 'aws_apigatewayv2_api'];

/** Origin stacks build one mTLS custom domain per protected hostname of the environment. */
function missingDomains(stack: PolicyStack): Violation[] {
  if (stack.concern !== 'origin' || !stack.env) return [];
  const built = new Set(stack.ofType(DOMAIN).map((d) => d.body.domain_name));
  return stack.env.hostnames
    .filter((h) => !built.has(h.name))
    .map((h) => ({ address: `missing:${DOMAIN}:${h.name}`, message: `protected hostname "${h.name}" has no ${DOMAIN}, so nothing terminates mTLS for it at the origin` }));
}

export const apiGatewayDomainMtls: Rule = {
  id: 'APIGW-DOMAIN-MTLS',
  description: 'Every API Gateway custom domain requires client certificates from a versioned truststore, and every protected hostname has one.',
  fix: 'List the hostname under `hostnames[]` in envs/<env>.yaml: the origin stack builds an MtlsApiDomain (modules/origin/mtls-api-domain.ts) for it, with `truststoreUri` and `truststoreVersion` from the Truststore construct.',
  resourceTypes: [DOMAIN],
  check(domain) {
    const mtls = blocks(domain.body.mutual_tls_authentication)[0];
    if (!mtls) return [`mutual_tls_authentication is unset: "${domain.body.domain_name}" accepts clients without a certificate`];
    const problems: string[] = [];
    if (typeof mtls.truststore_uri !== 'string' || mtls.truststore_uri === '') problems.push('mutual_tls_authentication.truststore_uri is empty');
    if (mtls.truststore_version === undefined || mtls.truststore_version === '')
      problems.push('mutual_tls_authentication.truststore_version is unset: a rotated truststore would never be re-read by API Gateway');
    return problems;
  },
  require: missingDomains,
};

// Repeats Trivy AVD-AWS-0005, which .trivyignore turns off (it cannot read the domain through remote state); kept: it is then the only check, and REGIONAL is what mTLS needs.
export const apiGatewayDomainTls12: Rule = {
  id: 'APIGW-DOMAIN-TLS12',
  description: 'Every API Gateway custom domain uses the TLS_1_2 security policy and a REGIONAL endpoint.',
  fix: 'Build the domain with MtlsApiDomain (modules/origin/mtls-api-domain.ts), which fixes TLS_1_2 and a REGIONAL endpoint.',
  resourceTypes: [DOMAIN],
  check(domain) {
    const problems: string[] = [];
    if (domain.body.security_policy !== 'TLS_1_2') problems.push(`security_policy is ${formatValue(domain.body.security_policy)}; expected "TLS_1_2"`);
    const types = blocks(domain.body.endpoint_configuration)[0]?.types;
    if (!Array.isArray(types) || types.length !== 1 || types[0] !== 'REGIONAL') problems.push(`endpoint_configuration.types is ${formatValue(types)}; expected ["REGIONAL"]`);
    return problems;
  },
};

export const apiGatewayDefaultEndpointDisabled: Rule = {
  id: 'APIGW-DEFAULT-ENDPOINT-DISABLED',
  description: 'Every API disables its default execute-api endpoint, and an origin with custom domains has an API at all.',
  fix: 'Build the API with the RestApi construct (modules/origin/rest-api.ts), which disables the default execute-api endpoint.',
  resourceTypes: REST_API_TYPES,
  check(api) {
    return api.body.disable_execute_api_endpoint === true
      ? []
      : [`disable_execute_api_endpoint is ${formatValue(api.body.disable_execute_api_endpoint)}: https://{id}.execute-api... bypasses the mTLS domain`];
  },
  require(stack) {
    if (stack.concern !== 'origin' || stack.ofType(DOMAIN).length === 0) return [];
    const apis = REST_API_TYPES.flatMap((t) => stack.ofType(t));
    return apis.length > 0 ? [] : [{ address: 'missing:aws_api_gateway_rest_api', message: 'the origin has custom domains but no API whose default endpoint is disabled' }];
  },
};

// Stage access logging is Trivy's check alone (AVD-AWS-0001, accepted in tools/policy/suppressions.yaml).
export const apiGatewayRules: readonly Rule[] = [apiGatewayDomainMtls, apiGatewayDomainTls12, apiGatewayDefaultEndpointDisabled];
