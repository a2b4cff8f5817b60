/**
 * `npm start`: runs the local stack until Ctrl-C. Environment: PORT (8443), DYNAMODB_ENDPOINT
 * (use a running DynamoDB), DATA_DIR (persist DynamoDB Local), KUBECONFIG_OUT
 * (.local/kubeconfig), TOKENS_FILE (.local/tokens.csv), TABLE_NAME (imagestreams).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Set before the AWS SDK loads (it is imported below, dynamically, for that reason).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const { startLocalStack } = await import('./stack.js');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const resolveFromRoot = (p: string): string => path.resolve(root, p);

async function main(): Promise<void> {
  const stack = await startLocalStack({
    root,
    port: Number(env['PORT'] ?? 8443),
    ...(env['DYNAMODB_ENDPOINT'] ? { dynamodbEndpoint: env['DYNAMODB_ENDPOINT'] } : {}),
    ...(env['DATA_DIR'] ? { dataDir: resolveFromRoot(env['DATA_DIR']) } : {}),
    tableName: env['TABLE_NAME'] ?? 'imagestreams',
    kubeconfigOut: resolveFromRoot(env['KUBECONFIG_OUT'] ?? '.local/kubeconfig'),
    tokensFile: resolveFromRoot(env['TOKENS_FILE'] ?? '.local/tokens.csv'),
    stateDir: resolveFromRoot('.local'),
    log: env['ACCESS_LOG'] === 'false' ? undefined : (line) => console.log(line),
  });
  console.log(`kubeconfig: ${path.relative(process.cwd(), stack.kubeconfig) || stack.kubeconfig}`);
  console.log(`dynamodb: ${stack.dynamodbEndpoint}`);
  console.log(`ready: ${stack.url}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
