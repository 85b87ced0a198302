/**
 * In-memory sandbox state with the Docker runtime's rules: immediate
 * pause/resume, delete and expiry remove the sandbox, metadata as labels.
 */
import { randomUUID } from 'node:crypto';
import {
  alreadyPausedMessage,
  imagePullFailureMessage,
  newContainerId,
} from './docker';
import { errors } from './errors';
import { isReservedKey, labelKeyProblem, labelValueProblem } from './labels';
import { parseDateTime } from './time';
import { SandboxRecord, SeedSandbox, StoredStatus } from './types';
import { CreateSandboxInput } from './validation';

/** Default entrypoint for snapshot restores and seeds without one. */
export const DEFAULT_ENTRYPOINT = ['tail', '-f', '/dev/null'];

const FIRST_HOST_PORT = 32768;

/** Docker-style reason and message for a state. */
export function dockerStatus(state: string): {
  reason: string;
  message: string;
} {
  switch (state) {
    case 'Running':
      return {
        reason: 'CONTAINER_RUNNING',
        message: 'Sandbox container is running.',
      };
    case 'Paused':
      return {
        reason: 'CONTAINER_PAUSED',
        message: 'Sandbox container is paused.',
      };
    case 'Pending':
      return {
        reason: 'CONTAINER_STARTING',
        message: 'Sandbox container is starting.',
      };
    case 'Terminated':
      return {
        reason: 'CONTAINER_EXITED',
        message: 'Sandbox container exited with code 0.',
      };
    case 'Failed':
      return {
        reason: 'CONTAINER_EXITED_ERROR',
        message: 'Sandbox container exited with code 1.',
      };
    default:
      return {
        reason: 'CONTAINER_STATE_UNKNOWN',
        message: 'Sandbox container state is unknown.',
      };
  }
}

/**
 * Checks metadata against Kubernetes label rules.
 * @param onPatch - the PATCH route reports reserved keys with the un-namespaced
 *   `INVALID_METADATA_LABEL` code, like the real Docker runtime.
 * @throws ApiError 400
 */
export function assertValidMetadata(
  metadata: Record<string, string | null>,
  onPatch = false,
): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (isReservedKey(key)) {
      if (onPatch) throw errors.reservedMetadataKeyOnPatch(key);
      throw errors.invalidMetadataLabel(
        `Metadata key '${key}' uses the reserved prefix 'opensandbox.io/'.`,
      );
    }
    const keyProblem = labelKeyProblem(key);
    if (keyProblem)
      throw errors.invalidMetadataLabel(
        `Invalid metadata label key '${key}': ${keyProblem}.`,
      );
    if (value !== null) {
      const valueProblem = labelValueProblem(value);
      if (valueProblem) {
        throw errors.invalidMetadataLabel(
          `Invalid metadata label value '${value}' for key '${key}': ${valueProblem}.`,
        );
      }
    }
  }
}

/** Default {@link SandboxStore.startupMs}: 1500 ms between the create request and the container's creation. */
export const DEFAULT_STARTUP_MS = 1500;

/** Default {@link SandboxStore.unpullableImage} pattern (source text). */
export const DEFAULT_UNPULLABLE_IMAGE_PATTERN =
  'does-not-exist|nonexistent|unpullable';

/** Options of {@link SandboxStore}. */
export interface SandboxStoreOptions {
  /** Current time in epoch milliseconds (UTC). */
  now: () => number;
  /** Maximum `timeout` in seconds accepted on create; unlimited when omitted. */
  maxTimeoutSeconds?: number;
  /** Initial {@link SandboxStore.startupMs} in milliseconds. Default {@link DEFAULT_STARTUP_MS}. */
  startupMs?: number;
  /** Initial {@link SandboxStore.unpullableImage}. Default {@link DEFAULT_UNPULLABLE_IMAGE_PATTERN}. */
  unpullableImage?: RegExp;
}

/** The simulator's sandbox state. All instants are epoch milliseconds. */
export class SandboxStore {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private lastCreatedAt = 0;
  private nextHostPort = FIRST_HOST_PORT;

  /**
   * Simulated start-up time in milliseconds (simulated clock): a created
   * sandbox's container exists this long after the create request started,
   * so GET/list show `createdAt` = request start + `startupMs`, while the
   * create answer shows the request start. Nothing waits for it (see
   * `createDelayMs` for a slow create).
   */
  startupMs: number;

  /** Images whose URI matches cannot be pulled (500 `DOCKER::SANDBOX_IMAGE_PULL_FAILED`); undefined: every image pulls. */
  unpullableImage?: RegExp;

  constructor(private readonly options: SandboxStoreOptions) {
    this.startupMs = options.startupMs ?? DEFAULT_STARTUP_MS;
    this.unpullableImage =
      'unpullableImage' in options
        ? options.unpullableImage
        : new RegExp(DEFAULT_UNPULLABLE_IMAGE_PATTERN);
  }

  /** Removes every sandbox whose `expiresAt` has passed; returns their ids. */
  sweep(): string[] {
    const now = this.options.now();
    const removed: string[] = [];
    for (const [id, s] of this.sandboxes) {
      if (s.expiresAt !== undefined && s.expiresAt <= now) {
        this.sandboxes.delete(id);
        removed.push(id);
      }
    }
    return removed;
  }

  /** Drops all sandboxes and loads `seed` (validated like API input). */
  reset(seed: SeedSandbox[] = []): void {
    this.sandboxes.clear();
    this.lastCreatedAt = 0;
    this.nextHostPort = FIRST_HOST_PORT;
    const now = this.options.now();
    const records = seed.map(s => this.fromSeed(s, now));
    records.sort((a, b) => a.createdAt - b.createdAt);
    for (const r of records) {
      const unique = this.uniqueCreatedAt(r.createdAt);
      r.status.lastTransitionAt += unique - r.createdAt;
      if (r.finishedAt !== undefined) r.finishedAt += unique - r.createdAt;
      r.logs = r.logs?.map(line => ({
        ...line,
        at: line.at + unique - r.createdAt,
      }));
      r.requestedAt = unique;
      r.createdAt = unique;
      this.sandboxes.set(r.id, r);
    }
  }

  /** Number of sandboxes currently stored (including expired ones not yet swept). */
  get size(): number {
    return this.sandboxes.size;
  }

  /**
   * Creates a running sandbox at once: {@link SandboxStore.checkCreate},
   * then {@link SandboxStore.provision} with the current time as request start.
   * @throws ApiError 400, 500, 501
   */
  create(input: CreateSandboxInput): SandboxRecord {
    this.checkCreate(input);
    return this.provision(input, this.reserveRequestTime());
  }

  /**
   * The create rules the server checks before it pulls the image (fast
   * 400/501 answers). @throws ApiError 400, 501
   */
  checkCreate(input: CreateSandboxInput): void {
    const metadata = input.metadata ?? {};
    assertValidMetadata(metadata);
    const max = this.options.maxTimeoutSeconds;
    if (
      input.timeout !== undefined &&
      max !== undefined &&
      input.timeout > max
    ) {
      throw errors.invalidParameter(
        `Sandbox timeout ${input.timeout}s exceeds the configured maximum of ${max}s.`,
      );
    }
    const renew = input.extensions?.['access.renew.extend.seconds'];
    if (
      renew !== undefined &&
      !(/^\d+$/.test(renew) && Number(renew) >= 300 && Number(renew) <= 86400)
    ) {
      throw errors.invalidParameter(
        "extensions['access.renew.extend.seconds'] must be an integer between 300 and 86400.",
      );
    }
    if (input.extensions?.poolRef) throw errors.unsupportedPoolRef();
    if (input.secureAccess) {
      throw errors.invalidParameter(
        'secureAccess is only supported by the Kubernetes runtime.',
      );
    }
    if (input.snapshotId !== undefined) throw errors.snapshotsNotImplemented();
    if (input.credentialProxy?.enabled && !input.networkPolicy) {
      throw errors.invalidParameter('credentialProxy requires networkPolicy.');
    }
  }

  /**
   * The request start of a create: the current time, made strictly
   * increasing across creates (and seeds) so "newest first" is deterministic.
   */
  reserveRequestTime(): number {
    return this.uniqueCreatedAt(this.options.now());
  }

  /**
   * Pulls the image and starts the container: fails with 500
   * `DOCKER::SANDBOX_IMAGE_PULL_FAILED` (nothing is stored) when the image
   * matches {@link SandboxStore.unpullableImage}; otherwise stores a running
   * sandbox whose container was created `startupMs` after `requestedAt`.
   * Call {@link SandboxStore.checkCreate} first.
   * @param requestedAt - request start (epoch ms), from {@link SandboxStore.reserveRequestTime}
   * @throws ApiError 500
   */
  provision(input: CreateSandboxInput, requestedAt: number): SandboxRecord {
    if (input.image && this.unpullableImage?.test(input.image.uri)) {
      throw errors.imagePullFailed(imagePullFailureMessage(input.image.uri));
    }
    const createdAt = requestedAt + this.startupMs;
    const expiresAt =
      input.timeout === undefined
        ? undefined
        : requestedAt + input.timeout * 1000;
    const record: SandboxRecord = {
      id: randomUUID(),
      containerId: newContainerId(),
      image: input.image,
      platform: input.platform,
      entrypoint: input.entrypoint ?? DEFAULT_ENTRYPOINT,
      metadata: { ...(input.metadata ?? {}) },
      env: input.env ?? {},
      resourceLimits: input.resourceLimits ?? {},
      status: {
        state: 'Running',
        ...dockerStatus('Running'),
        lastTransitionAt: createdAt,
      },
      requestedAt,
      createdAt,
      expiresAt,
      labelExpiresAt: expiresAt,
      ...this.allocatePorts(),
    };
    this.sandboxes.set(record.id, record);
    return record;
  }

  /** True when a sandbox with this id is stored (expired ones not yet swept included). */
  has(id: string): boolean {
    return this.sandboxes.has(id);
  }

  /** @throws ApiError 404 */
  get(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw errors.sandboxNotFound(id);
    return s;
  }

  /** All sandboxes, newest first (by container creation time). */
  list(): SandboxRecord[] {
    return [...this.sandboxes.values()].sort(
      (a, b) => b.createdAt - a.createdAt || b.requestedAt - a.requestedAt,
    );
  }

  /** Kills and removes the sandbox. @throws ApiError 404 */
  delete(id: string): void {
    this.get(id);
    this.sandboxes.delete(id);
  }

  /**
   * Running → Paused, immediately. A `Paused` sandbox gives 500
   * `DOCKER::SANDBOX_PAUSE_FAILED` (Docker reports a paused container as
   * running, so the engine's own 409 surfaces); any other state gives 409
   * `DOCKER::SANDBOX_NOT_RUNNING`. @throws ApiError 404, 409, 500
   */
  pause(id: string): void {
    const s = this.get(id);
    if (s.status.state === 'Paused')
      throw errors.pauseFailed(alreadyPausedMessage(s.containerId));
    if (s.status.state !== 'Running') throw errors.notRunning();
    this.transition(s, 'Paused');
  }

  /** Paused → Running, immediately. @throws ApiError 404, 409 */
  resume(id: string): void {
    const s = this.get(id);
    if (s.status.state !== 'Paused') throw errors.notPaused();
    this.transition(s, 'Running');
  }

  /**
   * Sets a new absolute expiry (epoch ms); only "in the future" is checked.
   * The renewal lives in memory only (see {@link SandboxStore.restart}).
   * @throws ApiError 404, 400, 409
   */
  renew(id: string, expiresAt: number): number {
    const s = this.get(id);
    if (expiresAt <= this.options.now()) throw errors.expirationInPast();
    if (s.expiresAt === undefined) throw errors.manualCleanup(id);
    s.expiresAt = expiresAt;
    return expiresAt;
  }

  /** Applies a JSON merge patch to the metadata. @throws ApiError 404, 400 */
  patchMetadata(
    id: string,
    patch: Record<string, string | null>,
  ): SandboxRecord {
    const s = this.get(id);
    assertValidMetadata(patch, true);
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete s.metadata[key];
      else s.metadata[key] = value;
    }
    return s;
  }

  /**
   * The container's main process exits now: Docker's `Failed` / `CONTAINER_EXITED_ERROR` /
   * `Sandbox container exited with code <n>.` (or `Terminated` for exit code 0), with
   * `lastTransitionAt` = the exit time; `state`, `reason` and `message` can be given to play
   * another runtime. The sandbox stays listed (Docker keeps exited containers until deleted or
   * expired). @throws ApiError 404
   */
  fail(id: string, input: FailInput = {}): SandboxRecord {
    const s = this.get(id);
    const now = this.options.now();
    const exitCode = input.exitCode ?? (input.oomKilled ? 137 : 1);
    const state = input.state ?? exitedState(exitCode);
    const defaults = exitedStatus(state, exitCode);
    s.status = {
      state,
      reason: input.reason ?? defaults.reason,
      message: input.message ?? defaults.message,
      lastTransitionAt: now,
    };
    s.exitCode = exitCode;
    s.finishedAt = now;
    if (input.oomKilled) s.oomKilled = true;
    if (input.logs?.length)
      s.logs = [
        ...(s.logs ?? []),
        ...input.logs.map(text => ({ at: now, text })),
      ];
    return s;
  }

  /**
   * A server restart: every renewal is lost, each sandbox's `expiresAt` goes
   * back to the expiry of its container label (`requestedAt + timeout`).
   * Sandboxes are kept otherwise. Returns the ids whose expiry changed.
   * Call {@link SandboxStore.sweep} afterwards to drop those now expired.
   */
  restart(): string[] {
    const reverted: string[] = [];
    for (const s of this.sandboxes.values()) {
      if (s.expiresAt !== s.labelExpiresAt) {
        s.expiresAt = s.labelExpiresAt;
        reverted.push(s.id);
      }
    }
    return reverted;
  }

  /** Changes state and Docker reason/message; `lastTransitionAt` stays (Docker keeps no pause time). */
  private transition(s: SandboxRecord, state: string): void {
    const status: StoredStatus = {
      ...s.status,
      state,
      ...dockerStatus(state),
    };
    s.status = status;
  }

  private uniqueCreatedAt(wanted: number): number {
    const t = Math.max(wanted, this.lastCreatedAt + 1);
    this.lastCreatedAt = t;
    return t;
  }

  private allocatePorts(): { proxyHostPort: number; httpHostPort: number } {
    const proxyHostPort = this.nextHostPort;
    this.nextHostPort += 2;
    return { proxyHostPort, httpHostPort: proxyHostPort + 1 };
  }

  private fromSeed(seed: SeedSandbox, now: number): SandboxRecord {
    const where = `seed sandbox ${
      seed.id ?? JSON.stringify(seed.image ?? seed.snapshotId)
    }`;
    if ((seed.image === undefined) === (seed.snapshotId === undefined)) {
      throw new Error(
        `${where}: exactly one of image or snapshotId is required`,
      );
    }
    assertValidMetadata(seed.metadata ?? {});
    const time = (iso: string, field: string) => {
      const parsed = parseDateTime(iso);
      if (!parsed.ok)
        throw new Error(`${where}: invalid ${field} '${iso}': ${parsed.error}`);
      return parsed.epochMs;
    };
    const createdAt = seed.createdAt
      ? time(seed.createdAt, 'createdAt')
      : now - (seed.ageSeconds ?? 0) * 1000;
    let expiresAt: number | undefined;
    if (seed.expiresAt) expiresAt = time(seed.expiresAt, 'expiresAt');
    else if (seed.timeout !== undefined && seed.timeout !== null)
      expiresAt = createdAt + seed.timeout * 1000;
    const exited = seed.exitCode !== undefined;
    const state =
      seed.state ?? (exited ? exitedState(seed.exitCode!) : 'Running');
    const defaults = exited
      ? exitedStatus(state, seed.exitCode!)
      : dockerStatus(state);
    // An exited container finished a minute after its creation (or at start, if younger).
    const finishedAt = exited ? Math.min(createdAt + 60_000, now) : undefined;
    const logEnd = finishedAt ?? now;
    const lines = seed.logs ?? [];
    const logs = lines.map((text, i) => ({
      at:
        createdAt +
        Math.round(((logEnd - createdAt) * (i + 1)) / (lines.length + 1)),
      text: String(text),
    }));
    return {
      id: seed.id ?? randomUUID(),
      containerId: newContainerId(),
      image: typeof seed.image === 'string' ? { uri: seed.image } : seed.image,
      snapshotId: seed.snapshotId,
      platform: seed.platform,
      entrypoint: seed.entrypoint ?? DEFAULT_ENTRYPOINT,
      metadata: { ...(seed.metadata ?? {}) },
      env: { ...(seed.env ?? {}) },
      resourceLimits: {
        ...(seed.resourceLimits ?? { cpu: '1', memory: '2Gi' }),
      },
      status: {
        state,
        reason: seed.reason ?? defaults.reason,
        message: seed.message ?? defaults.message,
        // Docker reports an exited container's FinishedAt.
        lastTransitionAt: finishedAt ?? createdAt,
      },
      requestedAt: createdAt,
      createdAt,
      expiresAt,
      labelExpiresAt: expiresAt,
      ...this.allocatePorts(),
      ...(exited ? { exitCode: seed.exitCode, finishedAt } : {}),
      ...(seed.oomKilled ? { oomKilled: true } : {}),
      ...(logs.length > 0 ? { logs } : {}),
    };
  }
}

/** The state of an exited Docker container: `Terminated` for exit code 0, else `Failed`. */
function exitedState(exitCode: number): string {
  return exitCode === 0 ? 'Terminated' : 'Failed';
}

/**
 * Reason and message of an exited container, as the Docker runtime reports them:
 * `CONTAINER_EXITED` / `Sandbox container exited successfully.` for exit code 0,
 * `CONTAINER_EXITED_ERROR` / `Sandbox container exited with code <n>.` otherwise. Another state
 * than Terminated/Failed keeps its usual reason and message.
 */
function exitedStatus(
  state: string,
  exitCode: number,
): { reason: string; message: string } {
  if (state !== 'Terminated' && state !== 'Failed') return dockerStatus(state);
  return exitCode === 0
    ? {
        reason: 'CONTAINER_EXITED',
        message: 'Sandbox container exited successfully.',
      }
    : {
        reason: 'CONTAINER_EXITED_ERROR',
        message: `Sandbox container exited with code ${exitCode}.`,
      };
}

/** What `POST /_simulator/sandboxes/{id}/fail` (or {@link SandboxStore.fail}) does to a sandbox. */
export interface FailInput {
  /** Exit code of the main process; default 137 with `oomKilled`, else 1. 0 means it finished. */
  exitCode?: number;
  /** The out-of-memory killer stopped it. */
  oomKilled?: boolean;
  /** Default `Failed` (`Terminated` for exit code 0). */
  state?: string;
  /** Default the Docker runtime's (`CONTAINER_EXITED_ERROR`); e.g. `POD_PLATFORM_UNSCHEDULABLE` to play Kubernetes. */
  reason?: string;
  /** Default the Docker runtime's (`Sandbox container exited with code 137.`). */
  message?: string;
  /** Lines the container printed before it stopped (appended to its logs). */
  logs?: string[];
}
