/**
 * @module table-printer
 * The columns of `oc get imagestreams` (OpenShift's server-side printer): Name, Image
 * Repository, Tags (newest first, cut to about 40 characters), Updated.
 */
import { humanDuration, type TablePrinter } from '../apimachinery/table.js';
import type { ImageStream, NamedTagEventList } from './types.js';

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const REPOSITORY_DESCRIPTION =
  'DockerImageRepository represents the effective location this stream may be accessed at. May be empty until the server determines where the repository is located';

const createdSeconds = (t: NamedTagEventList): number => {
  const c = t.items?.[0]?.created;
  return c ? Math.round(Date.parse(c) / 1000) : Number.NEGATIVE_INFINITY;
};

/** Status tag names, newest first; ties (second precision) by name. */
export function sortStatusTags(tags: readonly NamedTagEventList[]): string[] {
  return [...tags]
    .sort((a, b) => createdSeconds(b) - createdSeconds(a) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .map((t) => t.tag);
}

/** As many tags as fit in `width`, at least one, a little wider if that evens the edge. */
export function tagsUpToWidth(statusTags: readonly NamedTagEventList[], width: number): string {
  let tags = sortStatusTags(statusTags);
  let remaining = width;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    remaining -= tag.length + 1;
    if (remaining >= 0) continue;
    if (i === 0) {
      tags = tags.slice(0, 1);
      break;
    }
    const margin = Math.trunc(width / 4);
    if (margin < remaining + tag.length && margin >= -remaining) continue;
    tags = tags.slice(0, i);
    break;
  }
  const hidden = statusTags.length - tags.length;
  return hidden > 0 ? `${tags.join(',')} + ${hidden} more...` : tags.join(',');
}

export const imageStreamTablePrinter: TablePrinter<ImageStream> = {
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    { name: 'Image Repository', type: 'string', format: '', description: REPOSITORY_DESCRIPTION, priority: 0 },
    { name: 'Tags', type: 'string', format: '', description: 'Human readable list of tags.', priority: 0 },
    { name: 'Updated', type: 'string', format: '', description: 'Last update time.', priority: 0 },
  ],
  cells(stream, now) {
    const statusTags = stream.status?.tags ?? [];
    let latest = Number.NEGATIVE_INFINITY;
    for (const t of statusTags) {
      const c = t.items?.[0]?.created;
      if (c) latest = Math.max(latest, Date.parse(c));
    }
    const updated = Number.isFinite(latest) ? `${humanDuration(now.getTime() - latest)} ago` : '';
    let repo = stream.spec.dockerImageRepository || stream.status?.dockerImageRepository || '';
    if (stream.status?.publicDockerImageRepository) repo = stream.status.publicDockerImageRepository;
    return [stream.metadata.name ?? '', repo, tagsUpToWidth(statusTags, 40), updated];
  },
};
