/**
 * @module app
 * The CDK app (`cdk.json` "app"). Reads the settings from context and creates the stacks of
 * one stage. Deploy with `npx cdk deploy --all [-c stage=prod ...]`; see docs/deploy.md.
 */
import { App } from 'aws-cdk-lib';
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
  app.synth();
}
