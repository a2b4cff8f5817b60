// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layering rules (docs/design.md): who may import whom. Later blocks override earlier ones. */
const noImport = (regexes, message) => ['error', { patterns: regexes.map((regex) => ({ regex, message })) }];
const DYNAMO = '^@aws-sdk/(client|lib)-dynamodb$';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'coverage/', 'bench/results/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/storage/dynamo/**', 'shared/api/app.ts'],
    rules: {
      'no-restricted-imports': noImport([DYNAMO], 'Only shared/storage/dynamo (and the composition root) talk to DynamoDB.'),
    },
  },
  {
    files: ['shared/apimachinery/**/*.ts'],
    rules: {
      'no-restricted-imports': noImport(
        ['(^|/)image/', '(^|/)storage/', '(^|/)api/', '(^|/)auth/', '^@aws-sdk/', '^@middy/'],
        'shared/apimachinery is generic Kubernetes machinery: no resource types, storage, transport or AWS SDK.',
      ),
    },
  },
  {
    files: ['shared/apimachinery/openapi*.ts'],
    rules: {
      'no-restricted-imports': noImport(
        ['(^|/)image/', '(^|/)storage/', '(^|/)api/(?!routes\\.js$)', '^@aws-sdk/', '^@middy/'],
        'OpenAPI builders may read the route table types, nothing resource-specific.',
      ),
    },
  },
  {
    files: ['shared/image/**/*.ts'],
    rules: {
      'no-restricted-imports': noImport(
        ['(^|/)storage/', '(^|/)api/(?!routes\\.js$)', '(^|/)auth/', '^@aws-sdk/', '^@middy/', '^node:(fs|http|https|net|dgram)$'],
        'shared/image holds pure ImageStream rules: no I/O, storage, transport or AWS SDK.',
      ),
    },
  },
);
