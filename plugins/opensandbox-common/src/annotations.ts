import { validateCreateSandboxRequest } from './validation';

/** Annotation: default image URI of sandboxes created for an entity, e.g. `python:3.12-slim`. @public */
export const ANNOTATION_DEFAULT_IMAGE =
  'opensandbox.backstage.io/default-image';
/** Annotation: default entrypoint, one command line, e.g. `python -m http.server 8000`. @public */
export const ANNOTATION_DEFAULT_ENTRYPOINT =
  'opensandbox.backstage.io/default-entrypoint';
/** Annotation: default CPU limit, a Kubernetes quantity, e.g. `500m`. @public */
export const ANNOTATION_DEFAULT_CPU = 'opensandbox.backstage.io/default-cpu';
/** Annotation: default memory limit, a Kubernetes quantity, e.g. `1Gi`. @public */
export const ANNOTATION_DEFAULT_MEMORY =
  'opensandbox.backstage.io/default-memory';
/** Annotation: default timeout in seconds (at least 60), e.g. `3600`. @public */
export const ANNOTATION_DEFAULT_TIMEOUT =
  'opensandbox.backstage.io/default-timeout';

/**
 * The valid defaults an entity's `opensandbox.backstage.io/default-*` annotations give to a create
 * request (the console's create form, the scaffolder action).
 * @public
 */
export interface AnnotationDefaults {
  /** Image URI, e.g. `python:3.12-slim`. */
  imageUri?: string;
  /** The entrypoint command line as written in the annotation. */
  entrypoint?: string;
  /** The same command line split into arguments with {@link splitCommand}. */
  entrypointArgs?: string[];
  /** CPU limit, a Kubernetes quantity. */
  cpu?: string;
  /** Memory limit, a Kubernetes quantity. */
  memory?: string;
  /** Timeout in seconds (≥ 60). */
  timeoutSeconds?: number;
}

/**
 * One invalid annotation; `message` reads "Annotation <key>: <problem>".
 * @public
 */
export interface AnnotationWarning {
  annotation: string;
  message: string;
}

/**
 * Splits a command line into arguments the way a POSIX shell would, without any expansion:
 * whitespace separates arguments, `'single'` and `"double"` quotes group, and a backslash escapes
 * the next character (outside single quotes).
 * @returns the arguments, or an error message for an unterminated quote (never throws).
 * @public
 */
export function splitCommand(input: string): {
  args: string[];
  error?: string;
} {
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
      else if (
        ch === '\\' &&
        i + 1 < input.length &&
        /["\\$`]/.test(input[i + 1])
      )
        current += input[++i];
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

/** A request that passes validation; each annotation replaces one part of it. */
const VALID_BASE = {
  image: { uri: 'image' },
  entrypoint: ['run'],
  resourceLimits: {},
  timeout: 3600,
};

function problems(
  override: Record<string, unknown>,
  field: (name: string) => boolean,
): string[] {
  return validateCreateSandboxRequest({ ...VALID_BASE, ...override })
    .filter(error => field(error.field))
    .map(error => error.message);
}

/**
 * Reads the `opensandbox.backstage.io/default-*` annotations (an entity's
 * `metadata.annotations`) and checks each with the rules of the create request
 * (`validateCreateSandboxRequest`). Invalid ones are left out of `defaults` and reported in
 * `warnings`; nothing throws. Used by the console's create form and the scaffolder action, so both
 * read annotations the same way.
 * @public
 */
export function readAnnotationDefaults(
  annotations: Record<string, unknown> | undefined,
): {
  defaults: AnnotationDefaults;
  warnings: AnnotationWarning[];
} {
  const defaults: AnnotationDefaults = {};
  const warnings: AnnotationWarning[] = [];
  const check = (
    annotation: string,
    validate: (value: string) => string[],
    accept: (value: string) => void,
  ) => {
    const raw = annotations?.[annotation];
    if (raw === undefined || raw === null) return;
    const value = String(raw).trim();
    const found = value === '' ? ['must not be empty'] : validate(value);
    if (found.length > 0)
      warnings.push({
        annotation,
        message: `Annotation ${annotation}: ${found.join('; ')}`,
      });
    else accept(value);
  };

  check(
    ANNOTATION_DEFAULT_IMAGE,
    uri =>
      problems(
        { image: { uri } },
        f => f === 'image' || f.startsWith('image.'),
      ),
    uri => {
      defaults.imageUri = uri;
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
      defaults.entrypoint = line;
      defaults.entrypointArgs = splitCommand(line).args;
    },
  );
  check(
    ANNOTATION_DEFAULT_CPU,
    cpu =>
      problems({ resourceLimits: { cpu } }, f => f === 'resourceLimits.cpu'),
    cpu => {
      defaults.cpu = cpu;
    },
  );
  check(
    ANNOTATION_DEFAULT_MEMORY,
    memory =>
      problems(
        { resourceLimits: { memory } },
        f => f === 'resourceLimits.memory',
      ),
    memory => {
      defaults.memory = memory;
    },
  );
  check(
    ANNOTATION_DEFAULT_TIMEOUT,
    text =>
      /^[0-9]+$/.test(text)
        ? problems({ timeout: Number(text) }, f => f === 'timeout')
        : ['must be a whole number of seconds, e.g. 3600'],
    text => {
      defaults.timeoutSeconds = Number(text);
    },
  );
  return { defaults, warnings };
}
