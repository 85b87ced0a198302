import { ConfigReader } from '@backstage/config';
import { checkCreateCaps, checkRenewCap, checkResumeCaps } from './quotaChecks';
import { readQuotaConfig } from './quotaConfig';
import {
  parseQuotaLimits,
  quotaKeyOf,
  resolveQuotaLimits,
} from './quotaLimits';

describe('quota limits', () => {
  it('validates one layer, naming every invalid field', () => {
    expect(
      parseQuotaLimits({
        maxSandboxes: 10,
        maxCpu: '2',
        maxMemory: '2Gi',
        allowedImageRegistries: [' ghcr.io/acme/ '],
      }),
    ).toEqual({
      limits: {
        maxSandboxes: 10,
        maxCpu: '2',
        maxMemory: '2Gi',
        allowedImageRegistries: ['ghcr.io/acme/'],
      },
      errors: [],
    });
    expect(
      parseQuotaLimits({ maxSandboxes: null, maxCpu: null }).limits,
    ).toEqual({ maxSandboxes: null, maxCpu: null });
    const { errors } = parseQuotaLimits({
      maxSandboxes: -1,
      maxTimeoutSeconds: 10,
      maxCpu: '2 cores',
      allowedImageRegistries: 'x',
      color: 'red',
    });
    expect(errors.map(e => e.field).sort()).toEqual([
      'allowedImageRegistries',
      'color',
      'maxCpu',
      'maxSandboxes',
      'maxTimeoutSeconds',
    ]);
    expect(parseQuotaLimits([]).errors).toEqual([
      { field: 'body', message: 'must be an object of limits' },
    ]);
  });

  it('normalises quota keys', () => {
    expect(quotaKeyOf('Group:Default/Team-A')).toBe('group:default/team-a');
    expect(quotaKeyOf('group:team-a')).toBe('group:default/team-a');
    expect(quotaKeyOf('default')).toBe('default');
    expect(quotaKeyOf('user:default/ada')).toBeUndefined();
  });

  it('resolves each limit from the most specific layer', () => {
    const { limits, sources } = resolveQuotaLimits({
      databaseTeam: { maxCpu: null },
      configTeam: { maxSandboxes: 20, maxCpu: '4' },
      databaseDefault: { maxSandboxes: 5, maxMemory: '1Gi' },
      configDefault: {
        maxSandboxes: 3,
        maxTimeoutSeconds: 3600,
        maxMemory: '2Gi',
      },
    });
    expect(limits).toEqual({
      maxSandboxes: 20,
      maxTimeoutSeconds: 3600,
      maxRenewSeconds: null,
      allowedImageRegistries: null,
      maxCpu: null,
      maxMemory: '1Gi',
    });
    expect(sources).toEqual({
      maxSandboxes: 'config:team',
      maxTimeoutSeconds: 'config:default',
      maxRenewSeconds: 'none',
      allowedImageRegistries: 'none',
      maxCpu: 'database:team',
      maxMemory: 'database:default',
    });
  });

  it('reads opensandbox.quotas and refuses invalid config', () => {
    const config = new ConfigReader({
      opensandbox: {
        quotas: {
          default: { maxSandboxes: 3, maxCpu: 2 },
          teams: { 'group:default/Team-A': { maxSandboxes: 10 } },
        },
      },
    });
    expect(readQuotaConfig(config)).toEqual({
      default: { maxSandboxes: 3, maxCpu: '2' },
      teams: { 'group:default/team-a': { maxSandboxes: 10 } },
    });
    expect(() =>
      readQuotaConfig(
        new ConfigReader({
          opensandbox: { quotas: { teams: { 'user:default/ada': {} } } },
        }),
      ),
    ).toThrow('opensandbox.quotas.teams.user:default/ada is not a group ref');
    expect(() =>
      readQuotaConfig(
        new ConfigReader({
          opensandbox: { quotas: { default: { maxMemory: 'lots' } } },
        }),
      ),
    ).toThrow(
      'opensandbox.quotas.default.maxMemory must be a positive Kubernetes quantity',
    );
  });
});

describe('quota checks', () => {
  const none = resolveQuotaLimits({}).limits;
  const team = 'group:default/team-a';
  type Request = Parameters<typeof checkCreateCaps>[2];
  const request = {
    image: { uri: 'alpine:3' },
    entrypoint: ['sh'],
    timeout: 600,
    resourceLimits: { cpu: '500m', memory: '512Mi' },
  } as unknown as Request;

  it('passes what no cap limits', () => {
    expect(checkCreateCaps(none, team, request)).toBeUndefined();
  });

  it('names the first cap a create exceeds', () => {
    expect(
      checkCreateCaps({ ...none, maxTimeoutSeconds: 300 }, team, request),
    ).toEqual({ limit: 'maxTimeoutSeconds', team, value: 300, requested: 600 });
    expect(
      checkCreateCaps({ ...none, maxTimeoutSeconds: 300 }, team, {
        ...request,
        timeout: null,
      } as unknown as Request),
    ).toMatchObject({ requested: null });
    expect(
      checkCreateCaps(
        { ...none, allowedImageRegistries: ['ghcr.io/acme/'] },
        team,
        request,
      ),
    ).toMatchObject({
      limit: 'allowedImageRegistries',
      requested: 'docker.io/library/alpine:3',
    });
    expect(
      checkCreateCaps({ ...none, maxCpu: '0.5' }, team, request),
    ).toBeUndefined();
    expect(
      checkCreateCaps({ ...none, maxCpu: '499m' }, team, request),
    ).toMatchObject({ limit: 'maxCpu', value: '499m', requested: '500m' });
    expect(
      checkCreateCaps({ ...none, maxMemory: '0.5Gi' }, team, request),
    ).toBeUndefined();
    expect(
      checkCreateCaps({ ...none, maxMemory: '500Mi' }, team, request),
    ).toMatchObject({ limit: 'maxMemory', requested: '512Mi' });
    expect(
      checkCreateCaps({ ...none, maxMemory: '1Gi' }, team, {
        ...request,
        resourceLimits: { cpu: '1' },
      } as Request),
    ).toMatchObject({ limit: 'maxMemory', requested: null });
  });

  it('caps how far a renewal reaches, never a shortening', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const limits = { ...none, maxRenewSeconds: 3600 };
    expect(
      checkRenewCap(
        limits,
        team,
        '2026-12-01T01:00:00Z',
        '2026-12-01T00:10:00Z',
        now,
      ),
    ).toBeUndefined();
    expect(
      checkRenewCap(
        limits,
        team,
        '2026-12-01T01:00:01Z',
        '2026-12-01T00:10:00Z',
        now,
      ),
    ).toEqual({
      limit: 'maxRenewSeconds',
      team,
      value: 3600,
      requested: 3601,
    });
    expect(
      checkRenewCap(
        limits,
        team,
        '2026-12-01T05:00:00Z',
        '2026-12-01T06:00:00Z',
        now,
      ),
    ).toBeUndefined();
  });

  it('checks the image of a resumed sandbox', () => {
    expect(
      checkResumeCaps(
        { ...none, allowedImageRegistries: ['docker.io/library/'] },
        team,
        'alpine:3',
      ),
    ).toBeUndefined();
    expect(
      checkResumeCaps(
        { ...none, allowedImageRegistries: ['ghcr.io/'] },
        team,
        'alpine:3',
      ),
    ).toMatchObject({ action: 'resume' });
  });
});
