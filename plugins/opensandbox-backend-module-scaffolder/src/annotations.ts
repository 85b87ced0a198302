import { validateCreateSandboxRequest } from '@opensandbox-console/plugin-opensandbox-common';

/** Annotation: default image URI, e.g. `python:3.12-slim`. */
export const ANNOTATION_DEFAULT_IMAGE = 'opensandbox.backstage.io/default-image';
/** Annotation: default entrypoint, one command line, e.g. `python -m http.server 8000`. */
export const ANNOTATION_DEFAULT_ENTRYPOINT = 'opensandbox.backstage.io/default-entrypoint';
/** Annotation: default CPU limit, a Kubernetes quantity, e.g. `500m`. */
export const ANNOTATION_DEFAULT_CPU = 'opensandbox.backstage.io/default-cpu';
/** Annotation: default memory limit, a Kubernetes quantity, e.g. `1Gi`. */
export const ANNOTATION_DEFAULT_MEMORY = 'opensandbox.backstage.io/default-memory';
/** Annotation: default timeout in seconds (at least 60), e.g. `3600`. */
export const ANNOTATION_DEFAULT_TIMEOUT = 'opensandbox.backstage.io/default-timeout';

/** The valid defaults of an entity's annotations. */
export interface AnnotationDefaults {
  image?: string;
  entrypoint?: string[];
  cpu?: string;
  memory?: string;
  timeoutSeconds?: number;
}

/**
 * Splits a command line into arguments the way a POSIX shell would, without any expansion
 * (whitespace separates, quotes group, backslash escapes) — the console create form's rule.
 */
export function splitCommand(input: string): { args: string[]; error?: string } {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < input.length && /["\\$`]/.test(input[i + 1])) current += input[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inArg = true;
    } else if (ch === '\\' && i + 1 < input.length) {
      current += input[++i];
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (quote) return { args, error: `has an unterminated ${quote} quote` };
  if (inArg) args.push(current);
  return { args };
}

const VALID_BASE = { image: { uri: 'image' }, entrypoint: ['run'], resourceLimits: {}, timeout: 3600 };

function problems(override: Record<string, unknown>, field: (name: string) => boolean): string[] {
  return validateCreateSandboxRequest({ ...VALID_BASE, ...override })
    .filter(error => field(error.field))
    .map(error => error.message);
}

/**
 * Reads the `opensandbox.backstage.io/default-*` annotations with the rules of the console's
 * create form (the Sandboxes tab of an entity): each is checked like the create request checks
 * that part; invalid ones are left out of `defaults` and reported in `warnings`.
 */
export function readAnnotationDefaults(annotations: Record<string, unknown> | undefined): {
  defaults: AnnotationDefaults;
  warnings: string[];
} {
  const defaults: AnnotationDefaults = {};
  const warnings: string[] = [];
  const check = (annotation: string, validate: (value: string) => string[], accept: (value: string) => void) => {
    const raw = annotations?.[annotation];
    if (raw === undefined || raw === null) return;
    const value = String(raw).trim();
    const found = value === '' ? ['must not be empty'] : validate(value);
    if (found.length > 0) warnings.push(`Annotation ${annotation}: ${found.join('; ')}`);
    else accept(value);
  };
  check(
    ANNOTATION_DEFAULT_IMAGE,
    uri => problems({ image: { uri } }, f => f === 'image' || f.startsWith('image.')),
    uri => {
      defaults.image = uri;
    },
  );
  check(
    ANNOTATION_DEFAULT_ENTRYPOINT,
    line => {
      const { args, error } = splitCommand(line);
      if (error) return [error];
      return problems({ entrypoint: args }, f => f.startsWith('entrypoint'));
    },
    line => {
      defaults.entrypoint = splitCommand(line).args;
    },
  );
  check(
    ANNOTATION_DEFAULT_CPU,
    cpu => problems({ resourceLimits: { cpu } }, f => f === 'resourceLimits.cpu'),
    cpu => {
      defaults.cpu = cpu;
    },
  );
  check(
    ANNOTATION_DEFAULT_MEMORY,
    memory => problems({ resourceLimits: { memory } }, f => f === 'resourceLimits.memory'),
    memory => {
      defaults.memory = memory;
    },
  );
  check(
    ANNOTATION_DEFAULT_TIMEOUT,
    text => (/^[0-9]+$/.test(text) ? problems({ timeout: Number(text) }, f => f === 'timeout') : ['must be a whole number of seconds, e.g. 3600']),
    text => {
      defaults.timeoutSeconds = Number(text);
    },
  );
  return { defaults, warnings };
}
