import type { Entity } from '@backstage/catalog-model';
import { validateCreateSandboxRequest } from '@opensandbox-console/plugin-opensandbox-common';
import { splitCommand } from './parse';

/** Annotation: default image URI of sandboxes created for the entity, e.g. `python:3.12-slim`. @public */
export const ANNOTATION_DEFAULT_IMAGE = 'opensandbox.backstage.io/default-image';
/** Annotation: default entrypoint, one command line, e.g. `python -m http.server 8000`. @public */
export const ANNOTATION_DEFAULT_ENTRYPOINT = 'opensandbox.backstage.io/default-entrypoint';
/** Annotation: default CPU limit, a Kubernetes quantity, e.g. `500m`. @public */
export const ANNOTATION_DEFAULT_CPU = 'opensandbox.backstage.io/default-cpu';
/** Annotation: default memory limit, a Kubernetes quantity, e.g. `1Gi`. @public */
export const ANNOTATION_DEFAULT_MEMORY = 'opensandbox.backstage.io/default-memory';
/** Annotation: default timeout in seconds (at least 60), e.g. `3600`. @public */
export const ANNOTATION_DEFAULT_TIMEOUT = 'opensandbox.backstage.io/default-timeout';

/** The valid defaults an entity's annotations give to the create form. */
export interface AnnotationDefaults {
  imageUri?: string;
  /** The command line as written in the annotation. */
  entrypoint?: string;
  cpu?: string;
  memory?: string;
  timeoutSeconds?: number;
}

/** One invalid annotation; `message` reads "Annotation <key>: <problem>". */
export interface AnnotationWarning {
  annotation: string;
  message: string;
}

/** A request that passes validation; each annotation replaces one part of it. */
const VALID_BASE = {
  image: { uri: 'image' },
  entrypoint: ['run'],
  resourceLimits: {},
  timeout: 3600,
};

function problems(override: Record<string, unknown>, field: (name: string) => boolean): string[] {
  return validateCreateSandboxRequest({ ...VALID_BASE, ...override })
    .filter(error => field(error.field))
    .map(error => error.message);
}

/**
 * Reads the `opensandbox.backstage.io/default-*` annotations of an entity and checks each with the
 * same rules as the create request (`validateCreateSandboxRequest` from `-common`). Invalid ones
 * are left out of `defaults` and reported in `warnings`; nothing throws.
 */
export function readAnnotationDefaults(entity: Entity | undefined): {
  defaults: AnnotationDefaults;
  warnings: AnnotationWarning[];
} {
  const annotations = entity?.metadata.annotations ?? {};
  const defaults: AnnotationDefaults = {};
  const warnings: AnnotationWarning[] = [];
  const check = (annotation: string, validate: (value: string) => string[], accept: (value: string) => void) => {
    const raw = annotations[annotation];
    if (raw === undefined) return;
    const value = String(raw).trim();
    const found = value === '' ? ['must not be empty'] : validate(value);
    if (found.length > 0) {
      warnings.push({ annotation, message: `Annotation ${annotation}: ${found.join('; ')}` });
    } else {
      accept(value);
    }
  };

  check(
    ANNOTATION_DEFAULT_IMAGE,
    uri => problems({ image: { uri } }, f => f === 'image' || f.startsWith('image.')),
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
    text => {
      if (!/^[0-9]+$/.test(text)) return ['must be a whole number of seconds, e.g. 3600'];
      return problems({ timeout: Number(text) }, f => f === 'timeout');
    },
    text => {
      defaults.timeoutSeconds = Number(text);
    },
  );
  return { defaults, warnings };
}
