/**
 * The data stack: the table matches `table-spec.ts` (keys, TTL, stream view) and is
 * protected (PITR, deletion protection, retained, on-demand, encrypted with its own rotating
 * KMS key by default); the settings that change it (removal policy, AWS-managed or existing
 * key) do what they say.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { createImageStreamStacks } from '../../infra/stacks/imagestream-stacks.js';
import { TABLE_SPEC } from '../../shared/storage/dynamo/table-spec.js';
import { actionsOf, only, removeTestApps, resources, roleStatements, settingsFrom, testApp, type CfnResource } from './template-helpers.js';

afterAll(removeTestApps);

/** Synthesizes only the data stack (no functions, so nothing to bundle). */
function dataTemplate(context: Parameters<typeof settingsFrom>[0] = {}): { template: Template; stack: DataStack } {
  const stack = new DataStack(testApp(), 'Data', { settings: settingsFrom(context) });
  return { template: Template.fromStack(stack), stack };
}

const table = (t: Template): CfnResource => only(Object.values(resources(t, 'AWS::DynamoDB::GlobalTable')), 'table');

describe('DataStack', () => {
  const { template } = dataTemplate();

  it('creates one table with the key schema of table-spec.ts', () => {
    expect(table(template).Properties).toMatchObject({
      KeySchema: [
        { AttributeName: TABLE_SPEC.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SPEC.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(table(template).Properties?.['TableName']).toBeUndefined();
  });

  it('streams NEW_AND_OLD_IMAGES and expires items by the TTL attribute', () => {
    expect(table(template).Properties).toMatchObject({
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('keeps point-in-time recovery, deletion protection and the table on stack deletion', () => {
    const t = table(template);
    expect(t.Properties?.['Replicas']).toEqual([
      expect.objectContaining({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    ]);
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.UpdateReplacePolicy).toBe('Retain');
  });

  it('encrypts with a new customer-managed key with yearly rotation by default (Secrets live in the table)', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const key = only(Object.entries(resources(template, 'AWS::KMS::Key')), 'key');
    expect(key[1].DeletionPolicy).toBe('Retain');
    expect(table(template).Properties?.['SSESpecification']).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table(template).Properties?.['Replicas']).toEqual([
      expect.objectContaining({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [key[0], 'Arn'] } } }),
    ]);
    expect(template.toJSON().Outputs).toHaveProperty('TableKeyArn');
  });

  it('encrypts with the AWS-managed key (aws/dynamodb) on request', () => {
    const { template: t } = dataTemplate({ tableEncryption: 'aws-managed' });
    expect(table(t).Properties).toMatchObject({ SSESpecification: { SSEEnabled: true, SSEType: 'KMS' } });
    expect(table(t).Properties?.['Replicas']).toEqual([expect.not.objectContaining({ SSESpecification: expect.anything() })]);
    t.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('outputs the table name, ARN and stream ARN', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(expect.arrayContaining(['TableName', 'TableArn', 'TableStreamArn']));
  });

  it('lets a disposable stage drop the table with the stack', () => {
    const t = table(dataTemplate({ removalPolicy: 'destroy', deletionProtection: 'false' }).template);
    expect(t.DeletionPolicy).toBe('Delete');
    expect(t.Properties?.['Replicas']).toEqual([expect.objectContaining({ DeletionProtectionEnabled: false })]);
  });

  it('warns that destroy cannot work while deletion protection stays on', () => {
    const { stack } = dataTemplate({ removalPolicy: 'destroy' });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('deletionProtection=true'));
  });

  it('uses an existing key given by ARN', () => {
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template: t } = dataTemplate({ tableKmsKeyArn: arn });
    t.resourceCountIs('AWS::KMS::Key', 0);
    expect(table(t).Properties?.['Replicas']).toEqual([expect.objectContaining({ SSESpecification: { KMSMasterKeyId: arn } })]);
  });

  it('gives no function KMS permissions when the table uses the AWS-managed key', () => {
    const app = testApp({ 'aws:cdk:bundling-stacks': [] });
    const stacks = createImageStreamStacks(app, settingsFrom({ tableEncryption: 'aws-managed' }));
    for (const stack of [stacks.api, stacks.watch, stacks.importer]) {
      const t = Template.fromStack(stack);
      const kms = Object.keys(resources(t, 'AWS::IAM::Role'))
        .flatMap((r) => roleStatements(t, r))
        .filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
      expect(kms).toEqual([]);
    }
  });
});
