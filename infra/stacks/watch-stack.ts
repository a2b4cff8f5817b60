/**
 * @module watch-stack
 * Watch over WebSocket (docs/design.md, "Watch over WebSocket"): the connections table, the
 * WebSocket API and its stage, the five functions of `WATCH_ENTRIES`, the fan-out's two event
 * source mappings and their on-failure queue, the tick schedule, and their alarms.
 *
 * - `$connect` authenticates (bearer token in the header or the Kubernetes token subprotocol),
 *   authorizes `watch` with RBAC and stores a pending subscription; no API Gateway authorizer
 *   is involved. `$disconnect` forgets the connection; `$default` discards client messages.
 * - The fan-out reads two streams: the main table's (event-log INSERTs, `LOG_STREAM_FILTER`)
 *   and the connections table's (new subscriptions, `SUBSCRIPTION_STREAM_FILTER`), and posts
 *   to `@connections` under a 60 s partition lease — hence its 30 s timeout.
 * - The tick (once a minute) sends bookmarks, ends timed-out watches and picks up leftovers.
 *
 * The main table's stream has at most two readers per shard: this fan-out and the import
 * trigger (importer-stack.ts). A third consumer would be throttled.
 */
import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage, type CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Billing, StreamViewType, TableEncryptionV2, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, MetricType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CONNECTIONS_TABLE_SPEC } from '../../shared/storage/dynamo/connections/table.js';
import { LOG_STREAM_FILTER, SUBSCRIPTION_STREAM_FILTER } from '../../shared/storage/dynamo/stream-records.js';
import { WATCH_ENTRIES, type WatchEntry } from '../../shared/watch/entries.js';
import { ApiFunction } from '../constructs/api-function.js';
import { grantConnectionsAccess } from '../constructs/connections-access.js';
import { acknowledge, NAG_REASONS, nagRef } from '../constructs/nag.js';
import { OperationalAlarms } from '../constructs/operational-alarms.js';
import { secureQueue } from '../constructs/secure-queue.js';
import { grantTableAccess } from '../constructs/table-access.js';
import { keyAttributeType } from './data-stack.js';
import { authEnvironment, baseEnvironment } from './environment.js';
import type { DeploySettings } from './settings.js';

/** The fan-out must finish well inside its 60 s partition lease. */
export const FANOUT_TIMEOUT = Duration.seconds(30);
export const FANOUT_MEMORY_MB = 1024;
/** The tick runs once a minute and must end before the next one. */
export const TICK_TIMEOUT = Duration.seconds(50);
export const TICK_SCHEDULE = 'rate(1 minute)';

/** The two event source mappings of the fan-out (exact values; test/infra/watch-stack.test.ts checks them). */
export const FANOUT_MAPPINGS = {
  log: { batchSize: 100, maxRecordAge: Duration.minutes(15), filter: LOG_STREAM_FILTER },
  subscription: { batchSize: 50, maxRecordAge: Duration.minutes(5), filter: SUBSCRIPTION_STREAM_FILTER },
} as const;
const FANOUT_RETRY_ATTEMPTS = 5;

export interface WatchStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly table: ITableV2;
  readonly tableKey?: IKey | undefined;
  /** The app's alarm topic (api-stack.ts). */
  readonly alarmTopic: ITopic;
}

export class WatchStack extends Stack {
  readonly connectionsTable: TableV2;
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly functions: Readonly<Record<WatchEntry, ApiFunction>>;
  /** On-failure destination of both fan-out event source mappings. */
  readonly fanoutDlq: Queue;
  readonly logEventSource: DynamoEventSource;
  readonly subscriptionEventSource: DynamoEventSource;
  readonly tickRule: Rule;
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: WatchStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { settings, table, tableKey } = props;

    // Ephemeral rows (connections live at most 2 h, rows expire by TTL): no point-in-time
    // recovery (a restored copy would name connections that no longer exist) and no deletion
    // protection; the removal policy follows the settings.
    this.connectionsTable = new TableV2(this, 'ConnectionsTable', {
      partitionKey: { name: CONNECTIONS_TABLE_SPEC.partitionKey, type: keyAttributeType(CONNECTIONS_TABLE_SPEC.keyType) },
      sortKey: { name: CONNECTIONS_TABLE_SPEC.sortKey, type: keyAttributeType(CONNECTIONS_TABLE_SPEC.keyType) },
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType[CONNECTIONS_TABLE_SPEC.streamViewType],
      timeToLiveAttribute: CONNECTIONS_TABLE_SPEC.ttlAttribute,
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: false,
      removalPolicy: settings.removalPolicy,
    });

    const connections = this.connectionsTable;
    const env = { ...baseEnvironment(settings), TABLE_NAME: table.tableName, CONNECTIONS_TABLE_NAME: connections.tableName };
    const fn = (entry: WatchEntry, name: string, extra: Partial<ConstructorParameters<typeof ApiFunction>[2]> = {}): ApiFunction =>
      new ApiFunction(this, `${name}Function`, {
        entry: WATCH_ENTRIES[entry],
        projectRoot: settings.projectRoot,
        description: `ImageStream API ${settings.stage}: WebSocket watch ${entry}`,
        environment: env,
        logRetention: settings.logRetention,
        removalPolicy: settings.removalPolicy,
        ...extra,
      });

    // $connect authenticates and authorizes: the auth settings, and RBAC reads of the table.
    const connect = fn('connect', 'Connect', { environment: { ...env, ...authEnvironment(settings) } });
    grantTableAccess(connect.function, table, 'read', tableKey);
    grantConnectionsAccess(connect.function, connections, 'subscribe');

    const disconnect = fn('disconnect', 'Disconnect');
    grantConnectionsAccess(disconnect.function, connections, 'forget');

    // Client messages are discarded: no table, no settings beyond logging.
    const defaultRoute = fn('default', 'Default', { environment: baseEnvironment(settings), memorySize: 256 });

    this.api = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `${settings.stackPrefix}-watch`,
      description: `ImageStream API ${settings.stage}: watch over WebSocket (wss://…/${settings.stage}?path=<watch path>&watch=true)`,
      connectRouteOptions: { integration: new WebSocketLambdaIntegration('ConnectIntegration', connect.function) },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', disconnect.function) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', defaultRoute.function) },
    });
    acknowledge(this.api, 'AwsSolutions-APIG4', `${NAG_REASONS.functionAuth} $connect authenticates the token from the Authorization header or the base64url.bearer.authorization.k8s.io subprotocol and echoes the chosen Sec-WebSocket-Protocol; $disconnect and $default only touch the caller's own connection.`);

    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: settings.stage,
      autoDeploy: true,
      description: `ImageStream API ${settings.stage}: watch`,
      ...(settings.accessLogs ? { accessLogSettings: this.#accessLogs(settings) } : {}),
    });
    if (!settings.accessLogs) acknowledge(this.stage, 'AwsSolutions-APIG1', 'Access logs are turned off by the accessLogs=false setting.');

    // Delivery: the fan-out and the tick post to @connections and run the subscriptions' state.
    const deliveryEnv = {
      ...env,
      WS_CALLBACK_URL: this.stage.callbackUrl,
      WATCH_POST_CONCURRENCY: String(settings.watchPostConcurrency),
    };
    const fanout = fn('fanout', 'Fanout', { environment: deliveryEnv, timeout: FANOUT_TIMEOUT, memorySize: FANOUT_MEMORY_MB });
    const tick = fn('tick', 'Tick', { environment: deliveryEnv, timeout: TICK_TIMEOUT });
    for (const f of [fanout, tick]) {
      this.stage.grantManagementApiAccess(f.function);
      grantTableAccess(f.function, table, 'read', tableKey);
      grantConnectionsAccess(f.function, connections, 'deliver');
      acknowledge(
        f.role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${nagRef(this.api.node.defaultChild as CfnApi)}/${settings.stage}/*/@connections/*]`,
        'execute-api:ManageConnections on this stage only; the connection ids are created at runtime, so the @connections path must end in a wildcard (any method: POST to send, DELETE to close).',
      );
    }

    this.fanoutDlq = secureQueue(this, 'FanoutDlq');
    acknowledge(this.fanoutDlq, 'AwsSolutions-SQS3', 'This queue is itself the on-failure destination (dead-letter queue) of the fan-out event source mappings.');
    const mapping = (m: (typeof FANOUT_MAPPINGS)[keyof typeof FANOUT_MAPPINGS]) => ({
      startingPosition: StartingPosition.LATEST,
      batchSize: m.batchSize,
      maxBatchingWindow: Duration.seconds(0),
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      retryAttempts: FANOUT_RETRY_ATTEMPTS,
      maxRecordAge: m.maxRecordAge,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.fanoutDlq),
      metricsConfig: { metrics: [MetricType.EVENT_COUNT] },
      filters: [FilterCriteria.filter(m.filter)],
    });
    this.logEventSource = new DynamoEventSource(table, mapping(FANOUT_MAPPINGS.log));
    this.subscriptionEventSource = new DynamoEventSource(connections, mapping(FANOUT_MAPPINGS.subscription));
    fanout.function.addEventSource(this.logEventSource);
    fanout.function.addEventSource(this.subscriptionEventSource);

    // No retries and no stale ticks: the next tick comes a minute later anyway.
    this.tickRule = new Rule(this, 'TickRule', {
      description: `ImageStream API ${settings.stage}: WebSocket watch tick (bookmarks, timeouts, leftovers)`,
      schedule: Schedule.expression(TICK_SCHEDULE),
      targets: [new LambdaFunction(tick.function, { retryAttempts: 0 })],
    });
    tick.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    this.functions = { connect, disconnect, default: defaultRoute, fanout, tick };

    this.alarms = new OperationalAlarms(this, 'Alarms', { topic: props.alarmTopic, label: id });
    this.alarms.streamIteratorAge('Fanout', fanout.function);
    this.alarms.queueDepth('FanoutDlq', this.fanoutDlq);
    for (const [name, f] of [
      ['Fanout', fanout],
      ['Connect', connect],
      ['Tick', tick],
    ] as const) {
      this.alarms.functionHealth(name, f.function);
    }
    this.alarms.eventSourceFailures('FanoutLog', this.logEventSource.eventSourceMappingId);
    this.alarms.eventSourceFailures('FanoutSubscription', this.subscriptionEventSource.eventSourceMappingId);

    new CfnOutput(this, 'WebSocketUrl', {
      value: this.stage.url,
      description: 'Watch over WebSocket: <url>?path=<watch path>&watch=true&… (wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>)',
    });
    new CfnOutput(this, 'WebSocketCallbackUrl', { value: this.stage.callbackUrl, description: '@connections management endpoint (WS_CALLBACK_URL)' });
    new CfnOutput(this, 'WebSocketApiId', { value: this.api.apiId });
    new CfnOutput(this, 'ConnectionsTableName', { value: connections.tableName, description: 'DynamoDB table of WebSocket connections (CONNECTIONS_TABLE_NAME)' });
    new CfnOutput(this, 'FanoutDlqUrl', { value: this.fanoutDlq.queueUrl, description: 'on-failure queue of the fan-out event source mappings' });
  }

  #accessLogs(settings: DeploySettings): { destination: LogGroupLogDestination; format: AccessLogFormat } {
    const logs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetention, removalPolicy: settings.removalPolicy });
    // No headers and no query string: the token travels in a header or the subprotocol.
    const format = AccessLogFormat.custom(
      JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        ip: '$context.identity.sourceIp',
        userAgent: '$context.identity.userAgent',
        eventType: '$context.eventType',
        routeKey: '$context.routeKey',
        connectionId: '$context.connectionId',
        status: '$context.status',
        integrationLatency: '$context.integrationLatency',
        integrationStatus: '$context.integration.status',
        error: '$context.error.message',
        errorType: '$context.error.responseType',
      }),
    );
    return { destination: new LogGroupLogDestination(logs), format };
  }
}
