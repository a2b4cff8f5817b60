import 'aws-sdk-client-mock-vitest/extend';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
process.env['POWERTOOLS_DEV'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = process.env['POWERTOOLS_LOG_LEVEL'] ?? 'SILENT';
