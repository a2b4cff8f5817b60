/**
 * @module table
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): a resource
 * supplies column definitions and a cell function; this builds the `meta.k8s.io` Table with
 * the `includeObject` policy kubectl relies on (`-A`, `--show-labels`, `--sort-by`).
 */
import { badRequest } from './status.js';
import type { KubeObject, ListMeta } from './meta.js';

export interface TableColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface TablePrinter<T> {
  readonly columns: readonly TableColumnDefinition[];
  /** One row's cells for an object, at `now`. */
  cells(obj: T, now: Date): unknown[];
}

export type IncludeObject = 'Metadata' | 'Object' | 'None';

export function parseIncludeObject(value: string | undefined): IncludeObject {
  if (value === undefined || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'Object' || value === 'None') return value;
  throw badRequest(
    `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(value)}: must be 'Metadata', 'Object', 'None', or empty`,
  );
}

export interface TableOptions<T> {
  readonly version: 'v1' | 'v1beta1';
  readonly include: IncludeObject;
  readonly now: Date;
  /** The object as it would be returned without a Table (for includeObject=Object). */
  readonly toWire: (obj: T) => Record<string, unknown>;
  /** Leave out column definitions (later events of a watch). */
  readonly noHeaders?: boolean;
}

export function toTable<T extends KubeObject>(printer: TablePrinter<T>, items: readonly T[], listMeta: ListMeta, opts: TableOptions<T>): object {
  const rows = items.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.cells(obj, opts.now) };
    if (opts.include === 'Object') row['object'] = opts.toWire(obj);
    else if (opts.include === 'Metadata') {
      row['object'] = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.version}`, metadata: obj.metadata };
    }
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows,
  };
}

/** docker/go-units `HumanDuration`, as kubectl and `oc` print ages. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}
