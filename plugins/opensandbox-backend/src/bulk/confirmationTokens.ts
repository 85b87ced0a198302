import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { BulkAction } from '@opensandbox-console/plugin-opensandbox-common';

const SECRETS_TABLE = 'opensandbox_secrets';
const SECRET_NAME = 'bulk-confirmation';
const VERSION = 'v1';

/** What a confirmation token binds. */
export interface ConfirmationSubject {
  action: BulkAction;
  /** The caller: user entity ref or service subject (compared lower-case). */
  actor: string;
  /** The selection, as `server/id` strings (sorted and de-duplicated here). */
  selection: string[];
}

/** Result of {@link ConfirmationTokens.verify}. */
export type ConfirmationCheck = 'ok' | 'mismatch' | 'expired';

/**
 * Confirmation tokens of bulk deletes: `v1.<expiry epoch s>.<base64url HMAC-SHA256>` over the
 * action, the caller, the expiry and the SORTED `server/id` list of the selection. A token from a
 * dry run is accepted only for the same action, the same caller and exactly the same set, until it
 * expires; it holds no state (nothing to store per dry run), so any replica can check it.
 *
 * The HMAC key is per deployment: derived from `opensandbox.bulk.confirmationSecret` when
 * configured, else a random 32-byte key stored once in the `opensandbox_secrets` table (the first
 * replica to need it inserts it; insert-if-absent, then every replica reads the same row).
 */
export class ConfirmationTokens {
  readonly #key: () => Promise<Buffer>;
  readonly #ttlSeconds: number;

  /**
   * @param options.secret - the configured secret; without it `knex` provides the stored key.
   */
  constructor(options: { secret?: string; knex?: Knex; ttlSeconds: number }) {
    this.#ttlSeconds = options.ttlSeconds;
    if (options.secret !== undefined) {
      const key = createHmac('sha256', options.secret)
        .update('opensandbox-bulk-confirmation-v1')
        .digest();
      this.#key = async () => key;
    } else if (options.knex) {
      const knex = options.knex;
      let loading: Promise<Buffer> | undefined;
      this.#key = () => {
        loading ??= storedKey(knex).catch(error => {
          loading = undefined;
          throw error;
        });
        return loading;
      };
    } else {
      throw new Error('ConfirmationTokens needs a secret or a database');
    }
  }

  /** A token for `subject`, valid for the configured time from `now` (epoch ms). */
  async sign(
    subject: ConfirmationSubject,
    now: number,
  ): Promise<{ token: string; expiresAt: string }> {
    const expiry = Math.floor(now / 1000) + this.#ttlSeconds;
    const signature = await this.#signature(subject, expiry);
    return {
      token: `${VERSION}.${expiry}.${signature}`,
      expiresAt: new Date(expiry * 1000).toISOString(),
    };
  }

  /**
   * Whether `token` was issued for exactly `subject`: `mismatch` for another action, caller or
   * set (or anything malformed), `expired` for a genuine token past its expiry.
   */
  async verify(
    token: string,
    subject: ConfirmationSubject,
    now: number,
  ): Promise<ConfirmationCheck> {
    const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return 'mismatch';
    const expiry = Number(match[1]);
    const expected = Buffer.from(await this.#signature(subject, expiry));
    const given = Buffer.from(match[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return 'mismatch';
    return now > expiry * 1000 ? 'expired' : 'ok';
  }

  async #signature(
    subject: ConfirmationSubject,
    expiry: number,
  ): Promise<string> {
    const selection = [...new Set(subject.selection)].sort();
    const canonical = JSON.stringify([
      VERSION,
      subject.action,
      subject.actor.toLocaleLowerCase('en-US'),
      expiry,
      selection,
    ]);
    return createHmac('sha256', await this.#key())
      .update(canonical)
      .digest('base64url');
  }
}

/** The deployment's stored key: inserted once (if absent) by whichever replica comes first. */
async function storedKey(knex: Knex): Promise<Buffer> {
  await knex(SECRETS_TABLE)
    .insert({
      name: SECRET_NAME,
      secret: randomBytes(32).toString('base64url'),
      created_at: Date.now(),
    })
    .onConflict('name')
    .ignore();
  const row = await knex(SECRETS_TABLE)
    .where({ name: SECRET_NAME })
    .first('secret');
  if (!row?.secret)
    throw new Error(
      'the bulk confirmation key could not be read from the database',
    );
  return Buffer.from(row.secret, 'base64url');
}
