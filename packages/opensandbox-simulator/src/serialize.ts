/** Wire representations (`Sandbox`, `CreateSandboxResponse`); absent fields are omitted. */
import { formatTimestamp } from './time';
import { SandboxRecord } from './types';

type Json = Record<string, unknown>;

function status(s: SandboxRecord, messageOverride?: string): Json {
  const out: Json = { state: s.status.state };
  if (s.status.reason !== undefined) out.reason = s.status.reason;
  const message = messageOverride ?? s.status.message;
  if (message !== undefined) out.message = message;
  out.lastTransitionAt = formatTimestamp(s.status.lastTransitionAt);
  return out;
}

/** The `Sandbox` schema: `image` is `{uri}` only; no env or resource limits. */
export function toSandbox(s: SandboxRecord): Json {
  const out: Json = { id: s.id };
  if (s.image) out.image = { uri: s.image.uri };
  if (s.snapshotId !== undefined) out.snapshotId = s.snapshotId;
  if (s.platform) out.platform = { ...s.platform };
  out.status = status(s);
  out.metadata = { ...s.metadata };
  out.entrypoint = [...s.entrypoint];
  if (s.expiresAt !== undefined) out.expiresAt = formatTimestamp(s.expiresAt);
  out.createdAt = formatTimestamp(s.createdAt);
  return out;
}

/** The `CreateSandboxResponse` schema (no image/snapshotId). */
export function toCreateResponse(s: SandboxRecord): Json {
  const out: Json = {
    id: s.id,
    status: status(s, 'Sandbox container started successfully.'),
    metadata: { ...s.metadata },
  };
  if (s.platform) out.platform = { ...s.platform };
  if (s.expiresAt !== undefined) out.expiresAt = formatTimestamp(s.expiresAt);
  out.createdAt = formatTimestamp(s.createdAt);
  out.entrypoint = [...s.entrypoint];
  return out;
}
