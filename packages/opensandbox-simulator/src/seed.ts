/** Loading seed sandboxes from a YAML or JSON file. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SeedSandbox } from './types';

/**
 * Reads seed sandboxes from a YAML/JSON file: either a list, or an object
 * with a `sandboxes` list.
 */
export function loadSeedFile(path: string): SeedSandbox[] {
  const doc = parse(readFileSync(path, 'utf8'));
  const list = Array.isArray(doc) ? doc : doc?.sandboxes;
  if (!Array.isArray(list)) {
    throw new Error(
      `${path}: expected a list of sandboxes or {sandboxes: [...]}`,
    );
  }
  return list as SeedSandbox[];
}
