/**
 * @module table-spec
 * The table's physical definition, shared by the CDK stack and the local stack so both
 * create the same table.
 */
import { ATTR } from './keys.js';

export const TABLE_SPEC = {
  partitionKey: ATTR.pk,
  sortKey: ATTR.sk,
  /** Both key attributes are strings. */
  keyType: 'S',
  ttlAttribute: ATTR.expires,
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;
