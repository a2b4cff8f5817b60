/**
 * @module api-stack
 * The HTTP front door: a regional REST API (v1) generated from the route table, one Lambda
 * function per route family, Kubernetes-style gateway responses, access logs, alarms and the
 * outputs `scripts/kubeconfig-from-stack.ts` turns into a kubeconfig.
 *
 * Why REST and not an HTTP API: docs/deploy.md, "Why a REST API".
 */
import { Aws, CfnOutput, CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { FAMILY_ENTRIES, routes as defaultRoutes, type Route, type RouteFamily } from '../../shared/api/routes.js';
import { ApiFunction } from '../constructs/api-function.js';
import { addStatusGatewayResponses } from '../constructs/gateway-responses.js';
import { OperationalAlarms } from '../constructs/operational-alarms.js';
import { RestRoutes, STREAM_TIMEOUT, streamingFamilies } from '../constructs/rest-routes.js';
import { grantTableAccess, type TableAccess } from '../constructs/table-access.js';
import { PruneSchedule } from '../constructs/prune-schedule.js';
import { acknowledge, NAG_REASONS } from '../constructs/nag.js';
import { baseEnvironment, functionEnvironment } from './environment.js';
import type { DeploySettings } from './settings.js';

export { functionEnvironment, SERVICE_NAME } from './environment.js';

/**
 * What each family may do to the table. A new family must be placed here (the type enforces it).
 * Every family authenticates and authorizes, which reads RBAC policy (roles, bindings) from the
 * table, so none is `none`; discovery also answers the namespace probe from the table.
 */
export const FAMILY_TABLE_ACCESS: Readonly<Record<RouteFamily, TableAccess>> = {
  discovery: 'read',
  imagestreams: 'read-write',
  'imagestreams-status': 'read-write',
  watch: 'read',
};

/** The family answering `/` and paths the table does not know (`404 page not found`). */
export const CATCH_ALL_FAMILY: RouteFamily = 'discovery';

/**
 * WATCH_MAX_SECONDS of streaming functions: a watch ends itself (clients then resume from
 * their last resourceVersion) a minute before API Gateway cuts the stream and Lambda stops
 * the function, both at 15 minutes.
 */
export const WATCH_MAX_SECONDS = STREAM_TIMEOUT.toSeconds() - 60;

export interface ApiStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly table: ITableV2;
  /** The table's customer-managed key, if any. */
  readonly tableKey?: IKey | undefined;
  /** Defaults to THE route table; tests may pass another. */
  readonly routes?: readonly Route[];
}

/** `imagestreams-status` → `ImagestreamsStatus` (construct ids). */
const pascal = (family: string): string =>
  family
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly functions: Readonly<Record<RouteFamily, ApiFunction>>;
  readonly routes: RestRoutes;
  readonly alarms: OperationalAlarms;
  /** Every alarm of the app goes here (the watch and importer stacks use it too). */
  readonly alarmTopic: Topic;
  /** The scheduled history prune, when `pruneSchedule` is set. */
  readonly pruneSchedule: PruneSchedule | undefined;
  /** `https://<id>.execute-api.<region>.<suffix>/<stage>` (no trailing slash): the kubeconfig server. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Export/ImportValue: CloudFormation refuses to delete the data stack while this one uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { settings, table, tableKey } = props;
    const routeTable = props.routes ?? defaultRoutes;

    const streaming = streamingFamilies(routeTable);
    const functions = {} as Record<RouteFamily, ApiFunction>;
    const handlers = {} as Record<RouteFamily, IFunction>;
    for (const family of Object.keys(FAMILY_ENTRIES) as RouteFamily[]) {
      const access = FAMILY_TABLE_ACCESS[family];
      const fn = new ApiFunction(this, `${pascal(family)}Function`, {
        entry: FAMILY_ENTRIES[family],
        projectRoot: settings.projectRoot,
        description: `ImageStream API ${settings.stage}: ${family} routes`,
        environment: {
          ...functionEnvironment(settings),
          ...(access === 'none' ? {} : { TABLE_NAME: table.tableName }),
          ...(streaming.has(family) ? { WATCH_MAX_SECONDS: String(WATCH_MAX_SECONDS) } : {}),
        },
        logRetention: settings.logRetention,
        removalPolicy: settings.removalPolicy,
        // A streamed watch may stay open as long as API Gateway keeps the stream.
        ...(streaming.has(family) ? { timeout: STREAM_TIMEOUT } : {}),
      });
      grantTableAccess(fn.function, table, access, tableKey);
      functions[family] = fn;
      handlers[family] = fn.function;
    }
    this.functions = functions;

    this.api = new RestApi(this, 'RestApi', {
      restApiName: `${settings.stackPrefix}-api`,
      description: `OpenShift ImageStream API (image.openshift.io/v1), stage ${settings.stage}`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Every body is passed through untouched (base64 in the event, which the adapter decodes),
      // and a response marked isBase64Encoded (protobuf /openapi/v2) goes out as binary.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: settings.accessLogs && settings.apiGatewayCloudWatchRole,
      deployOptions: {
        stageName: settings.stage,
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: false,
        ...(settings.accessLogs ? this.#accessLogs(settings) : {}),
      },
    });
    addStatusGatewayResponses(this.api);
    this.#acknowledgeNagFindings(settings);

    this.routes = new RestRoutes(this, 'Routes', { api: this.api, routes: routeTable, handlers, catchAllFamily: CATCH_ALL_FAMILY });

    const topic = new Topic(this, 'AlarmTopic', { displayName: `ImageStream API ${settings.stage} alarms`, enforceSSL: true });
    this.alarmTopic = topic;
    if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
    this.alarms = new OperationalAlarms(this, 'Alarms', { topic, label: id });
    this.alarms.apiServerErrors(this.api.deploymentStage);
    for (const [family, fn] of Object.entries(functions)) this.alarms.functionHealth(pascal(family), fn.function);
    this.alarms.tableThrottles(table);

    this.pruneSchedule = settings.pruneSchedule
      ? new PruneSchedule(this, 'PruneSchedule', {
          schedule: settings.pruneSchedule,
          keepTagRevisions: settings.pruneKeepTagRevisions,
          keepYoungerThan: settings.pruneKeepYoungerThan,
          table,
          tableKey,
          // The prune runs with the server's own rights: it authenticates nobody.
          environment: baseEnvironment(settings),
          projectRoot: settings.projectRoot,
          logRetention: settings.logRetention,
          removalPolicy: settings.removalPolicy,
          description: `ImageStream API ${settings.stage}: scheduled image stream history prune`,
        })
      : undefined;
    if (this.pruneSchedule) this.alarms.functionHealth('Prune', this.pruneSchedule.function.function);

    this.endpoint = `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.api.deploymentStage.stageName}`;
    new CfnOutput(this, 'ApiEndpoint', { value: this.endpoint, description: 'Kubernetes API server URL (kubeconfig clusters[].cluster.server)' });
    new CfnOutput(this, 'RestApiId', { value: this.api.restApiId });
    new CfnOutput(this, 'StageName', { value: this.api.deploymentStage.stageName });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    if (settings.oidcIssuerUrl) new CfnOutput(this, 'OidcIssuerUrl', { value: settings.oidcIssuerUrl, description: 'OIDC issuer whose ID tokens the API accepts' });
    if (settings.oidcClientId) new CfnOutput(this, 'OidcClientId', { value: settings.oidcClientId, description: 'OIDC client id (accepted audience)' });
    if (settings.oidcAudience) new CfnOutput(this, 'OidcAudience', { value: settings.oidcAudience, description: 'further accepted OIDC audiences' });
  }

  /** cdk-nag findings on the REST API that are design decisions (docs/deploy.md, "Why a REST API"). */
  #acknowledgeNagFindings(settings: DeploySettings): void {
    acknowledge(this.api, 'AwsSolutions-APIG4', NAG_REASONS.functionAuth);
    acknowledge(this.api, 'AwsSolutions-COG4', `${NAG_REASONS.functionAuth} Identities come from the configured OIDC issuer (any provider, not only Cognito) or static tokens.`);
    acknowledge(
      this.api,
      'AwsSolutions-APIG2',
      'Requests are validated by the functions, which answer with Kubernetes Status bodies (422 Invalid, 400 BadRequest, 415) that clients understand; an API Gateway request validator would answer with its own error format first.',
    );
    acknowledge(
      this.api.deploymentStage,
      'AwsSolutions-APIG6',
      'Execution logging is off on purpose: API Gateway writes it to a log group it creates itself (API-Gateway-Execution-Logs_*, no retention set by this app), and with data tracing it would log Authorization headers. The stage has JSON access logs, and each function logs to its own log group.',
    );
    acknowledge(
      this.api.deploymentStage,
      'AwsSolutions-APIG3',
      'No WAF web ACL by default: every request is authenticated by the functions and throttled by API Gateway; a web ACL (and its cost) is an account-level choice that can be associated with the stage later without changing this app.',
    );
    if (!settings.accessLogs) acknowledge(this.api.deploymentStage, 'AwsSolutions-APIG1', 'Access logs are turned off by the accessLogs=false setting.');
    const cloudWatchRole = this.node.tryFindChild('RestApi')?.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "The Region-wide API Gateway logging role (AWS::ApiGateway::Account, apiGatewayCloudWatchRole=true) uses AWS's managed policy made for exactly this role; it is needed for the REST and WebSocket access logs.",
      );
    }
  }

  #accessLogs(settings: DeploySettings): { accessLogDestination: LogGroupLogDestination; accessLogFormat: AccessLogFormat } {
    const logs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetention, removalPolicy: settings.removalPolicy });
    // No headers, query strings or bodies: nothing that could carry a credential.
    const format = AccessLogFormat.custom(
      JSON.stringify({
        requestId: AccessLogField.contextRequestId(),
        time: AccessLogField.contextRequestTime(),
        ip: AccessLogField.contextIdentitySourceIp(),
        userAgent: AccessLogField.contextIdentityUserAgent(),
        method: AccessLogField.contextHttpMethod(),
        resource: AccessLogField.contextResourcePath(),
        path: AccessLogField.contextPath(),
        protocol: AccessLogField.contextProtocol(),
        status: AccessLogField.contextStatus(),
        responseLength: AccessLogField.contextResponseLength(),
        responseLatency: AccessLogField.contextResponseLatency(),
        integrationLatency: AccessLogField.contextIntegrationLatency(),
        integrationStatus: AccessLogField.contextIntegrationStatus(),
        errorType: AccessLogField.contextErrorResponseType(),
        error: AccessLogField.contextErrorMessage(),
      }),
    );
    return { accessLogDestination: new LogGroupLogDestination(logs), accessLogFormat: format };
  }
}
