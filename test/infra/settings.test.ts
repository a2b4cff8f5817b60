/**
 * Context → settings: defaults, `-c key=value` strings, and the errors that stop a synth
 * before anything is built.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, readSettings, REPO_ROOT, SettingsError } from '../../infra/stacks/settings.js';
import { functionEnvironment } from '../../infra/stacks/api-stack.js';
import { removeTestApps, settingsFrom, testApp } from './template-helpers.js';

afterAll(removeTestApps);

describe('settings', () => {
  describe('readSettings', () => {
    it('has safe defaults for an empty context', () => {
      expect(settingsFrom()).toEqual({
        stage: 'dev',
        stackPrefix: 'ImageStream-dev',
        internalRegistryHostname: undefined,
        publicRegistryHostname: undefined,
        oidcIssuerUrl: undefined,
        oidcAudience: undefined,
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        logRetention: RetentionDays.ONE_MONTH,
        logLevel: 'INFO',
        tableEncryption: 'aws-managed',
        tableKmsKeyArn: undefined,
        eventRetentionSeconds: undefined,
        defaultImportMode: undefined,
        allowedRegistriesForImport: undefined,
        staticTokensSecret: undefined,
        alarmEmail: undefined,
        apiGatewayCloudWatchRole: true,
        accessLogs: true,
        pruneSchedule: undefined,
        pruneKeepTagRevisions: undefined,
        pruneKeepYoungerThan: undefined,
        projectRoot: REPO_ROOT,
      });
    });

    it('accepts -c strings for booleans and numbers, and JSON values from cdk.json', () => {
      const fromCli = settingsFrom({ deletionProtection: 'false', logRetentionDays: '7', eventRetentionSeconds: '600', accessLogs: 'false' });
      expect(fromCli).toMatchObject({ deletionProtection: false, logRetention: RetentionDays.ONE_WEEK, eventRetentionSeconds: 600, accessLogs: false });
      const fromJson = settingsFrom({ deletionProtection: false, logRetentionDays: 365 });
      expect(fromJson).toMatchObject({ deletionProtection: false, logRetention: RetentionDays.ONE_YEAR });
    });

    it('names the stacks after the stage', () => {
      expect(settingsFrom({ stage: 'prod' })).toMatchObject({ stage: 'prod', stackPrefix: 'ImageStream-prod' });
    });

    it('treats a KMS key ARN as customer-managed encryption', () => {
      const arn = 'arn:aws:kms:us-east-1:123456789012:key/abcd-1234';
      expect(settingsFrom({ tableKmsKeyArn: arn })).toMatchObject({ tableEncryption: 'customer-managed', tableKmsKeyArn: arn });
    });

    it.each([
      ['stage', 'has space'],
      ['stage', 'under_score'],
      ['removalPolicy', 'snapshot'],
      ['deletionProtection', 'yes'],
      ['logRetentionDays', '10'],
      ['logLevel', 'TRACE'],
      ['tableEncryption', 'dynamo-owned'],
      ['tableKmsKeyArn', 'alias/mine'],
      ['oidcIssuerUrl', 'http://issuer.example.com'],
      ['internalRegistryHostname', 'https://registry.example.com'],
      ['alarmEmail', 'nobody'],
      ['eventRetentionSeconds', '-1'],
      ['allowedRegistriesForImport', 'quay.io, docker.io'],
    ] as const)('rejects %s=%s, naming the key', (key, value) => {
      expect(() => settingsFrom({ [key]: value })).toThrow(SettingsError);
      expect(() => settingsFrom({ [key]: value })).toThrow(new RegExp(`invalid CDK context: .*${key}`));
    });

    it('rejects an OIDC audience without an issuer', () => {
      expect(() => settingsFrom({ oidcAudience: 'imagestreams' })).toThrow(/oidcAudience needs oidcIssuerUrl/);
    });

    it('reports every invalid key at once', () => {
      expect(() => settingsFrom({ stage: '9', logLevel: 'LOUD' })).toThrow(/stage: .*; logLevel: /);
    });

    it('asks the context for exactly the documented keys', () => {
      const asked: string[] = [];
      readSettings((k) => void asked.push(k));
      expect(asked.sort()).toEqual(Object.keys(CONTEXT_KEYS).sort());
    });
  });

  describe('functionEnvironment', () => {
    it('passes the registry, import, retention and OIDC settings through', () => {
      const env = functionEnvironment(
        settingsFrom({
          internalRegistryHostname: 'image-registry.openshift-image-registry.svc:5000',
          publicRegistryHostname: 'registry.example.com',
          defaultImportMode: 'PreserveOriginal',
          allowedRegistriesForImport: 'quay.io,*.example.com,registry.local:5000=insecure',
          eventRetentionSeconds: '7200',
          oidcIssuerUrl: 'https://issuer.example.com/realms/k8s',
          oidcAudience: 'imagestreams',
          logLevel: 'DEBUG',
        }),
      );
      expect(env).toEqual({
        POWERTOOLS_SERVICE_NAME: 'imagestream-api',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        INTERNAL_REGISTRY_HOSTNAME: 'image-registry.openshift-image-registry.svc:5000',
        PUBLIC_REGISTRY_HOSTNAME: 'registry.example.com',
        DEFAULT_IMPORT_MODE: 'PreserveOriginal',
        ALLOWED_REGISTRIES_FOR_IMPORT: 'quay.io,*.example.com,registry.local:5000=insecure',
        EVENT_RETENTION_SECONDS: '7200',
        OIDC_ISSUER_URL: 'https://issuer.example.com/realms/k8s',
        OIDC_AUDIENCE: 'imagestreams',
      });
    });

    it('references the static-token secret without putting its value in the template', () => {
      const env = functionEnvironment(settingsFrom({ staticTokensSecret: 'imagestream/dev/tokens' }));
      expect(new Stack(testApp()).resolve(env['STATIC_TOKENS'])).toBe('{{resolve:secretsmanager:imagestream/dev/tokens:SecretString:::}}');
    });
  });
});

