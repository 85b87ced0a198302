import type { SandboxPreset } from '@opensandbox-console/plugin-opensandbox-common';
import { formatCommand, formatDuration } from './format';
import { parseKeyValueLines } from './parse';

/** The create form fields a preset sets (a subset of the form's values). */
export interface PresetFormValues {
  imageUri: string;
  entrypoint: string;
  cpu: string;
  memory: string;
  timeoutMinutes: string;
  noExpiration: boolean;
  env: string;
  metadata: string;
}

/** `KEY=VALUE` lines of `base` with `extra` merged in (`extra` wins on the same key, new keys last). */
function mergeLines(
  base: string,
  extra: Record<string, string> | undefined,
): string {
  if (!extra || Object.keys(extra).length === 0) return base;
  const parsed = parseKeyValueLines(base);
  // Lines the form cannot read stay as typed, so nothing is lost; validation names them.
  if (parsed.errors.length > 0) {
    return [
      base.trimEnd(),
      ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
    ]
      .filter(Boolean)
      .join('\n');
  }
  const merged = { ...parsed.values, ...extra };
  return Object.entries(merged)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/**
 * The form values with `preset` applied on top of `base` (the form's starting values: the entity's
 * annotation defaults, else the form defaults). Every field the preset sets replaces the base's;
 * `metadata` and `env` are merged by key (the preset wins); what the preset leaves out keeps the
 * base value. The timeout becomes whole minutes (rounded, at least 1) and turns "No expiration" off.
 */
export function applyPreset<T extends PresetFormValues>(
  base: T,
  preset: SandboxPreset | undefined,
): T {
  if (!preset) return base;
  const next = { ...base };
  if (preset.image !== undefined) next.imageUri = preset.image;
  if (preset.entrypoint !== undefined)
    next.entrypoint = formatCommand(preset.entrypoint);
  if (preset.resourceLimits?.cpu !== undefined)
    next.cpu = preset.resourceLimits.cpu;
  if (preset.resourceLimits?.memory !== undefined)
    next.memory = preset.resourceLimits.memory;
  if (preset.timeoutSeconds !== undefined) {
    next.timeoutMinutes = String(
      Math.max(1, Math.round(preset.timeoutSeconds / 60)),
    );
    next.noExpiration = false;
  }
  next.metadata = mergeLines(base.metadata, preset.metadata);
  next.env = mergeLines(base.env, preset.env);
  return next;
}

/** One line on what a preset gives: `python:3.12-slim · 1 CPU · 1Gi · 4h`. */
export function presetSummary(preset: SandboxPreset): string {
  const parts: string[] = [];
  if (preset.image) parts.push(preset.image);
  if (preset.resourceLimits?.cpu)
    parts.push(`${preset.resourceLimits.cpu} CPU`);
  if (preset.resourceLimits?.memory) parts.push(preset.resourceLimits.memory);
  if (preset.timeoutSeconds !== undefined)
    parts.push(formatDuration(preset.timeoutSeconds * 1000));
  return parts.join(' · ');
}
