/**
 * @module app
 * The CDK app (`cdk.json` "app"). Reads the settings from context, creates the stacks of one
 * stage and runs the cdk-nag AwsSolutions checks on them: an unacknowledged finding fails the
 * synthesis (acknowledgements, with their reasons, are made next to the resources; see
 * `infra/constructs/nag.ts`). Deploy with `npx cdk deploy --all [-c stage=prod ...]`; see
 * docs/deploy.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createImageStreamStacks } from './stacks/imagestream-stacks.js';
import { readSettings, SettingsError, type DeploySettings } from './stacks/settings.js';

const app = new App();
let settings: DeploySettings | undefined;
try {
  settings = readSettings((key) => app.node.tryGetContext(key));
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  // A plain message for a bad -c value, not a stack trace.
  console.error(e.message);
  process.exitCode = 1;
}
if (settings) {
  createImageStreamStacks(app, settings);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
}
