/**
 * @module api-function
 * The single Lambda preset every entry point uses (HTTP families, WebSocket routes, stream
 * consumers, queue worker, schedules): Node.js 22 on ARM64, bundled here by
 * the local esbuild (no Docker) into one minified ESM file with a source map, with the AWS
 * SDK inside the bundle (the version pinned in package-lock.json, not the runtime's).
 *
 * Each function gets its own role (no managed policies: it may write to its own log group and
 * nothing else until a caller grants more) and an explicit log group with retention.
 */
import path from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, NAG_REASONS } from './nag.js';

/** Lets ESM bundles call `require()` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Credential providers of the SDK's default chain that never run on Lambda: the chain takes
 * the role's credentials from the environment first and loads these (with the SSO/STS
 * clients they carry, ~115 KiB of every bundle) only by `import()` after that fails. They
 * stay out of the bundles; on Lambda, reaching one would mean there were no credentials.
 */
export const LAMBDA_UNUSED_MODULES: readonly string[] = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
];

export const API_FUNCTION_DEFAULTS = {
  memorySize: 1024,
  /** Just under API Gateway's 29 s integration timeout. */
  timeout: Duration.seconds(29),
} as const;

export interface ApiFunctionProps {
  /** Entry module, relative to `projectRoot` (e.g. `functions/http/discovery.ts`, `WATCH_ENTRIES.fanout`). */
  readonly entry: string;
  readonly projectRoot: string;
  readonly description?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /** Reserved concurrency (e.g. 1 for a schedule that must never overlap itself). */
  readonly reservedConcurrentExecutions?: number;
}

export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${id} function (${props.entry})`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? API_FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? API_FUNCTION_DEFAULTS.timeout,
      role: this.role,
      logGroup: this.logGroup,
      ...(props.description ? { description: props.description } : {}),
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        logLevel: LogLevel.WARNING,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle everything, the AWS SDK included (the version package-lock.json pins), but
        // the credential providers Lambda never reaches.
        externalModules: [...LAMBDA_UNUSED_MODULES],
        bundleAwsSDK: true,
      },
    });
    acknowledge(this, 'AwsSolutions-L1', NAG_REASONS.runtime);
  }
}
