import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  JsonWebKey,
  KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A private signing JWK as oidc-provider's `jwks` option takes it. */
export type SigningJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

/** RFC 7638 thumbprint of an RSA or EC public key, used as `kid`. */
function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256')
    .update(JSON.stringify(members))
    .digest('base64url');
}

function algFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const crv = key.asymmetricKeyDetails?.namedCurve;
    if (crv === 'prime256v1') return 'ES256';
    if (crv === 'secp384r1') return 'ES384';
  }
  throw new Error(
    `unsupported signing key type ${key.asymmetricKeyType} (use RSA or EC P-256/P-384)`,
  );
}

/** Turns a private key (PEM text or JWK JSON text) into a signing JWK with `kid` and `alg`. */
export function signingJwkFromText(text: string): SigningJwk {
  const trimmed = text.trim();
  const key = trimmed.startsWith('{')
    ? createPrivateKey({ key: JSON.parse(trimmed), format: 'jwk' })
    : createPrivateKey(trimmed);
  const jwk = key.export({ format: 'jwk' });
  const given = trimmed.startsWith('{')
    ? (JSON.parse(trimmed) as { kid?: string })
    : {};
  return {
    ...jwk,
    kid: given.kid ?? thumbprint(jwk),
    alg: algFor(key),
    use: 'sig',
  };
}

/** A fresh RSA signing key; it lives only as long as the process (no private key on disk). */
export function generateSigningJwk(): SigningJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint(jwk), alg: 'RS256', use: 'sig' };
}

/**
 * The signing key: IDP_SIGNING_KEY (PEM or JWK text), else the file IDP_SIGNING_KEY_FILE, else a
 * key generated at start.
 */
export function loadSigningJwk(env: NodeJS.ProcessEnv): {
  jwk: SigningJwk;
  source: string;
} {
  if (env.IDP_SIGNING_KEY)
    return {
      jwk: signingJwkFromText(env.IDP_SIGNING_KEY),
      source: 'IDP_SIGNING_KEY',
    };
  if (env.IDP_SIGNING_KEY_FILE) {
    return {
      jwk: signingJwkFromText(readFileSync(env.IDP_SIGNING_KEY_FILE, 'utf8')),
      source: env.IDP_SIGNING_KEY_FILE,
    };
  }
  return { jwk: generateSigningJwk(), source: 'generated at start' };
}
