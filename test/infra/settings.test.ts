/**
 * Context → settings: defaults, `-c key=value` strings, and the errors that stop a synth
 * before anything is built.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, IMPORT_SETTINGS, readSettings, REPO_ROOT, SettingsError } from '../../infra/stacks/settings.js';
import { functionEnvironment } from '../../infra/stacks/api-stack.js';
import { authEnvironment, baseEnvironment, importEnvironment } from '../../infra/stacks/environment.js';
import { loadConfig } from '../../shared/config.js';
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
        oidcClientId: undefined,
        oidcAudience: undefined,
        oidcUsernameClaim: undefined,
        oidcUsernamePrefix: undefined,
        oidcGroupsClaim: undefined,
        oidcGroupsPrefix: undefined,
        oidcJwksUrl: undefined,
        oidcClockSkewSeconds: undefined,
        oidcSigningAlgs: undefined,
        rbacCacheMs: undefined,
        removalPolicy: RemovalPolicy.RETAIN,
        deletionProtection: true,
        logRetention: RetentionDays.ONE_MONTH,
        logLevel: 'INFO',
        tableEncryption: 'customer-managed',
        tableKmsKeyArn: undefined,
        eventRetentionSeconds: undefined,
        defaultImportMode: 'Legacy',
        allowedRegistriesForImport: undefined,
        staticTokensSecret: undefined,
        alarmEmail: undefined,
        apiGatewayCloudWatchRole: true,
        accessLogs: true,
        pruneSchedule: undefined,
        pruneKeepTagRevisions: undefined,
        pruneKeepYoungerThan: undefined,
        watchPostConcurrency: 64,
        importer: {},
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
      ['watchPostConcurrency', '0'],
      ['importConcurrency', '0'],
      ['importDisableScheduled', 'yes'],
      ['importBlockedCidrs', '10.0.0.0/8,private'],
      ['importInsecureRegistries', 'http://registry.local'],
      ['importAllowedRegistries', 'quay.io/org'],
    ] as const)('rejects %s=%s, naming the key', (key, value) => {
      expect(() => settingsFrom({ [key]: value })).toThrow(SettingsError);
      expect(() => settingsFrom({ [key]: value })).toThrow(new RegExp(`invalid CDK context: .*${key}`));
    });

    it('takes registry wildcards and bracketed IPv6 hosts, and refuses both an allowed and a blocked list', () => {
      expect(settingsFrom({ importAllowedRegistries: '*.example.com,quay.io:443,[::1]:5000' }).importer).toEqual({
        importAllowedRegistries: '*.example.com,quay.io:443,[::1]:5000',
      });
      expect(() => settingsFrom({ importAllowedRegistries: 'quay.io', importBlockedRegistries: 'docker.io' })).toThrow(
        /importAllowedRegistries: set importAllowedRegistries or importBlockedRegistries, not both/,
      );
    });

    it('rejects an OIDC audience without an issuer', () => {
      expect(() => settingsFrom({ oidcAudience: 'imagestreams' })).toThrow(/oidcAudience needs oidcIssuerUrl/);
    });

    describe('OIDC', () => {
      const issuer = 'https://issuer.example.com/realms/k8s';

      it('requires an audience with an issuer, with a message that says what to set', () => {
        expect(() => settingsFrom({ oidcIssuerUrl: issuer })).toThrow(SettingsError);
        expect(() => settingsFrom({ oidcIssuerUrl: issuer })).toThrow(
          'invalid CDK context: oidcIssuerUrl: oidcIssuerUrl needs an audience: set oidcClientId (the client id tokens are issued for) or oidcAudience',
        );
        expect(settingsFrom({ oidcIssuerUrl: issuer, oidcClientId: 'kubernetes' })).toMatchObject({ oidcIssuerUrl: issuer, oidcClientId: 'kubernetes' });
        expect(settingsFrom({ oidcIssuerUrl: issuer, oidcAudience: 'a,b' })).toMatchObject({ oidcAudience: 'a,b' });
      });

      it.each(['oidcClientId', 'oidcUsernameClaim', 'oidcUsernamePrefix', 'oidcGroupsClaim', 'oidcGroupsPrefix', 'oidcJwksUrl', 'oidcClockSkewSeconds', 'oidcSigningAlgs'] as const)(
        'rejects %s without an issuer',
        (key) => {
          const value = key === 'oidcJwksUrl' ? 'https://issuer.example.com/keys' : key === 'oidcClockSkewSeconds' ? '10' : key === 'oidcSigningAlgs' ? 'RS256' : 'x';
          expect(() => settingsFrom({ [key]: value })).toThrow(new RegExp(`${key}: ${key} needs oidcIssuerUrl`));
        },
      );

      it.each([
        ['oidcJwksUrl', 'http://issuer.example.com/keys'],
        ['oidcSigningAlgs', 'RS256,HS256'],
        ['oidcSigningAlgs', 'RS256, ES256'],
        ['oidcClockSkewSeconds', '-1'],
        ['oidcClientId', 'two words'],
      ] as const)('rejects %s=%s', (key, value) => {
        expect(() => settingsFrom({ oidcIssuerUrl: issuer, oidcClientId: 'k', [key]: value })).toThrow(new RegExp(`invalid CDK context: .*${key}`));
      });

      it('takes the claim, prefix, JWKS, skew and algorithm settings, and the RBAC cache', () => {
        expect(
          settingsFrom({
            oidcIssuerUrl: issuer,
            oidcClientId: 'kubernetes',
            oidcUsernameClaim: 'email',
            oidcUsernamePrefix: '-',
            oidcGroupsClaim: 'groups',
            oidcGroupsPrefix: 'oidc:',
            oidcJwksUrl: 'https://issuer.example.com/keys',
            oidcClockSkewSeconds: '0',
            oidcSigningAlgs: 'RS256,ES256',
            rbacCacheMs: '0',
          }),
        ).toMatchObject({
          oidcUsernameClaim: 'email',
          oidcUsernamePrefix: '-',
          oidcGroupsClaim: 'groups',
          oidcGroupsPrefix: 'oidc:',
          oidcJwksUrl: 'https://issuer.example.com/keys',
          oidcClockSkewSeconds: 0,
          oidcSigningAlgs: 'RS256,ES256',
          rbacCacheMs: 0,
        });
      });
    });

    it('keeps the import settings that were given, as environment values', () => {
      expect(
        settingsFrom({ importScheduleSeconds: '300', importDisableScheduled: true, importBlockedCidrs: '10.0.0.0/8,fd00::/8', importInsecureRegistries: 'registry.local:5000' }).importer,
      ).toEqual({ importScheduleSeconds: '300', importDisableScheduled: 'true', importBlockedCidrs: '10.0.0.0/8,fd00::/8', importInsecureRegistries: 'registry.local:5000' });
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
          oidcClientId: 'kubernetes',
          oidcAudience: 'imagestreams',
          oidcUsernameClaim: 'email',
          oidcUsernamePrefix: '-',
          oidcGroupsClaim: 'groups',
          oidcGroupsPrefix: 'oidc:',
          oidcJwksUrl: 'https://issuer.example.com/keys',
          oidcClockSkewSeconds: '10',
          oidcSigningAlgs: 'RS256,ES256',
          rbacCacheMs: '5000',
          logLevel: 'DEBUG',
          importConcurrency: '4',
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
        OIDC_CLIENT_ID: 'kubernetes',
        OIDC_AUDIENCE: 'imagestreams',
        OIDC_USERNAME_CLAIM: 'email',
        OIDC_USERNAME_PREFIX: '-',
        OIDC_GROUPS_CLAIM: 'groups',
        OIDC_GROUPS_PREFIX: 'oidc:',
        OIDC_JWKS_URL: 'https://issuer.example.com/keys',
        OIDC_CLOCK_SKEW_SECONDS: '10',
        OIDC_SIGNING_ALGS: 'RS256,ES256',
        RBAC_CACHE_MS: '5000',
      });
    });

    it('produces an environment the functions accept: loadConfig reads back the OIDC settings', () => {
      const env = functionEnvironment(
        settingsFrom({ oidcIssuerUrl: 'https://issuer.example.com', oidcClientId: 'kubernetes', oidcGroupsClaim: 'groups', oidcSigningAlgs: 'RS256,ES256', rbacCacheMs: '0' }),
      );
      const config = loadConfig(env);
      expect(config.oidc).toMatchObject({ issuerUrl: 'https://issuer.example.com', audiences: ['kubernetes'], groupsClaim: 'groups', algorithms: ['RS256', 'ES256'] });
      expect(config.rbacCacheMs).toBe(0);
    });

    it('keeps the auth settings and the static-token secret out of the base environment', () => {
      const settings = settingsFrom({ oidcIssuerUrl: 'https://issuer.example.com', oidcClientId: 'k', staticTokensSecret: 'imagestream/dev/tokens', rbacCacheMs: '1' });
      expect(Object.keys(baseEnvironment(settings)).filter((k) => k.startsWith('OIDC_') || k === 'STATIC_TOKENS' || k === 'RBAC_CACHE_MS')).toEqual([]);
      expect(Object.keys(authEnvironment(settings)).sort()).toEqual(['OIDC_CLIENT_ID', 'OIDC_ISSUER_URL', 'RBAC_CACHE_MS', 'STATIC_TOKENS']);
    });

    it('maps the given import settings to IMPORT_* (all, or a subset)', () => {
      const settings = settingsFrom({ importScheduleSeconds: '300', importConcurrency: '2', importDisableScheduled: 'false' });
      expect(importEnvironment(settings)).toEqual({ IMPORT_SCHEDULE_SECONDS: '300', IMPORT_CONCURRENCY: '2', IMPORT_DISABLE_SCHEDULED: 'false' });
      expect(importEnvironment(settings, ['importScheduleSeconds'])).toEqual({ IMPORT_SCHEDULE_SECONDS: '300' });
      // Every IMPORT_* the settings can produce is one shared/config.ts reads; never the loopback switch.
      const configSource = readFileSync(path.join(REPO_ROOT, 'shared/config.ts'), 'utf8');
      for (const v of Object.values(IMPORT_SETTINGS)) expect(configSource).toContain(`  ${v.env}: `);
      expect(Object.values(IMPORT_SETTINGS).map((v) => v.env)).not.toContain('IMPORT_ALLOW_LOOPBACK');
    });

    it('references the static-token secret without putting its value in the template', () => {
      const env = functionEnvironment(settingsFrom({ staticTokensSecret: 'imagestream/dev/tokens' }));
      expect(new Stack(testApp()).resolve(env['STATIC_TOKENS'])).toBe('{{resolve:secretsmanager:imagestream/dev/tokens:SecretString:::}}');
    });
  });
});

