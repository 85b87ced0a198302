/**
 * Create presets: named starting points for the create form that platform teams define in the
 * backend config (`opensandbox.presets`), served to browsers by `GET /api/opensandbox/settings`.
 * Browser-safe.
 *
 * @packageDocumentation
 */
import { FieldError, validateCreateSandboxRequest } from './validation';

/**
 * One create preset as `GET /settings` serves it. Every field but `name` is optional; what a
 * preset leaves out keeps the form's value (an entity's annotation default, or the form default).
 * @public
 */
export interface SandboxPreset {
  /** Unique id: 1-63 lower-case letters, digits and `-` (`?preset=<name>` preselects it). */
  name: string;
  /** Shown on the choice; default `name`. */
  title?: string;
  /** One or two sentences on what the preset is for. */
  description?: string;
  /** Image URI, e.g. `python:3.12-slim`. */
  image?: string;
  /** Entrypoint as an argument list, e.g. `['python', '-m', 'http.server', '8000']`. */
  entrypoint?: string[];
  /** Resource limits (Kubernetes quantities). */
  resourceLimits?: { cpu?: string; memory?: string };
  /** Timeout in seconds (>= 60, at most `opensandbox.maxTimeoutSeconds`). */
  timeoutSeconds?: number;
  /** Metadata labels merged into the form's (the preset wins on the same key). */
  metadata?: Record<string, string>;
  /**
   * Environment variables merged into the form's. Served to every signed-in user: never put
   * secrets here.
   */
  env?: Record<string, string>;
}

const PRESET_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PRESET_FIELDS = [
  'name',
  'title',
  'description',
  'image',
  'entrypoint',
  'resourceLimits',
  'timeoutSeconds',
  'metadata',
  'env',
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks presets as the backend reads them from config: names unique and well-formed, known
 * fields only, and every value valid by the create request's own rules
 * (`validateCreateSandboxRequest`, with the console's lifetime cap). Field paths name the preset:
 * `presets[1].resourceLimits.memory`.
 * @returns every problem; empty when all presets are valid.
 * @public
 */
export function validateSandboxPresets(
  presets: unknown,
  options: { maxTimeoutSeconds?: number } = {},
): FieldError[] {
  if (!Array.isArray(presets))
    return [{ field: 'presets', message: 'must be a list' }];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  presets.forEach((preset, i) => {
    const at = `presets[${i}]`;
    if (!isPlainObject(preset)) {
      errors.push({ field: at, message: 'must be an object' });
      return;
    }
    for (const key of Object.keys(preset)) {
      if (!PRESET_FIELDS.includes(key))
        errors.push({ field: `${at}.${key}`, message: 'is not a known field' });
    }
    if (typeof preset.name !== 'string' || !PRESET_NAME.test(preset.name)) {
      errors.push({
        field: `${at}.name`,
        message: 'must be 1-63 lower-case letters, digits and -',
      });
    } else if (seen.has(preset.name)) {
      errors.push({ field: `${at}.name`, message: `repeats ${preset.name}` });
    } else seen.add(preset.name);
    for (const key of ['title', 'description', 'image'] as const) {
      if (
        preset[key] !== undefined &&
        (typeof preset[key] !== 'string' ||
          (preset[key] as string).trim() === '')
      ) {
        errors.push({
          field: `${at}.${key}`,
          message: 'must be a non-empty string',
        });
      }
    }
    if (
      preset.timeoutSeconds !== undefined &&
      typeof preset.timeoutSeconds !== 'number'
    ) {
      errors.push({
        field: `${at}.timeoutSeconds`,
        message: 'must be a whole number of seconds',
      });
    }
    // The rest by the create request's rules, on a request built from the preset (missing parts
    // filled with valid stand-ins, whose fields are not reported).
    const request: Record<string, unknown> = {
      image: {
        uri:
          typeof preset.image === 'string' && preset.image.trim()
            ? preset.image
            : 'image',
      },
      entrypoint: preset.entrypoint ?? ['run'],
      resourceLimits: preset.resourceLimits ?? {},
      timeout:
        typeof preset.timeoutSeconds === 'number'
          ? preset.timeoutSeconds
          : 3600,
    };
    if (preset.metadata !== undefined) request.metadata = preset.metadata;
    if (preset.env !== undefined) request.env = preset.env;
    for (const error of validateCreateSandboxRequest(request, options)) {
      const field = error.field
        .replace(/^image\.uri$/, 'image')
        .replace(/^timeout$/, 'timeoutSeconds');
      if (field === 'image' && preset.image === undefined) continue;
      errors.push({ field: `${at}.${field}`, message: error.message });
    }
    if (isPlainObject(preset.resourceLimits)) {
      for (const key of Object.keys(preset.resourceLimits)) {
        if (key !== 'cpu' && key !== 'memory')
          errors.push({
            field: `${at}.resourceLimits.${key}`,
            message: 'is not a known field (cpu, memory)',
          });
      }
    }
  });
  return errors;
}
