/**
 * @module view-table-printers
 * The columns of `oc get imagestreamtags` and `oc get imagestreamimages` (OAS
 * `pkg/image/printers/internalversion/printer.go`): istag Name, Image Reference, Updated
 * and (wide) Image Name; isimage Name, Updated and (wide) Image Reference, Image Name.
 */
import { humanDuration, type TableColumnDefinition, type TablePrinter } from '../apimachinery/table.js';
import type { ImageStreamImage, ImageStreamTag } from './istag-types.js';

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const REFERENCE_DESCRIPTION = 'DockerImageReference is the string that can be used to pull this image.';

const column = (name: string, description: string, priority = 0, format = ''): TableColumnDefinition => ({
  name,
  type: 'string',
  format,
  description,
  priority,
});

/** `<age> ago` of a timestamp (a missing one is the zero time, as Go prints it: a very large age). */
const ago = (time: string | undefined, now: Date): string => `${humanDuration(now.getTime() - (time ? Date.parse(time) : Date.UTC(1, 0, 1)))} ago`;

export const imageStreamTagTablePrinter: TablePrinter<ImageStreamTag> = {
  columns: [
    column('Name', NAME_DESCRIPTION, 0, 'name'),
    column('Image Reference', REFERENCE_DESCRIPTION),
    column('Updated', 'Last update time.'),
    column('Image Name', 'image associated with the ImageStream and tag.', 1),
  ],
  cells: (ist, now) => [
    ist.metadata.name ?? '',
    ist.image?.dockerImageReference ?? '',
    ago(ist.metadata.creationTimestamp, now),
    ist.image?.metadata.name ?? '',
  ],
};

export const imageStreamImageTablePrinter: TablePrinter<ImageStreamImage> = {
  columns: [
    column('Name', NAME_DESCRIPTION, 0, 'name'),
    column('Updated', 'Last update time.'),
    column('Image Reference', REFERENCE_DESCRIPTION, 1),
    column('Image Name', 'Image associated with the ImageStream and image name.', 1),
  ],
  cells: (isi, now) => [
    isi.metadata.name ?? '',
    ago(isi.metadata.creationTimestamp, now),
    isi.image.dockerImageReference ?? '',
    isi.image.metadata.name ?? '',
  ],
};
