/**
 * Regenerates `shared/image/openapi/descriptions.json` from the ImageStream API reference
 * (`../shared/spec/seed-imagestream-api.txt`, relative to the repository root).
 *
 * The reference is the official API documentation rendered as text. Two kinds of tables are read:
 *
 * - the "8.1.x" specification sections (`8.1.4. .spec.tags[]` …): section description, type,
 *   required fields and the property table (name / type / description triples);
 * - the "Query parameters" and "Global path parameters" tables of "8.2" (dryRun, fieldValidation, name …).
 *
 * Output shape (descriptions are kept verbatim):
 * ```json
 * { "": {"description": "…", "type": "object", "properties": {"spec": {"type": "object", "description": "…"}}},
 *   ".spec.tags[]": {"description": "…", "type": "object", "required": ["name"], "properties": {…}},
 *   "parameters": {"dryRun": "…", "fieldValidation": "…", "name": "…"} }
 * ```
 * Property rows that only describe array items (`tags[]`) are left out of `properties`; the
 * section of that name carries them.
 *
 * Usage: `npm run gen:descriptions` (or `npx tsx scripts/gen-descriptions.ts [seed] [out]`).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PropertyDescription {
  type: string;
  description: string;
}

export interface SectionDescription {
  description: string;
  type: string;
  required?: string[];
  properties: Record<string, PropertyDescription>;
}

export type DescriptionsFile = Record<string, SectionDescription | Record<string, string>> & {
  parameters: Record<string, string>;
};

const SECTION_HEADER = /^8\.1\.(\d+)\. (\S+)$/;
const SPEC_HEADER = /^8\.1\. Specification$/;
const ANY_NUMBERED_HEADER = /^8\.\d+(\.\d+)*\. /;
const ENDPOINTS_HEADER = /^8\.2\. API endpoints$/;
const PARAMETER_TABLE = /^Table 8\.\d+\. (Query parameters|Global path parameters)$/;
const PROPERTY_TABLE_HEADER = 'PropertyTypeDescription';
const PARAMETER_TABLE_HEADER = 'ParameterTypeDescription';

/** Headers use no-break spaces (`8.1.\u00a04.`); structure is matched on a normalised copy of a line. */
const norm = (line: string): string => line.replace(/\u00a0/g, ' ').trim();

/** Non-empty, right-trimmed lines (the seed separates every cell by blank lines). */
function meaningfulLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '');
}

/** Reads name/type/description triples starting at `start` until `stop(line)` is true. */
function readTriples(lines: string[], start: number, stop: (line: string) => boolean): { rows: [string, string, string][]; next: number } {
  const rows: [string, string, string][] = [];
  let i = start;
  while (i < lines.length && !stop(norm(lines[i] ?? ''))) {
    const name = lines[i];
    const type = lines[i + 1];
    const description = lines[i + 2];
    if (name === undefined || type === undefined || description === undefined) {
      throw new Error(`truncated table at line ${i}: ${String(name)}`);
    }
    rows.push([name.trim(), type.trim(), description.trim()]);
    i += 3;
  }
  return { rows, next: i };
}

function toProperties(rows: [string, string, string][]): Record<string, PropertyDescription> {
  const properties: Record<string, PropertyDescription> = {};
  for (const [name, type, description] of rows) {
    if (name.endsWith('[]')) continue; // item rows are described by their own section
    properties[name] = { type, description };
  }
  return properties;
}

/** Parses the seed text into the descriptions document. Exported for tests and reuse. */
export function parseSeed(text: string): DescriptionsFile {
  const lines = meaningfulLines(text);
  const sections: Record<string, SectionDescription> = {};
  const parameters: Record<string, string> = {};

  // The root object: "Description" paragraphs until "Type", then the "8.1. Specification" table.
  const normalised = lines.map(norm);
  const firstDescription = normalised.indexOf('Description');
  const rootType = normalised.indexOf('Type', firstDescription);
  const specHeader = normalised.findIndex((l) => SPEC_HEADER.test(l));
  if (firstDescription < 0 || rootType < 0 || specHeader < 0) throw new Error('seed: root section not found');
  const rootProps = normalised.indexOf(PROPERTY_TABLE_HEADER, specHeader);
  const root = readTriples(lines, rootProps + 1, (l) => ANY_NUMBERED_HEADER.test(l));
  sections[''] = {
    description: lines.slice(firstDescription + 1, rootType).map((l) => l.trim()).join('\n\n'),
    type: (lines[rootType + 1] ?? '').trim(),
    properties: toProperties(root.rows),
  };

  // The "8.1.N. <key>" sections.
  let i = root.next;
  while (i < lines.length && !ENDPOINTS_HEADER.test(normalised[i] ?? '')) {
    const header = SECTION_HEADER.exec(normalised[i] ?? '');
    if (!header) {
      i++;
      continue;
    }
    const key = header[2] ?? '';
    const section: SectionDescription = { description: '', type: '', properties: {} };
    i++;
    while (i < lines.length && !ANY_NUMBERED_HEADER.test(normalised[i] ?? '')) {
      const line = normalised[i] ?? '';
      if (line === 'Description') {
        section.description = (lines[i + 1] ?? '').trim();
        i += 2;
      } else if (line === 'Type') {
        section.type = (lines[i + 1] ?? '').trim();
        i += 2;
      } else if (line === 'Required') {
        const required: string[] = [];
        i++;
        while (i < lines.length && /^•\s*/.test(normalised[i] ?? '')) {
          required.push((lines[i] ?? '').replace(/^\s*•\s*/, '').trim());
          i++;
        }
        section.required = required;
      } else if (line === PROPERTY_TABLE_HEADER) {
        const table = readTriples(lines, i + 1, (l) => ANY_NUMBERED_HEADER.test(l));
        section.properties = toProperties(table.rows);
        i = table.next;
      } else {
        throw new Error(`seed: unexpected line in section ${key}: ${line}`);
      }
    }
    sections[key] = section;
  }

  // Query and path parameter tables of "8.2".
  for (; i < lines.length; i++) {
    if (!PARAMETER_TABLE.test(normalised[i] ?? '')) continue;
    if (normalised[i + 1] !== PARAMETER_TABLE_HEADER) throw new Error(`seed: parameter table without header at ${i}`);
    const table = readTriples(lines, i + 2, (l) => /^(Table |HTTP method$|8\.)/.test(l));
    for (const [name, , description] of table.rows) {
      const seen = parameters[name];
      if (seen !== undefined && seen !== description) throw new Error(`seed: parameter ${name} described differently in two tables`);
      parameters[name] = description;
    }
    i = table.next - 1;
  }

  const sortedParameters = Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...sections, parameters: sortedParameters } as DescriptionsFile;
}

function main(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const repoRoot = resolve(here, '..');
  const seedPath = resolve(repoRoot, process.argv[2] ?? '../shared/spec/seed-imagestream-api.txt');
  const outPath = resolve(repoRoot, process.argv[3] ?? 'shared/image/openapi/descriptions.json');
  const doc = parseSeed(readFileSync(seedPath, 'utf8'));
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(doc, null, 2)}\n`);
  const sectionCount = Object.keys(doc).length - 1;
  console.log(`wrote ${outPath}: ${sectionCount} sections, ${Object.keys(doc.parameters).length} parameters`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
