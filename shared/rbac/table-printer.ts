/**
 * @module table-printer
 * Server-side printing of the RBAC kinds (upstream `printers.go`): roles show their creation
 * time, bindings their role and age (and, wide, their users, groups and service accounts).
 */
import type { TableColumnDefinition, TablePrinter } from '../apimachinery/table.js';
import type { ClusterRole, RoleBinding } from './types.js';

const NAME: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};
const CREATION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const rolePrinter: TablePrinter<ClusterRole> = {
  columns: [NAME, { name: 'Created At', type: 'date', format: '', description: CREATION, priority: 0 }],
  cells: (r) => [r.metadata.name ?? '', r.metadata.creationTimestamp ?? ''],
};

const age = (created: string | undefined, now: Date): string => {
  if (!created) return '<unknown>';
  return shortDuration(now.getTime() - Date.parse(created));
};

/** `duration.HumanDuration` of apimachinery (kubectl's AGE column): `5s`, `3m`, `2d4h`, `3y`. */
export function shortDuration(ms: number): string {
  const s = Math.trunc(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.trunc(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.trunc(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.trunc(h / 24)}d` : `${Math.trunc(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.trunc(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const days = Math.trunc(h / 24) % 365;
    return days === 0 ? `${Math.trunc(h / 24 / 365)}y` : `${Math.trunc(h / 24 / 365)}y${days}d`;
  }
  return `${Math.trunc(h / 24 / 365)}y`;
}

export const roleBindingPrinter: TablePrinter<RoleBinding> = {
  columns: [
    NAME,
    {
      name: 'Role',
      type: 'string',
      format: '',
      description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
      priority: 0,
    },
    { name: 'Age', type: 'string', format: '', description: CREATION, priority: 0 },
    { name: 'Users', type: 'string', format: '', description: 'Users in the roleBinding', priority: 1 },
    { name: 'Groups', type: 'string', format: '', description: 'Groups in the roleBinding', priority: 1 },
    { name: 'ServiceAccounts', type: 'string', format: '', description: 'ServiceAccounts in the roleBinding', priority: 1 },
  ],
  cells: (b, now) => {
    const subjects = b.subjects ?? [];
    const names = (kind: string) => subjects.filter((s) => s.kind === kind).map((s) => s.name).join(', ');
    const sas = subjects
      .filter((s) => s.kind === 'ServiceAccount')
      .map((s) => `${s.namespace ?? b.metadata.namespace ?? ''}/${s.name}`)
      .join(', ');
    return [b.metadata.name ?? '', `${b.roleRef.kind}/${b.roleRef.name}`, age(b.metadata.creationTimestamp, now), names('User'), names('Group'), sas];
  },
};
