/**
 * cdk-nag (AwsSolutions, 3.x Validations plugin) over the complete app, as `infra/app.ts`
 * registers it, together with CDK's built-in CloudFormation validation: synthesis succeeds and
 * no finding is left unacknowledged — with the default settings and with the settings that
 * change which resources exist. Every acknowledgement carries a written reason. Bundling is
 * skipped (cdk-nag reads templates, not code).
 */
import { Stack, Validations, type App } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { createImageStreamStacks } from '../../infra/stacks/imagestream-stacks.js';
import { removeTestApps, settingsFrom, testApp } from './template-helpers.js';

afterAll(removeTestApps);

/** Builds the app like infra/app.ts, synthesizes it (which runs the plugins), and re-checks. */
function nagApp(context: Parameters<typeof settingsFrom>[0] = {}): { app: App; unacknowledged: string[]; synthError: unknown } {
  const app = testApp({ 'aws:cdk:bundling-stacks': [] }, { validate: true });
  createImageStreamStacks(app, settingsFrom(context));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  let synthError: unknown;
  try {
    app.synth();
  } catch (e) {
    synthError = e;
  }
  // The same checks, run directly, to name what is left in the assertion message.
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const unacknowledged = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
  return { app, unacknowledged, synthError };
}

/** Every acknowledgement in the tree: rule id → reasons. */
function acknowledgements(root: IConstruct): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^[^:]*::/, '');
        if (!found.has(rule)) found.set(rule, new Set());
        found.get(rule)!.add(reason);
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  const defaults = nagApp();

  it('finds nothing unacknowledged in the default app, and synthesis succeeds', () => {
    expect(defaults.unacknowledged).toEqual([]);
    expect(defaults.synthError).toBeUndefined();
  });

  it('finds nothing unacknowledged with access logs off, the AWS-managed key, OIDC and the prune schedule', () => {
    const variant = nagApp({
      accessLogs: 'false',
      apiGatewayCloudWatchRole: 'false',
      tableEncryption: 'aws-managed',
      oidcIssuerUrl: 'https://issuer.example.com',
      oidcClientId: 'kubernetes',
      pruneSchedule: 'rate(1 day)',
      stage: 'prod',
    });
    expect(variant.unacknowledged).toEqual([]);
    expect(variant.synthError).toBeUndefined();
  });

  it('fails the synthesis on a finding nobody acknowledged (the plugin is really wired in)', () => {
    const app = testApp({}, { validate: false });
    new Queue(new Stack(app, 'Bad'), 'PlainQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const error = (() => {
      try {
        app.synth();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(String(error)).toMatch(/ValidationFailed: [\s\S]*AwsSolutions-SQS4/);
    expect(new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('acknowledges only these rules, each with a written reason', () => {
    const acks = acknowledgements(defaults.app);
    expect([...acks.keys()].map((k) => k.replace(/\[.*\]$/, '[…]')).sort()).toEqual(
      [
        'AwsSolutions-APIG2',
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG6',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4[…]',
        'AwsSolutions-IAM5[…]',
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    for (const reasons of acks.values()) for (const r of reasons) expect(r.length).toBeGreaterThan(40);
    // The only wildcard resources acknowledged are the @connections paths of the watch stage.
    const iam5 = [...acks.keys()].filter((k) => k.startsWith('AwsSolutions-IAM5'));
    expect(iam5).toEqual([expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<WebSocketApi[0-9A-F]+>\/dev\/\*\/@connections\/\*\]$/)]);
  });
});
