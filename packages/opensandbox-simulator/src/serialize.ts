/** Wire representations (`Sandbox`, `CreateSandboxResponse`); absent fields are omitted. */
import { formatTimestamp } from './time';
import { SandboxRecord } from './types';

type Json = Record<string, unknown>;

/**
 * The `Sandbox` schema as the Docker runtime answers GET, list and PATCH:
 * `image` is `{uri}` only; no env or resource limits; `createdAt` and
 * `status.lastTransitionAt` are the container's creation time; `metadata` is
 * omitted when the sandbox has none (the server turns `{}` into `None`).
 */
export function toSandbox(s: SandboxRecord): Json {
  const out: Json = { id: s.id };
  if (s.image) out.image = { uri: s.image.uri };
  if (s.snapshotId !== undefined) out.snapshotId = s.snapshotId;
  if (s.platform) out.platform = { ...s.platform };
  const status: Json = { state: s.status.state };
  if (s.status.reason !== undefined) status.reason = s.status.reason;
  if (s.status.message !== undefined) status.message = s.status.message;
  status.lastTransitionAt = formatTimestamp(s.status.lastTransitionAt);
  out.status = status;
  if (Object.keys(s.metadata).length > 0) out.metadata = { ...s.metadata };
  out.entrypoint = [...s.entrypoint];
  if (s.expiresAt !== undefined) out.expiresAt = formatTimestamp(s.expiresAt);
  out.createdAt = formatTimestamp(s.createdAt);
  return out;
}

/**
 * The `CreateSandboxResponse` schema (no image/snapshotId). Built from the
 * request like the real server does: `createdAt` and
 * `status.lastTransitionAt` are the request start, and `metadata` echoes the
 * request's `metadata` as sent (present, even `{}`, when the request had it;
 * absent when it did not).
 * @param requestMetadata - the validated request's `metadata`, or undefined when absent/null
 */
export function toCreateResponse(
  s: SandboxRecord,
  requestMetadata?: Record<string, string>,
): Json {
  const out: Json = {
    id: s.id,
    status: {
      state: 'Running',
      reason: 'CONTAINER_RUNNING',
      message: 'Sandbox container started successfully.',
      lastTransitionAt: formatTimestamp(s.requestedAt),
    },
  };
  if (requestMetadata !== undefined) out.metadata = { ...requestMetadata };
  if (s.platform) out.platform = { ...s.platform };
  if (s.expiresAt !== undefined) out.expiresAt = formatTimestamp(s.expiresAt);
  out.createdAt = formatTimestamp(s.requestedAt);
  out.entrypoint = [...s.entrypoint];
  return out;
}
