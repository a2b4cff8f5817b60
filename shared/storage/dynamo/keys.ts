/**
 * @module keys
 * The single-table layout. Every attribute name and key shape is defined here and only here.
 *
 * | item            | pk                               | sk                    |
 * |-----------------|----------------------------------|-----------------------|
 * | revision counter| `obj#<resource>`                 | `!rev`                |
 * | namespace head  | `obj#<resource>`                 | `<namespace>/`        |
 * | object          | `obj#<resource>`                 | `<namespace>/<name>`  |
 * | object chunk    | `chunk#<resource>#<ns>/<name>`   | `<rv>#<index>`        |
 * | event log       | `log#<resource>`                 | `<revision, 20 digits>` |
 * | event chunk     | `logchunk#<resource>#<revision>` | `<index>`             |
 *
 * The counter and the namespace heads live in the objects' partition, each sorting first in
 * the key range a list reads (`!` sorts before every namespace name; `<namespace>/` before
 * every `<namespace>/<name>`), so one `Query` returns a list's resourceVersion with its items.
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

/** Sort key of the revision counter: before every object and head in the partition. */
export const COUNTER_SORT_KEY = '!rev';

/** Whether an item of the objects' partition is the counter or a namespace head, not an object. */
export const isBookkeepingSortKey = (sk: string): boolean => sk === COUNTER_SORT_KEY || sk.endsWith('/');

export function splitObjectSortKey(sk: string): { namespace: string; name: string } {
  const i = sk.indexOf('/');
  return { namespace: sk.slice(0, i), name: sk.slice(i + 1) };
}

export const keys = {
  counter: (resource: string): Key => ({ pk: `obj#${resource}`, sk: COUNTER_SORT_KEY }),
  /** The namespace's last revision (`rev`): the resourceVersion of a list of the namespace. */
  namespaceHead: (resource: string, namespace: string): Key => ({ pk: `obj#${resource}`, sk: `${namespace}/` }),
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
