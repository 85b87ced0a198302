import type { Entity } from '@backstage/catalog-model';
import {
  AnnotationDefaults,
  AnnotationWarning,
  readAnnotationDefaults as readDefaults,
} from '@opensandbox-console/plugin-opensandbox-common';

export {
  ANNOTATION_DEFAULT_IMAGE,
  ANNOTATION_DEFAULT_ENTRYPOINT,
  ANNOTATION_DEFAULT_CPU,
  ANNOTATION_DEFAULT_MEMORY,
  ANNOTATION_DEFAULT_TIMEOUT,
} from '@opensandbox-console/plugin-opensandbox-common';
export type {
  AnnotationDefaults,
  AnnotationWarning,
} from '@opensandbox-console/plugin-opensandbox-common';

/**
 * Reads the `opensandbox.backstage.io/default-*` annotations of an entity (or of none) with the
 * shared rules of `-common`'s `readAnnotationDefaults`: invalid ones are left out of `defaults`
 * and reported in `warnings`; nothing throws.
 */
export function readAnnotationDefaults(entity: Entity | undefined): {
  defaults: AnnotationDefaults;
  warnings: AnnotationWarning[];
} {
  return readDefaults(entity?.metadata.annotations);
}
