import { validateSandboxPresets } from './presets';

const python = {
  name: 'python-notebook',
  title: 'Python notebook',
  description: 'Python 3.12 with an HTTP server on port 8000.',
  image: 'python:3.12-slim',
  entrypoint: ['python', '-m', 'http.server', '8000'],
  resourceLimits: { cpu: '1', memory: '1Gi' },
  timeoutSeconds: 14400,
  metadata: { purpose: 'notebook' },
  env: { PYTHONUNBUFFERED: '1' },
};

describe('validateSandboxPresets', () => {
  it('accepts valid presets, also minimal ones', () => {
    expect(
      validateSandboxPresets([
        python,
        { name: 'small', resourceLimits: { memory: '256Mi' } },
      ]),
    ).toEqual([]);
    expect(validateSandboxPresets([])).toEqual([]);
  });

  it('names every problem with the preset index', () => {
    expect(
      validateSandboxPresets([
        { ...python, name: 'Python Notebook', colour: 'blue' },
        {
          name: 'big',
          resourceLimits: { memory: 'lots', gpu: '1' },
          timeoutSeconds: 30,
          metadata: { 'backstage.io/owner': 'x' },
          env: { 'BAD-NAME': 'x' },
        },
        { name: 'big', image: '' },
        'oops',
      ]),
    ).toEqual([
      { field: 'presets[0].colour', message: 'is not a known field' },
      {
        field: 'presets[0].name',
        message: 'must be 1-63 lower-case letters, digits and -',
      },
      {
        field: 'presets[1].timeoutSeconds',
        message: 'must be at least 60 seconds',
      },
      {
        field: 'presets[1].resourceLimits.memory',
        message: 'must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
      },
      {
        field: 'presets[1].env.BAD-NAME',
        message: 'name must match [A-Za-z_][A-Za-z0-9_]*',
      },
      {
        field: 'presets[1].metadata.backstage.io/owner',
        message: 'is set by the console from your identity and cannot be given',
      },
      {
        field: 'presets[1].resourceLimits.gpu',
        message: 'is not a known field (cpu, memory)',
      },
      { field: 'presets[2].name', message: 'repeats big' },
      { field: 'presets[2].image', message: 'must be a non-empty string' },
      { field: 'presets[3]', message: 'must be an object' },
    ]);
  });

  it('applies the console lifetime cap', () => {
    expect(
      validateSandboxPresets([python], { maxTimeoutSeconds: 3600 }),
    ).toEqual([
      {
        field: 'presets[0].timeoutSeconds',
        message: 'must be at most 3600 seconds',
      },
    ]);
  });

  it('refuses a value that is not a list', () => {
    expect(validateSandboxPresets({ python })).toEqual([
      { field: 'presets', message: 'must be a list' },
    ]);
  });
});
