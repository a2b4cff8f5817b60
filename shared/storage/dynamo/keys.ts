/**
 * @module keys
 * The single-table layout. Every attribute name and key shape is defined here and only here.
 *
 * | item            | pk                               | sk                    |
 * |-----------------|----------------------------------|-----------------------|
 * | revision counter| `rev#<resource>`                 | `rev`                 |
 * | object          | `obj#<resource>`                 | `<namespace>/<name>`  |
 * | object chunk    | `chunk#<resource>#<ns>/<name>`   | `<rv>#<index>`        |
 * | event log       | `log#<resource>`                 | `<revision, 20 digits>` |
 * | event chunk     | `logchunk#<resource>#<revision>` | `<index>`             |
 */

export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  /** Revision counter value (N). */
  rev: 'rev',
  /** Object resourceVersion (N). */
  rv: 'rv',
  /** Body bytes (B): raw JSON or gzip, see `enc`. */
  body: 'b',
  /** Body encoding: `raw` | `gz`. */
  enc: 'enc',
  /** Number of chunk items holding the body when it is too big to inline (N). */
  chunks: 'nc',
  /** Event type on log items: ADDED | MODIFIED | DELETED. */
  type: 't',
  namespace: 'ns',
  name: 'n',
  uid: 'uid',
  /** Labels of the previous state on MODIFIED log items (S, JSON), for selector transitions. */
  prevLabels: 'pl',
  /** Selectable field values of the previous state on MODIFIED log items (S, JSON). */
  prevFields: 'pf',
  /** TTL attribute (N, epoch seconds) on log items. */
  expires: 'ttl',
} as const;

export type Key = { pk: string; sk: string };

const REV_WIDTH = 20;

export const padRevision = (rev: number): string => String(rev).padStart(REV_WIDTH, '0');

/** Namespace/name joined so that a namespace prefix query never matches another namespace. */
export const objectSortKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function splitObjectSortKey(sk: string): { namespace: string; name: string } {
  const i = sk.indexOf('/');
  return { namespace: sk.slice(0, i), name: sk.slice(i + 1) };
}

export const keys = {
  counter: (resource: string): Key => ({ pk: `rev#${resource}`, sk: 'rev' }),
  object: (resource: string, namespace: string, name: string): Key => ({
    pk: `obj#${resource}`,
    sk: objectSortKey(namespace, name),
  }),
  objectPartition: (resource: string): string => `obj#${resource}`,
  chunkPartition: (resource: string, namespace: string, name: string): string =>
    `chunk#${resource}#${objectSortKey(namespace, name)}`,
  chunk: (resource: string, namespace: string, name: string, rv: number, index: number): Key => ({
    pk: `chunk#${resource}#${objectSortKey(namespace, name)}`,
    sk: `${rv}#${index}`,
  }),
  log: (resource: string, rev: number): Key => ({ pk: `log#${resource}`, sk: padRevision(rev) }),
  logPartition: (resource: string): string => `log#${resource}`,
  logChunk: (resource: string, rev: number, index: number): Key => ({
    pk: `logchunk#${resource}#${padRevision(rev)}`,
    sk: String(index),
  }),
};
