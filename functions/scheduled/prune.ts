/**
 * Lambda entry point of the optional prune schedule (an EventBridge rule, `pruneSchedule` in
 * the CDK context): one confirmed prune of every image stream's history (semantics §11) with
 * PRUNE_KEEP_TAG_REVISIONS (default 3) and PRUNE_KEEP_YOUNGER_THAN (default 60m), run with
 * the server's own rights, the report logged. Invalid settings stop the function at init.
 */
import { createApp } from '../../shared/api/app.js';
import { pruneSettings, runImageStreamPrune, validatePruneSettings } from '../../shared/api/modules/image-stream-prunes.js';
import { streamServices } from '../../shared/api/modules/view-support.js';
import { aggregateMessage } from '../../shared/apimachinery/field-errors.js';
import { loadConfig } from '../../shared/config.js';

const config = loadConfig();
const app = createApp({ config });
const revisions = process.env['PRUNE_KEEP_TAG_REVISIONS'];
if (revisions !== undefined && revisions !== '' && !/^\d+$/.test(revisions)) throw new Error(`PRUNE_KEEP_TAG_REVISIONS must be a non-negative integer, got ${JSON.stringify(revisions)}`);
const settings = pruneSettings({
  confirm: true,
  ...(revisions ? { keepTagRevisions: Number(revisions) } : {}),
  ...(process.env['PRUNE_KEEP_YOUNGER_THAN'] ? { keepYoungerThan: process.env['PRUNE_KEEP_YOUNGER_THAN'] } : {}),
});
const problems = validatePruneSettings(settings);
if (problems.length > 0) throw new Error(`invalid prune settings: ${aggregateMessage(problems)}`);

const streams = streamServices({ config, resourceApi: (r, g) => app.resourceApi(r, g), internalService: (r, g) => app.internalService(r, g) });

export const handler = async (): Promise<{ deletedItemCount: number; updatedStreamCount: number; failures: number }> => {
  const report = await runImageStreamPrune({ streams, settings, now: new Date() });
  app.logger.info('image stream prune', {
    deletedItemCount: report.deletedItemCount,
    updatedStreamCount: report.updatedStreamCount,
    streams: report.streams.map((s) => ({ stream: `${s.namespace}/${s.name}`, deleted: s.deletedItems.length, deletedTags: s.deletedTags })),
    failures: report.failures,
  });
  if (report.failures.length > 0) app.logger.error('image stream prune failures', { failures: report.failures });
  return { deletedItemCount: report.deletedItemCount, updatedStreamCount: report.updatedStreamCount, failures: report.failures.length };
};
