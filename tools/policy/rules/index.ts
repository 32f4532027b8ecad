import type { Rule } from '../engine';
import { apiGatewayRules } from './api-gateway';
import { cloudflareRules } from './cloudflare';
import { ec2Rules } from './ec2';
import { iamRules } from './iam';
import { s3Rules } from './s3';
import { secretRules } from './secrets';

/** Every policy rule, by area. */
export const ALL_RULES: readonly Rule[] = [...s3Rules, ...apiGatewayRules, ...ec2Rules, ...iamRules, ...cloudflareRules, ...secretRules];
