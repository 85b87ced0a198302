/**
 * Opaque keyset cursors: the `(occurred_at, seq)` of the last row of a page, base64url JSON.
 */
import { invalidInput } from '../errors';

/** Position after which the next page starts (exclusive), in `(occurred_at DESC, seq DESC)`. */
export interface AuditCursor {
  occurredAt: number;
  seq: number;
}

/** Encodes a cursor. */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.occurredAt, cursor.seq]),
    'utf8',
  ).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 * @throws InputError `cursor is invalid` (naming `cursor` in `error.fields`) for anything else.
 */
export function decodeCursor(text: string): AuditCursor {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidInput([{ field: 'cursor', message: 'is invalid' }]);
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every(n => Number.isSafeInteger(n) && n >= 0)
  ) {
    throw invalidInput([{ field: 'cursor', message: 'is invalid' }]);
  }
  return { occurredAt: value[0], seq: value[1] };
}
