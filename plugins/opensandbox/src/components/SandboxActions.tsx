import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  RESERVED_OWNERSHIP_KEYS,
  validateMetadata,
  validateRenewRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import { formatTimestamp } from '../lib/format';
import { parseKeyValueLines } from '../lib/parse';
import { capInMinutes, pluralMinutes, secondsMessageInMinutes, useMaxTimeoutSeconds } from '../lib/limits';

/**
 * The new absolute expiry of a renewal: `max(now, current expiresAt) + minutes`, as an RFC 3339
 * UTC string. Extending from the later of the two means a renewal never shortens the lifetime.
 */
export function computeRenewedExpiry(currentExpiresAt: string | undefined, minutes: number, now: number): string {
  const current = currentExpiresAt ? Date.parse(currentExpiresAt) : NaN;
  const base = Number.isNaN(current) ? now : Math.max(now, current);
  return new Date(base + minutes * 60_000).toISOString();
}

/**
 * Checks the renew input (whole minutes, like the create form); returns an error message or
 * undefined. With the console's lifetime cap `maxTimeoutSeconds`, the new expiry may be at most
 * that far from now (the server refuses more with 400), so the message says how many minutes
 * are still possible.
 */
export function renewInputError(
  minutesText: string,
  currentExpiresAt: string | undefined,
  now: number,
  maxTimeoutSeconds?: number,
): string | undefined {
  const minutes = Number(minutesText);
  if (minutesText.trim() === '' || !Number.isInteger(minutes)) return 'Enter a whole number of minutes';
  if (minutes <= 0) return 'A renewal can only extend the lifetime; enter a positive number of minutes';
  const expiresAt = computeRenewedExpiry(currentExpiresAt, minutes, now);
  if (currentExpiresAt && Date.parse(expiresAt) <= Date.parse(currentExpiresAt)) {
    return 'The new expiry must be later than the current one';
  }
  if (maxTimeoutSeconds !== undefined && Date.parse(expiresAt) > now + maxTimeoutSeconds * 1000) {
    const limit = `Sandboxes may live at most ${pluralMinutes(capInMinutes(maxTimeoutSeconds))} from now`;
    const base = Date.parse(computeRenewedExpiry(currentExpiresAt, 0, now));
    const possible = Math.floor((now + maxTimeoutSeconds * 1000 - base) / 60_000);
    return possible >= 1
      ? `${limit}: extend by at most ${pluralMinutes(possible)}`
      : `${limit}, and this one already expires about that late`;
  }
  const errors = validateRenewRequest({ expiresAt }, now, { maxTimeoutSeconds });
  return errors.length ? errors.map(e => secondsMessageInMinutes(`${e.field} ${e.message}`)).join('; ') : undefined;
}

/** Default extension offered by the renew dialog, in minutes. */
export const DEFAULT_RENEW_MINUTES = 30;

/** Dialog asking by how many minutes to extend; calls `onRenew` with the absolute expiry. */
export function RenewDialog(props: {
  open: boolean;
  currentExpiresAt?: string;
  busy: boolean;
  onClose: () => void;
  onRenew: (expiresAt: string) => void;
}) {
  const { open, currentExpiresAt, busy, onClose, onRenew } = props;
  const [minutesText, setMinutesText] = useState(String(DEFAULT_RENEW_MINUTES));
  const maxTimeoutSeconds = useMaxTimeoutSeconds();
  const now = Date.now();
  const error = renewInputError(minutesText, currentExpiresAt, now, maxTimeoutSeconds);
  const preview = error ? undefined : computeRenewedExpiry(currentExpiresAt, Number(minutesText), now);
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="opensandbox-renew-title">
      <DialogTitle id="opensandbox-renew-title">Renew expiration</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Current expiry: {formatTimestamp(currentExpiresAt)}. The extension counts from the later of
          now and the current expiry.
          {maxTimeoutSeconds !== undefined &&
            ` The new expiry may be at most ${pluralMinutes(capInMinutes(maxTimeoutSeconds))} from now.`}
        </DialogContentText>
        <TextField
          fullWidth
          type="number"
          id="opensandbox-renew-minutes"
          label="Extend by (minutes)"
          value={minutesText}
          onChange={e => setMinutesText(e.target.value)}
          error={!!error}
          helperText={error ?? `New expiry: ${formatTimestamp(preview)}`}
          inputProps={{ min: 1, step: 1, 'data-testid': 'renew-minutes-input' }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!!error || busy}
          data-testid="renew-confirm"
          onClick={() => onRenew(computeRenewedExpiry(currentExpiresAt, Number(minutesText), Date.now()))}
        >
          Renew
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Confirmation dialog for deleting a sandbox. */
export function DeleteDialog(props: {
  open: boolean;
  name: string;
  busy: boolean;
  onClose: () => void;
  onConfirm: () => void;
}) {
  return (
    <Dialog open={props.open} onClose={props.onClose} aria-labelledby="opensandbox-delete-title">
      <DialogTitle id="opensandbox-delete-title">Delete sandbox?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          This terminates sandbox <strong>{props.name}</strong> and removes it. Its processes and
          files are lost. This cannot be undone.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          variant="contained"
          color="secondary"
          disabled={props.busy}
          onClick={props.onConfirm}
          data-testid="confirm-delete"
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Metadata keys the user cannot change: the console's ownership keys and the upstream
 * `opensandbox.io/` prefix (the server refuses them with 400).
 */
export function isProtectedMetadataKey(key: string): boolean {
  return (
    RESERVED_OWNERSHIP_KEYS.includes(key) ||
    key.startsWith('backstage.io/owner') ||
    key.startsWith('backstage.io/team') ||
    key.startsWith('opensandbox.io/')
  );
}

/**
 * The JSON merge patch turning the editable part of `current` into `edited`: changed and new keys
 * with their value, removed keys with `null`. Protected keys are never part of it.
 */
export function metadataMergePatch(
  current: Record<string, string>,
  edited: Record<string, string>,
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(edited)) {
    if (current[key] !== value) patch[key] = value;
  }
  for (const key of Object.keys(current)) {
    if (!isProtectedMetadataKey(key) && !(key in edited)) patch[key] = null;
  }
  return patch;
}

/**
 * Builds the merge patch from the dialog text (`key=value` lines) and validates it like the server.
 * @returns the patch, or an error message.
 */
export function metadataPatchFromText(
  current: Record<string, string>,
  text: string,
): { patch: Record<string, string | null>; error?: string } {
  const parsed = parseKeyValueLines(text);
  const messages = [...parsed.errors];
  for (const key of Object.keys(parsed.values)) {
    if (isProtectedMetadataKey(key)) messages.push(`${key}: is managed by the console and cannot be changed`);
  }
  const patch = metadataMergePatch(current, parsed.values);
  if (messages.length === 0) {
    for (const e of validateMetadata(patch, 'metadata', true)) {
      messages.push(`${e.field.replace(/^metadata\./, '')}: ${e.message}`);
    }
  }
  return messages.length ? { patch, error: messages.join('; ') } : { patch };
}

/**
 * Dialog editing the sandbox metadata as `key=value` lines; sends a JSON merge patch of the
 * differences (removed lines delete keys). Protected keys are listed read-only.
 */
export function MetadataDialog(props: {
  open: boolean;
  metadata: Record<string, string>;
  busy: boolean;
  onClose: () => void;
  onSave: (patch: Record<string, string | null>) => void;
}) {
  const { open, metadata, busy, onClose, onSave } = props;
  const entries = Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b));
  const editable = entries.filter(([key]) => !isProtectedMetadataKey(key));
  const protectedKeys = entries.filter(([key]) => isProtectedMetadataKey(key)).map(([key]) => key);
  const [text, setText] = useState(() => editable.map(([k, v]) => `${k}=${v}`).join('\n'));
  const { patch, error } = metadataPatchFromText(metadata, text);
  const changes = Object.keys(patch).length;
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="opensandbox-metadata-title" fullWidth maxWidth="sm">
      <DialogTitle id="opensandbox-metadata-title">Edit metadata</DialogTitle>
      <DialogContent>
        <TextField
          fullWidth
          multiline
          minRows={5}
          id="opensandbox-metadata-edit"
          label="Metadata (one key=value per line)"
          value={text}
          onChange={e => setText(e.target.value)}
          error={!!error}
          helperText={error ?? `${changes} ${changes === 1 ? 'change' : 'changes'}; removed lines delete their key`}
          inputProps={{ 'data-testid': 'metadata-edit-input' }}
        />
        {protectedKeys.length > 0 && (
          <Typography variant="body2" color="textSecondary" style={{ marginTop: 8 }}>
            Managed by the console (not editable): {protectedKeys.join(', ')}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!!error || busy || changes === 0}
          onClick={() => onSave(patch)}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
