import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';

/** A deployed REST API stage a custom domain can map to. */
export interface RestApiTarget {
  readonly restApiId: string;
  readonly stageName: string;
}

export interface DemoMockApiProps {
  /** API name. */
  readonly name: string;
  /** Stage the domains map to. @default "v1" */
  readonly stageName?: string;
}

/**
 * A one-method REST API (GET / answers 200 from a MOCK integration) so that an
 * environment is complete and testable without a backend. Its execute-api endpoint
 * is disabled: the mTLS custom domain is the only way in.
 */
export class DemoMockApi extends Construct implements RestApiTarget {
  /** Adopt an API managed elsewhere; its default endpoint must be disabled where it is managed. */
  static fromExisting(restApiId: string, stageName: string): RestApiTarget {
    if (!/^[a-z0-9]{10}$/.test(restApiId)) throw new Error(`REST API id "${restApiId}" must be 10 lowercase letters and digits`);
    return { restApiId, stageName };
  }

  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly restApiId: string;
  readonly stageName: string;

  constructor(scope: Construct, id: string, props: DemoMockApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'v1';
    this.api = new ApiGatewayRestApi(this, 'Api', {
      name: props.name,
      description: 'Demo API behind the mTLS custom domain (MOCK integration)',
      disableExecuteApiEndpoint: true,
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    const method = new ApiGatewayMethod(this, 'GetRoot', {
      restApiId: this.api.id,
      resourceId: this.api.rootResourceId,
      httpMethod: 'GET',
      // Authentication is the client certificate, checked by the custom domain.
      authorization: 'NONE',
    });
    const integration = new ApiGatewayIntegration(this, 'MockIntegration', {
      restApiId: this.api.id,
      resourceId: this.api.rootResourceId,
      httpMethod: method.httpMethod,
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
    });
    const response = new ApiGatewayMethodResponse(this, 'Ok', {
      restApiId: this.api.id,
      resourceId: this.api.rootResourceId,
      httpMethod: method.httpMethod,
      statusCode: '200',
    });
    const integrationResponse = new ApiGatewayIntegrationResponse(this, 'OkResponse', {
      restApiId: this.api.id,
      resourceId: this.api.rootResourceId,
      httpMethod: method.httpMethod,
      statusCode: response.statusCode,
      responseTemplates: { 'application/json': '{"status": "ok"}' },
      dependsOn: [integration],
    });
    const deployment = new ApiGatewayDeployment(this, 'Deployment', {
      restApiId: this.api.id,
      // REST deployments are snapshots: redeploy when the API or its endpoint setting changes.
      triggers: {
        redeployment: Fn.sha1(
          Fn.jsonencode([method.id, integration.id, response.id, integrationResponse.id, this.api.disableExecuteApiEndpoint]),
        ),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [integrationResponse],
    });
    this.stage = new ApiGatewayStage(this, 'Stage', {
      restApiId: this.api.id,
      deploymentId: deployment.id,
      stageName,
    });
    this.restApiId = this.api.id;
    // The stage's attribute, not the literal: a mapping must wait until the stage exists.
    this.stageName = this.stage.stageName;
  }
}
