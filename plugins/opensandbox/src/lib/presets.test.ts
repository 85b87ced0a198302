import { splitCommand } from './parse';
import { applyPreset, presetSummary } from './presets';
import { DEFAULT_FORM_VALUES } from '../components/SandboxCreatePage';

const PYTHON = {
  name: 'python-notebook',
  title: 'Python notebook',
  image: 'python:3.12-slim',
  entrypoint: ['python', '-m', 'http.server', '8000'],
  resourceLimits: { cpu: '1', memory: '1Gi' },
  timeoutSeconds: 14400,
  metadata: { purpose: 'notebook' },
  env: { PYTHONUNBUFFERED: '1' },
};

describe('applyPreset', () => {
  it('fills every field the preset sets', () => {
    expect(applyPreset(DEFAULT_FORM_VALUES, PYTHON)).toEqual({
      ...DEFAULT_FORM_VALUES,
      imageUri: 'python:3.12-slim',
      entrypoint: 'python -m http.server 8000',
      cpu: '1',
      memory: '1Gi',
      timeoutMinutes: '240',
      noExpiration: false,
      metadata: 'purpose=notebook',
      env: 'PYTHONUNBUFFERED=1',
    });
  });

  it('keeps what the preset leaves out (annotation defaults) and merges metadata and env by key', () => {
    const base = {
      ...DEFAULT_FORM_VALUES,
      imageUri: 'node:22',
      memory: '2Gi',
      noExpiration: true,
      metadata: 'name=mine\npurpose=other',
      env: 'A=1',
    };
    expect(
      applyPreset(base, {
        name: 'small',
        resourceLimits: { cpu: '250m' },
        metadata: { purpose: 'notebook' },
        env: { B: '2' },
      }),
    ).toEqual({
      ...base,
      cpu: '250m',
      metadata: 'name=mine\npurpose=notebook',
      env: 'A=1\nB=2',
    });
  });

  it('quotes entrypoint arguments so the form splits them back exactly', () => {
    const next = applyPreset(DEFAULT_FORM_VALUES, {
      name: 'sh',
      entrypoint: ['sh', '-c', "echo 'hi there' && sleep 3600"],
    });
    expect(splitCommand(next.entrypoint).args).toEqual([
      'sh',
      '-c',
      "echo 'hi there' && sleep 3600",
    ]);
  });

  it('keeps lines the form cannot read, adding the preset keys after them', () => {
    const next = applyPreset(
      { ...DEFAULT_FORM_VALUES, metadata: 'no equals sign' },
      { name: 'x', metadata: { purpose: 'notebook' } },
    );
    expect(next.metadata).toBe('no equals sign\npurpose=notebook');
  });

  it('without a preset returns the values unchanged', () => {
    expect(applyPreset(DEFAULT_FORM_VALUES, undefined)).toBe(
      DEFAULT_FORM_VALUES,
    );
  });

  it('summarises a preset on one line', () => {
    expect(presetSummary(PYTHON)).toBe('python:3.12-slim · 1 CPU · 1Gi · 4h');
    expect(presetSummary({ name: 'bare' })).toBe('');
  });
});
