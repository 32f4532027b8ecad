import { ALL_RULES } from '../policy/rules';
import { REVIEWED_TYPES } from './security-settings';

/**
 * Resource types whose replacement or deletion a reviewer must look at first: every type
 * a policy rule judges or the review's security view describes. Derived, not listed, so a
 * new rule or a new row in the security view makes its type security-relevant too.
 */
export const SECURITY_RELEVANT_TYPES: ReadonlySet<string> = new Set([
  ...REVIEWED_TYPES,
  // Judged by Trivy alone (stage access logging, AVD-AWS-0001), which the review cannot derive from.
  'aws_api_gateway_stage',
  'aws_apigatewayv2_stage',
  ...ALL_RULES.flatMap((r) => r.resourceTypes).filter((t) => !t.startsWith('data.')),
]);

export function isSecurityRelevant(type: string): boolean {
  return SECURITY_RELEVANT_TYPES.has(type);
}
