/**
 * @module data-stack
 * The stateful half of the deployment: the single DynamoDB table (key schema, TTL attribute
 * and stream view from `shared/storage/dynamo/table-spec.ts`, so it matches the local table),
 * on-demand, with point-in-time recovery, deletion protection and encryption at rest — by
 * default with a customer-managed KMS key with yearly rotation, because the table holds
 * Secrets (pull secrets, also inside event-log items); `tableEncryption=aws-managed` or
 * `tableKmsKeyArn` choose otherwise.
 * Kept apart from the API stack so the API can be replaced freely without touching data.
 */
import { Annotations, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2, type CfnGlobalTable } from 'aws-cdk-lib/aws-dynamodb';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TABLE_SPEC } from '../../shared/storage/dynamo/table-spec.js';
import type { DeploySettings } from './settings.js';

export type DataSettings = Pick<
  DeploySettings,
  'stage' | 'removalPolicy' | 'deletionProtection' | 'tableEncryption' | 'tableKmsKeyArn'
>;

export interface DataStackProps extends StackProps {
  readonly settings: DataSettings;
}

export function keyAttributeType(type: string): AttributeType {
  if (type === 'S') return AttributeType.STRING;
  throw new Error(`table-spec key type ${type} is not mapped`);
}

export class DataStack extends Stack {
  readonly table: TableV2;
  /** The customer-managed key, when the table uses one (callers need it through DynamoDB). */
  readonly tableKey: IKey | undefined;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.tableKey = this.#tableKey(settings);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_SPEC.partitionKey, type: keyAttributeType(TABLE_SPEC.keyType) },
      sortKey: { name: TABLE_SPEC.sortKey, type: keyAttributeType(TABLE_SPEC.keyType) },
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType[TABLE_SPEC.streamViewType],
      timeToLiveAttribute: TABLE_SPEC.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: settings.deletionProtection,
      encryption: TableEncryptionV2.awsManagedKey(),
      removalPolicy: settings.removalPolicy,
    });
    if (this.tableKey) {
      // TableEncryptionV2.customerManagedKey() cannot render in a region-agnostic stack (it
      // indexes replica keys by region). With SSEType KMS, a replica's KMSMasterKeyId selects
      // the customer-managed key; without it the AWS-managed key is used.
      (this.table.node.defaultChild as CfnGlobalTable).addPropertyOverride('Replicas.0.SSESpecification', {
        KMSMasterKeyId: this.tableKey.keyArn,
      });
    }

    if (settings.removalPolicy === RemovalPolicy.DESTROY && settings.deletionProtection) {
      Annotations.of(this).addWarningV2(
        'imagestream:destroy-with-deletion-protection',
        'removalPolicy=destroy has no effect while deletionProtection=true: deleting the stack will fail on the table',
      );
    }

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB table (TABLE_NAME)' });
    new CfnOutput(this, 'TableArn', { value: this.table.tableArn });
    if (this.table.tableStreamArn) {
      new CfnOutput(this, 'TableStreamArn', { value: this.table.tableStreamArn, description: 'NEW_AND_OLD_IMAGES stream (watch fan-out and import trigger)' });
    }
    if (this.tableKey) new CfnOutput(this, 'TableKeyArn', { value: this.tableKey.keyArn, description: 'KMS key of the table' });
  }

  #tableKey(settings: DataSettings): IKey | undefined {
    if (settings.tableKmsKeyArn) return Key.fromKeyArn(this, 'TableKey', settings.tableKmsKeyArn);
    if (settings.tableEncryption !== 'customer-managed') return undefined;
    return new Key(this, 'TableKey', {
      description: `ImageStream API ${settings.stage}: DynamoDB table encryption`,
      enableKeyRotation: true,
      removalPolicy: settings.removalPolicy,
    });
  }
}
