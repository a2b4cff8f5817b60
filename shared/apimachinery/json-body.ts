/**
 * @module json-body
 * JSON request bodies: `JSON.parse` for the value plus a scanner that reports duplicate
 * object keys (which `JSON.parse` silently resolves, last one wins, like Go's decoder).
 * Paths are rendered as Kubernetes' strict decoder does: `metadata.name`, `spec.tags[0].name`.
 */

export interface ParsedJson {
  value: unknown;
  /** Paths of keys that appeared more than once in the same object. */
  duplicates: string[];
}

type Frame = { kind: 'object'; keys: Set<string>; key: string | undefined } | { kind: 'array'; index: number };

function renderPath(stack: readonly Frame[], leaf: string): string {
  let out = '';
  for (const f of stack) {
    if (f.kind === 'object') {
      if (f.key === undefined) continue;
      out += out.length === 0 ? f.key : `.${f.key}`;
    } else {
      out += `[${f.index}]`;
    }
  }
  return out.length === 0 ? leaf : `${out}.${leaf}`;
}

/** Reads a JSON string starting at `i` (the opening quote); returns its value and the index after it. */
function readString(text: string, i: number): [string, number] {
  let j = i + 1;
  let escaped = false;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c /* \ */) {
      escaped = true;
      j++;
    } else if (c === 0x22 /* " */) break;
  }
  const raw = text.slice(i + 1, j);
  return [escaped ? (JSON.parse(`"${raw}"`) as string) : raw, j + 1];
}

/** Scans already-validated JSON text for duplicate keys. */
export function findDuplicateKeys(text: string): string[] {
  const dups: string[] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x7b /* { */:
        stack.push({ kind: 'object', keys: new Set(), key: undefined });
        expectKey = true;
        i++;
        break;
      case 0x5b /* [ */:
        stack.push({ kind: 'array', index: 0 });
        expectKey = false;
        i++;
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        stack.pop();
        expectKey = false;
        i++;
        break;
      case 0x2c /* , */: {
        const top = stack[stack.length - 1];
        if (top?.kind === 'array') top.index++;
        else if (top?.kind === 'object') expectKey = true;
        i++;
        break;
      }
      case 0x22 /* " */: {
        const [value, next] = readString(text, i);
        const top = stack[stack.length - 1];
        if (expectKey && top?.kind === 'object') {
          if (top.keys.has(value)) {
            top.key = undefined;
            dups.push(renderPath(stack, value));
          } else top.keys.add(value);
          top.key = value;
          expectKey = false;
        }
        i = next;
        break;
      }
      default:
        i++;
    }
  }
  return dups;
}

/**
 * Parses a JSON body. Throws `SyntaxError` for malformed JSON. Duplicate detection is skipped
 * when not needed (fieldValidation=Ignore) because it costs a second pass over the text.
 */
export function parseJson(text: string, detectDuplicates: boolean): ParsedJson {
  const value: unknown = JSON.parse(text);
  return { value, duplicates: detectDuplicates && text.length > 2 ? findDuplicateKeys(text) : [] };
}
