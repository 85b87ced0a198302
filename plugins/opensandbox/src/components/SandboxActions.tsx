import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  RESERVED_OWNERSHIP_KEYS,
  validateMetadata,
  validateRenewRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import { formatDuration, formatTimestamp } from '../lib/format';
import { parseKeyValueLines } from '../lib/parse';
import { localInputToUtcIso, utcIsoToLocalInput } from '../lib/audit';
import { ErrorDetails, inFormWords } from '../lib/errors';
import {
  capInMinutes,
  pluralMinutes,
  secondsMessageInMinutes,
  useConsoleSettings,
} from '../lib/limits';
import { ErrorNotice } from './ErrorNotice';

/**
 * The new absolute expiry of a renewal: `max(now, current expiresAt) + minutes`, as an RFC 3339
 * UTC string. Extending from the later of the two means a renewal never shortens the lifetime.
 */
export function computeRenewedExpiry(
  currentExpiresAt: string | undefined,
  minutes: number,
  now: number,
): string {
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
  if (minutesText.trim() === '' || !Number.isInteger(minutes))
    return 'Enter a whole number of minutes';
  if (minutes <= 0)
    return 'A renewal can only extend the lifetime; enter a positive number of minutes';
  const expiresAt = computeRenewedExpiry(currentExpiresAt, minutes, now);
  if (
    currentExpiresAt &&
    Date.parse(expiresAt) <= Date.parse(currentExpiresAt)
  ) {
    return 'The new expiry must be later than the current one';
  }
  if (
    maxTimeoutSeconds !== undefined &&
    Date.parse(expiresAt) > now + maxTimeoutSeconds * 1000
  ) {
    const limit = `Sandboxes may live at most ${pluralMinutes(
      capInMinutes(maxTimeoutSeconds),
    )} from now`;
    const base = Date.parse(computeRenewedExpiry(currentExpiresAt, 0, now));
    const possible = Math.floor(
      (now + maxTimeoutSeconds * 1000 - base) / 60_000,
    );
    return possible >= 1
      ? `${limit}: extend by at most ${pluralMinutes(possible)}`
      : `${limit}, and this one already expires about that late`;
  }
  const errors = validateRenewRequest({ expiresAt }, now, {
    maxTimeoutSeconds,
  });
  return errors.length
    ? errors
        .map(e => secondsMessageInMinutes(`${e.field} ${e.message}`))
        .join('; ')
    : undefined;
}

/** The checked absolute expiry of the renew dialog's "Set the new expiry" input. */
export interface RenewUntil {
  /** The new expiry as an RFC 3339 UTC string, when the input is valid. */
  expiresAt?: string;
  error?: string;
  /** True when the new expiry is earlier than the current one (needs `allowShorten`). */
  shortens: boolean;
}

/**
 * Checks an absolute new expiry typed as a UTC `datetime-local` value (`2026-06-15T11:30` or with
 * seconds): it must be in the future, differ from the current expiry and, with the console's
 * lifetime cap, be at most `maxTimeoutSeconds` from now. An expiry earlier than the current one
 * is valid but `shortens`: the server refuses it unless the request says `allowShorten: true`.
 */
export function renewUntilCheck(
  untilText: string,
  currentExpiresAt: string | undefined,
  now: number,
  maxTimeoutSeconds?: number,
): RenewUntil {
  const expiresAt = localInputToUtcIso(untilText);
  if (!expiresAt)
    return { error: 'Enter a date and time (UTC)', shortens: false };
  const at = Date.parse(expiresAt);
  const current = currentExpiresAt ? Date.parse(currentExpiresAt) : NaN;
  if (at <= now)
    return { error: 'The new expiry must be in the future', shortens: false };
  if (at === current)
    return {
      error: 'This is the current expiry; pick another time',
      shortens: false,
    };
  if (maxTimeoutSeconds !== undefined && at > now + maxTimeoutSeconds * 1000) {
    return {
      error: `Sandboxes may live at most ${pluralMinutes(
        capInMinutes(maxTimeoutSeconds),
      )} from now: pick ${formatTimestamp(
        new Date(now + maxTimeoutSeconds * 1000).toISOString(),
      )} or earlier`,
      shortens: false,
    };
  }
  const errors = validateRenewRequest({ expiresAt }, now, {
    maxTimeoutSeconds,
  });
  if (errors.length) {
    return {
      error: errors
        .map(e => `New expiry ${secondsMessageInMinutes(e.message)}`)
        .join('; '),
      shortens: false,
    };
  }
  return { expiresAt, shortens: !Number.isNaN(current) && at < current };
}

/** Default extension offered by the renew dialog, in minutes. */
export const DEFAULT_RENEW_MINUTES = 30;

/** How the renew dialog picks the new expiry. */
export type RenewMode = 'extend' | 'until';

/** What the renew dialog asks for. `allowShorten` is true only for a confirmed earlier expiry. */
export interface RenewChoice {
  expiresAt: string;
  allowShorten: boolean;
}

/**
 * Dialog choosing a sandbox's new expiry, either "Extend by N minutes" (from the later of now and
 * the current expiry: never shortens) or "Set the new expiry" (a UTC date and time). A time
 * earlier than the current expiry shows a warning and needs the "Shorten the expiration" box,
 * which sends `allowShorten: true`. The lifetime cap comes from `GET /settings`.
 *
 * The dialog stays open while `busy`; a failed renewal shows its `error` (message, request id,
 * `expiresAt` field error next to the input) and the dialog can be submitted again.
 */
export function RenewDialog(props: {
  open: boolean;
  currentExpiresAt?: string;
  /** Opens in "Set the new expiry" mode with this time (e.g. the expiry of a lost renewal). */
  initialExpiresAt?: string;
  busy: boolean;
  error?: ErrorDetails;
  onClose: () => void;
  onRenew: (choice: RenewChoice) => void;
}) {
  const {
    open,
    currentExpiresAt,
    initialExpiresAt,
    busy,
    error: serverError,
    onClose,
    onRenew,
  } = props;
  const settings = useConsoleSettings();
  const maxTimeoutSeconds = settings.maxTimeoutSeconds;
  const [mode, setMode] = useState<RenewMode>(
    initialExpiresAt ? 'until' : 'extend',
  );
  const [minutesText, setMinutesText] = useState(String(DEFAULT_RENEW_MINUTES));
  const [untilText, setUntilText] = useState(() =>
    utcIsoToLocalInput(initialExpiresAt),
  );
  const [confirmShorten, setConfirmShorten] = useState(false);
  const now = Date.now();

  const extendError = renewInputError(
    minutesText,
    currentExpiresAt,
    now,
    maxTimeoutSeconds,
  );
  const preview = extendError
    ? undefined
    : computeRenewedExpiry(currentExpiresAt, Number(minutesText), now);
  const until = renewUntilCheck(
    untilText,
    currentExpiresAt,
    now,
    maxTimeoutSeconds,
  );

  const serverFieldError = serverError?.fields
    .filter(f => f.field === 'expiresAt')
    .map(f => secondsMessageInMinutes(f.message))
    .join('; ');
  const choose = (next: RenewMode) => {
    if (next === 'until' && !untilText) {
      setUntilText(
        utcIsoToLocalInput(
          preview ?? currentExpiresAt ?? new Date(now).toISOString(),
        ),
      );
    }
    setMode(next);
  };

  let choice: RenewChoice | undefined;
  if (mode === 'extend' && !extendError) {
    choice = { expiresAt: preview!, allowShorten: false };
  } else if (
    mode === 'until' &&
    until.expiresAt &&
    (!until.shortens || confirmShorten)
  ) {
    choice = { expiresAt: until.expiresAt, allowShorten: until.shortens };
  }
  const shortenBy =
    until.shortens && until.expiresAt && currentExpiresAt
      ? Date.parse(currentExpiresAt) - Date.parse(until.expiresAt)
      : 0;

  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      aria-labelledby="opensandbox-renew-title"
    >
      <DialogTitle id="opensandbox-renew-title">Renew expiration</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Current expiry: {formatTimestamp(currentExpiresAt)}.{' '}
          {mode === 'extend'
            ? 'The extension counts from the later of now and the current expiry.'
            : 'The new expiry is read as UTC.'}
          {maxTimeoutSeconds !== undefined &&
            ` The new expiry may be at most ${pluralMinutes(
              capInMinutes(maxTimeoutSeconds),
            )} from now.`}
        </DialogContentText>
        {settings.error && (
          <Box mb={1}>
            <Alert severity="warning" data-testid="renew-settings-error">
              Could not load the console's lifetime limit (
              {settings.error.message}); the server checks the new expiry.
            </Alert>
          </Box>
        )}
        <RadioGroup
          row
          aria-label="How to renew"
          name="opensandbox-renew-mode"
          value={mode}
          onChange={e => choose(e.target.value as RenewMode)}
        >
          <FormControlLabel
            value="extend"
            control={<Radio color="primary" />}
            label="Extend"
            disabled={busy}
          />
          <FormControlLabel
            value="until"
            control={<Radio color="primary" />}
            label="Set the new expiry"
            disabled={busy}
          />
        </RadioGroup>
        {mode === 'extend' ? (
          <TextField
            fullWidth
            type="number"
            id="opensandbox-renew-minutes"
            label="Extend by (minutes)"
            value={minutesText}
            onChange={e => setMinutesText(e.target.value)}
            disabled={busy}
            error={!!extendError || !!serverFieldError}
            helperText={
              extendError ??
              serverFieldError ??
              `New expiry: ${formatTimestamp(preview)}`
            }
            inputProps={{
              min: 1,
              step: 1,
              'data-testid': 'renew-minutes-input',
            }}
          />
        ) : (
          <TextField
            fullWidth
            type="datetime-local"
            id="opensandbox-renew-until"
            label="New expiry (UTC)"
            value={untilText}
            onChange={e => {
              setUntilText(e.target.value);
              setConfirmShorten(false);
            }}
            disabled={busy}
            error={!!until.error || !!serverFieldError}
            helperText={
              until.error ??
              serverFieldError ??
              `New expiry: ${formatTimestamp(until.expiresAt)}`
            }
            InputLabelProps={{ shrink: true }}
            inputProps={{
              step: 1,
              'data-testid': 'renew-until-input',
              max:
                maxTimeoutSeconds === undefined
                  ? undefined
                  : utcIsoToLocalInput(
                      new Date(now + maxTimeoutSeconds * 1000).toISOString(),
                    ),
            }}
          />
        )}
        {mode === 'until' && until.shortens && (
          <Box mt={2}>
            <Alert severity="warning" data-testid="renew-shorten-warning">
              {formatTimestamp(until.expiresAt)} is earlier than the current
              expiry ({formatTimestamp(currentExpiresAt)}): this shortens the
              sandbox's lifetime by {formatDuration(shortenBy)}, and OpenSandbox
              terminates it at the new time.
            </Alert>
            <FormControlLabel
              control={
                <Checkbox
                  checked={confirmShorten}
                  onChange={e => setConfirmShorten(e.target.checked)}
                  disabled={busy}
                  color="primary"
                  inputProps={{ 'data-testid': 'renew-allow-shorten' } as any}
                />
              }
              label="Shorten the expiration"
            />
          </Box>
        )}
        {busy && (
          <Box mt={2}>
            <LinearProgress aria-label="Renewing" />
            <Typography variant="body2" color="textSecondary">
              Renewing…
            </Typography>
          </Box>
        )}
        {serverError && !busy && (
          <Box mt={2}>
            <ErrorNotice
              details={inFormWords(serverError, field =>
                field === 'expiresAt' ? 'New expiry' : undefined,
              )}
              prefix="Could not renew the sandbox: "
              testId="renew-error"
            />
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!choice || busy}
          data-testid="renew-confirm"
          onClick={() => {
            if (!choice) return;
            // "Extend" counts from the later of the current expiry and the moment of the click.
            if (mode === 'extend') {
              onRenew({
                expiresAt: computeRenewedExpiry(
                  currentExpiresAt,
                  Number(minutesText),
                  Date.now(),
                ),
                allowShorten: false,
              });
            } else onRenew(choice);
          }}
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
    <Dialog
      open={props.open}
      onClose={props.onClose}
      aria-labelledby="opensandbox-delete-title"
    >
      <DialogTitle id="opensandbox-delete-title">Delete sandbox?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          This terminates sandbox <strong>{props.name}</strong> and removes it.
          Its processes and files are lost. This cannot be undone.
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
    if (isProtectedMetadataKey(key))
      messages.push(`${key}: is managed by the console and cannot be changed`);
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
  const entries = Object.entries(metadata).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const editable = entries.filter(([key]) => !isProtectedMetadataKey(key));
  const protectedKeys = entries
    .filter(([key]) => isProtectedMetadataKey(key))
    .map(([key]) => key);
  const [text, setText] = useState(() =>
    editable.map(([k, v]) => `${k}=${v}`).join('\n'),
  );
  const { patch, error } = metadataPatchFromText(metadata, text);
  const changes = Object.keys(patch).length;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby="opensandbox-metadata-title"
      fullWidth
      maxWidth="sm"
    >
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
          helperText={
            error ??
            `${changes} ${
              changes === 1 ? 'change' : 'changes'
            }; removed lines delete their key`
          }
          inputProps={{ 'data-testid': 'metadata-edit-input' }}
        />
        {protectedKeys.length > 0 && (
          <Typography
            variant="body2"
            color="textSecondary"
            style={{ marginTop: 8 }}
          >
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
