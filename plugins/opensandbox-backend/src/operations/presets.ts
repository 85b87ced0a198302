import type { Config } from '@backstage/config';
import {
  SandboxPreset,
  validateSandboxPresets,
} from '@opensandbox-console/plugin-opensandbox-common';

/**
 * Reads the create presets of `opensandbox.presets` (see `config.d.ts`), checked with the create
 * request's own rules and the console's lifetime cap (`maxTimeoutSeconds`). A bad preset stops
 * the backend at start, naming every problem (`opensandbox.presets[1].resourceLimits.memory must
 * be a quantity ...`), so a typo never reaches the form.
 * @returns the presets in config order (strings trimmed); empty when none are configured.
 */
export function readSandboxPresets(
  config: Config,
  options: { maxTimeoutSeconds?: number } = {},
): SandboxPreset[] {
  const raw = config.getOptional<unknown>('opensandbox.presets');
  if (raw === undefined) return [];
  const problems = validateSandboxPresets(raw, options);
  if (problems.length > 0) {
    throw new Error(
      `Invalid opensandbox.presets: ${problems
        .map(p => `opensandbox.${p.field} ${p.message}`)
        .join('; ')}`,
    );
  }
  return (raw as SandboxPreset[]).map(preset => {
    const out: SandboxPreset = { name: preset.name };
    if (preset.title !== undefined) out.title = preset.title.trim();
    if (preset.description !== undefined)
      out.description = preset.description.trim();
    if (preset.image !== undefined) out.image = preset.image.trim();
    if (preset.entrypoint !== undefined)
      out.entrypoint = [...preset.entrypoint];
    if (preset.resourceLimits !== undefined)
      out.resourceLimits = { ...preset.resourceLimits };
    if (preset.timeoutSeconds !== undefined)
      out.timeoutSeconds = preset.timeoutSeconds;
    if (preset.metadata !== undefined) out.metadata = { ...preset.metadata };
    if (preset.env !== undefined) out.env = { ...preset.env };
    return out;
  });
}
