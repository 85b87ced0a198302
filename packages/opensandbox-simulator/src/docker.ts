/**
 * Texts of Docker engine errors as the real server passes them on.
 *
 * The real Docker runtime wraps docker-py exceptions with `str(exc)`, so its
 * error messages carry engine internals: the docker-py `APIError` format
 * `"<status> Client|Server Error for <url>: <reason> (\"<explanation>\")"`,
 * the Unix-socket URL `http+docker://localhost/v<api>/...` and the daemon's
 * own explanation. These helpers rebuild those strings.
 */
import { randomBytes } from 'node:crypto';

/** Docker Engine API version in the URLs (Docker 27.x). */
export const DOCKER_API_VERSION = '1.47';

const ENGINE = `http+docker://localhost/v${DOCKER_API_VERSION}`;

const DOCKER_HUB_DOMAINS = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);

/** A new 64-hex container id. */
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

/** An image reference split like docker-py's `parse_repository_tag` plus Docker's name normalisation. */
export interface ImageReference {
  /** The repository as the client wrote it, without tag or digest (docker-py's `fromImage`). */
  repository: string;
  /** Tag or digest (`sha256:...`); `latest` when the reference has neither. */
  tag: string;
  /** True when the reference is a digest (`repo@sha256:...`). */
  digest: boolean;
  /** Registry host, `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path on the registry, e.g. `library/python` or `example/app`. */
  path: string;
}

/** Parses an image reference (`[registry/]path[:tag|@digest]`) the way docker-py and the engine do. */
export function parseImageReference(uri: string): ImageReference {
  let repository = uri;
  let tag: string | undefined;
  let digest = false;
  const at = uri.lastIndexOf('@');
  if (at >= 0) {
    repository = uri.slice(0, at);
    tag = uri.slice(at + 1);
    digest = true;
  } else {
    const colon = uri.lastIndexOf(':');
    if (colon >= 0 && !uri.slice(colon + 1).includes('/')) {
      repository = uri.slice(0, colon);
      tag = uri.slice(colon + 1);
    }
  }
  const slash = repository.indexOf('/');
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  const hasRegistry =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  let domain = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? repository.slice(slash + 1) : repository;
  if (DOCKER_HUB_DOMAINS.has(domain)) domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { repository, tag: tag || 'latest', digest, domain, path };
}

/** `application/x-www-form-urlencoded` like Python's `urlencode` (`quote_plus`). */
function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * The message of `DOCKER::SANDBOX_IMAGE_PULL_FAILED` for an image the
 * registry refuses, as the real server builds it
 * (`f"Failed to pull image {image_uri}: {str(exc)}"`):
 * - another registry (e.g. ghcr.io): `500 Server Error ... Internal Server Error
 *   ("Head "https://<registry>/v2/<path>/manifests/<tag>": denied")`;
 * - Docker Hub: `404 Client Error ... Not Found ("pull access denied for <name>,
 *   repository does not exist or may require 'docker login': denied: requested
 *   access to the resource is denied")`.
 */
export function imagePullFailureMessage(uri: string): string {
  const ref = parseImageReference(uri);
  const url = `${ENGINE}/images/create?tag=${formEncode(
    ref.tag,
  )}&fromImage=${formEncode(ref.repository)}`;
  let engineError: string;
  if (ref.domain === 'docker.io') {
    const familiar = ref.path.startsWith('library/')
      ? ref.path.slice('library/'.length)
      : ref.path;
    engineError = `404 Client Error for ${url}: Not Found ("pull access denied for ${familiar}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied")`;
  } else {
    engineError = `500 Server Error for ${url}: Internal Server Error ("Head "https://${ref.domain}/v2/${ref.path}/manifests/${ref.tag}": denied")`;
  }
  return `Failed to pull image ${uri}: ${engineError}`;
}

/**
 * The message of `DOCKER::SANDBOX_PAUSE_FAILED` when the container is already
 * paused: the server's pre-check only looks at `State.Running`, which Docker
 * keeps `true` for a paused container, so the engine's 409 surfaces as a 500
 * (`f"Failed to pause sandbox container: {str(exc)}"`).
 */
export function alreadyPausedMessage(containerId: string): string {
  return `Failed to pause sandbox container: 409 Client Error for ${ENGINE}/containers/${containerId}/pause: Conflict ("Container ${containerId} is already paused")`;
}
