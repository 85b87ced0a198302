import { FormEvent, useEffect, useRef, useState } from 'react';
import {
  Link as RouterLink,
  useNavigate,
  useSearchParams,
} from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi, useApiHolder, useRouteRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  FieldError,
  opensandboxSandboxCreatePermission,
  validateCreateSandboxRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import { ConsoleCreateSandboxRequest, opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { errorMessage, formatDuration } from '../lib/format';
import { parseKeyValueLines, splitCommand } from '../lib/parse';
import { filterRef, normalizeEntityRef } from '../lib/entity';
import { AnnotationDefaults, readAnnotationDefaults } from '../lib/annotations';
import {
  capInMinutes,
  pluralMinutes,
  secondsMessageInMinutes,
  useConsoleSettings,
} from '../lib/limits';
import {
  createFailureTitle,
  ErrorDetails,
  errorDetails,
  inFormWords,
  isConsumedIdempotencyKey,
  isRetryableCreateFailure,
  newIdempotencyKey,
} from '../lib/errors';
import { NotAllowedPanel, useAdminGate, useCreateGate } from './permissions';
import { AnnotationWarnings } from './AnnotationWarnings';
import { ErrorNotice } from './ErrorNotice';
import { useSandboxLink } from './useSandboxLink';
import type { NoticeState } from './notices';
import { TeamQuotaNotice } from './TeamQuotaNotice';
import { PresetPicker } from './PresetPicker';
import { ErrorExplanation } from './FailureInsights';
import { applyPreset } from '../lib/presets';

export { ownGroupRefs } from '../lib/entity';

/** The raw values of the create form, as typed. */
export interface CreateFormValues {
  imageUri: string;
  /** One command line, split like a POSIX shell (quotes group, no expansion). */
  entrypoint: string;
  /** `KEY=VALUE` lines. */
  env: string;
  cpu: string;
  memory: string;
  /** Whole minutes until expiry; ignored when `noExpiration`. */
  timeoutMinutes: string;
  noExpiration: boolean;
  /** `key=value` lines. */
  metadata: string;
  /**
   * Owning group entity ref as sent. The page fills it from the team select; the "Other team…"
   * text field when that option is picked.
   */
  team: string;
  /** Catalog entity the sandbox is created for (`component:default/payments-api`); optional. */
  entityRef: string;
  /**
   * The OpenSandbox server to create the sandbox on; empty to let the backend pick (the first
   * server that serves the owning team). Only offered when the console has several servers.
   */
  server: string;
}

/** Value of the "Other team…" option of the team select. */
export const OTHER_TEAM = '__other__';

/** Initial values of the form. */
export const DEFAULT_FORM_VALUES: CreateFormValues = {
  imageUri: '',
  entrypoint: '',
  env: '',
  cpu: '500m',
  memory: '512Mi',
  timeoutMinutes: '60',
  noExpiration: false,
  metadata: '',
  team: '',
  entityRef: '',
  server: '',
};

/**
 * The form values with an entity's annotation defaults applied (timeout seconds become whole
 * minutes, rounded, at least 1).
 */
export function applyAnnotationDefaults(
  values: CreateFormValues,
  defaults: AnnotationDefaults,
): CreateFormValues {
  const next = { ...values };
  if (defaults.imageUri !== undefined) next.imageUri = defaults.imageUri;
  if (defaults.entrypoint !== undefined) next.entrypoint = defaults.entrypoint;
  if (defaults.cpu !== undefined) next.cpu = defaults.cpu;
  if (defaults.memory !== undefined) next.memory = defaults.memory;
  if (defaults.timeoutSeconds !== undefined) {
    next.timeoutMinutes = String(
      Math.max(1, Math.round(defaults.timeoutSeconds / 60)),
    );
    next.noExpiration = false;
  }
  return next;
}

/** Form field names, used as keys of the error map. */
export type FormField = keyof CreateFormValues | 'form';

/**
 * Maps a validation error field path (`image.uri`, `entrypoint[1]`, `metadata.team`, ...) to the
 * form field that shows it.
 */
export function formFieldOf(field: string): FormField {
  if (field === 'image' || field.startsWith('image.')) return 'imageUri';
  if (field.startsWith('entrypoint')) return 'entrypoint';
  if (field === 'timeout') return 'timeoutMinutes';
  if (field === 'resourceLimits.memory') return 'memory';
  if (field === 'resourceLimits' || field.startsWith('resourceLimits.'))
    return 'cpu';
  if (field === 'env' || field.startsWith('env.')) return 'env';
  if (field === 'metadata' || field.startsWith('metadata.')) return 'metadata';
  if (field === 'team') return 'team';
  if (field === 'entityRef') return 'entityRef';
  if (field === 'server') return 'server';
  return 'form';
}

/** The label each form field shows, for messages that name the field. */
export const FORM_FIELD_LABELS: Record<Exclude<FormField, 'form'>, string> = {
  imageUri: 'Image URI',
  entrypoint: 'Entrypoint',
  cpu: 'CPU',
  memory: 'Memory',
  timeoutMinutes: 'Timeout (minutes)',
  noExpiration: 'No expiration',
  env: 'Environment variables',
  metadata: 'Metadata',
  team: 'Owning team',
  entityRef: 'Catalog entity',
  server: 'OpenSandbox server',
};

/** The fields in the order the form shows them: focus goes to the first one in error. */
const FIELD_ORDER: FormField[] = [
  'imageUri',
  'entrypoint',
  'cpu',
  'memory',
  'timeoutMinutes',
  'env',
  'metadata',
  'team',
  'server',
  'entityRef',
];

/** The input of a form field (the team select when the team is chosen from the list). */
function fieldInput(field: FormField): HTMLElement | null {
  if (field === 'team') {
    return (
      document.getElementById('opensandbox-create-team') ??
      document.getElementById('opensandbox-create-team-select')
    );
  }
  return document.getElementById(`opensandbox-create-${field}`);
}

/** Moves the focus to the first field (in form order) that has an error; true when one took it. */
export function focusFirstError(
  errors: Partial<Record<FormField, string[]>>,
): boolean {
  for (const field of FIELD_ORDER) {
    if (!errors[field]?.length) continue;
    const input = fieldInput(field);
    if (input) {
      input.focus();
      return true;
    }
  }
  return false;
}

/** A server field path (`resourceLimits.cpu`, `timeout`) as the form labels it. */
function serverFieldLabel(field: string): string | undefined {
  const shown = formFieldOf(field);
  return shown === 'form' ? undefined : FORM_FIELD_LABELS[shown];
}

function fieldMessage(error: FieldError, shown: FormField): string {
  // Messages of whole fields read naturally on their own; keep the key for nested ones.
  const whole = [
    'image.uri',
    'entrypoint',
    'timeout',
    'resourceLimits',
    'env',
    'metadata',
    'team',
    'entityRef',
    'server',
  ];
  if (
    whole.includes(error.field) ||
    (shown === 'cpu' && error.field === 'resourceLimits.cpu') ||
    (shown === 'memory' && error.field === 'resourceLimits.memory')
  ) {
    return error.message;
  }
  return `${error.field.replace(/^(env|metadata)\./, '')}: ${error.message}`;
}

/** The size of a string in UTF-8 bytes. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code < 0x10000) bytes += 3;
    else bytes += 4;
  }
  return bytes;
}

/**
 * Server field errors (`error.fields` of a 400, e.g. `image.uri could not be pulled by
 * OpenSandbox`) per form field, worded like the form's own (timeouts in minutes).
 */
export function serverFieldErrors(
  fields: FieldError[],
): Partial<Record<FormField, string[]>> {
  const errors: Partial<Record<FormField, string[]>> = {};
  for (const error of fields) {
    const field = formFieldOf(error.field);
    let message = fieldMessage(error, field);
    if (field === 'timeoutMinutes') message = secondsMessageInMinutes(message);
    else if (field === 'form') message = `${error.field} ${error.message}`;
    (errors[field] ??= []).push(message);
  }
  return errors;
}

/**
 * Builds the request body from the form values and validates it with the same
 * `validateCreateSandboxRequest` the backend runs (with the console's lifetime cap
 * `maxTimeoutSeconds` and the limits of `GET /settings`, when known). The timeout is whole
 * minutes; its messages are in minutes. The team and entity refs are sent in the lower-case full
 * form (`Group:Default/Team-A` and `group:team-a` become `group:default/team-a`); `server` only
 * when one was picked.
 * @returns the body, and the errors per form field (empty when the body may be sent).
 */
export function buildCreateRequest(
  values: CreateFormValues,
  options: {
    maxTimeoutSeconds?: number;
    minTimeoutSeconds?: number;
    requestBodyLimitBytes?: number;
  } = {},
): {
  request: ConsoleCreateSandboxRequest;
  errors: Partial<Record<FormField, string[]>>;
} {
  const errors: Partial<Record<FormField, string[]>> = {};
  const add = (field: FormField, message: string) => {
    (errors[field] ??= []).push(message);
  };

  const request: Record<string, unknown> = {};
  const uri = values.imageUri.trim();
  request.image = { uri };

  const command = splitCommand(values.entrypoint);
  if (command.error) add('entrypoint', command.error);
  else if (command.args.length > 0) request.entrypoint = command.args;

  if (values.noExpiration) {
    request.timeout = null;
  } else {
    const text = values.timeoutMinutes.trim();
    const minutes = Number(text);
    const minMinutes = Math.max(
      1,
      Math.ceil((options.minTimeoutSeconds ?? 60) / 60),
    );
    if (text === '' || !Number.isInteger(minutes))
      add('timeoutMinutes', 'enter a whole number of minutes');
    else if (minutes < minMinutes)
      add('timeoutMinutes', `must be at least ${pluralMinutes(minMinutes)}`);
    else if (
      options.maxTimeoutSeconds !== undefined &&
      minutes > capInMinutes(options.maxTimeoutSeconds)
    ) {
      add(
        'timeoutMinutes',
        `must be at most ${pluralMinutes(
          capInMinutes(options.maxTimeoutSeconds),
        )}`,
      );
    } else request.timeout = minutes * 60;
  }
  const timeoutChecked = !!errors.timeoutMinutes;

  const resourceLimits: Record<string, string> = {};
  if (values.cpu.trim()) resourceLimits.cpu = values.cpu.trim();
  if (values.memory.trim()) resourceLimits.memory = values.memory.trim();
  request.resourceLimits = resourceLimits;

  const env = parseKeyValueLines(values.env);
  env.errors.forEach(e => add('env', e));
  if (Object.keys(env.values).length > 0) request.env = env.values;

  const metadata = parseKeyValueLines(values.metadata);
  metadata.errors.forEach(e => add('metadata', e));
  if (Object.keys(metadata.values).length > 0)
    request.metadata = metadata.values;

  // Entity refs are case-insensitive: send them as the server stores them. What does not parse is
  // sent as typed, and validation names the problem.
  if (values.team.trim()) {
    request.team =
      normalizeEntityRef(values.team, { defaultKind: 'group' }) ??
      values.team.trim();
  }
  if (values.entityRef.trim())
    request.entityRef =
      normalizeEntityRef(values.entityRef) ?? values.entityRef.trim();
  // No server: the backend picks the first server that serves the owning team.
  if (values.server.trim()) request.server = values.server.trim();

  for (const error of validateCreateSandboxRequest(request, {
    maxTimeoutSeconds: options.maxTimeoutSeconds,
  })) {
    const field = formFieldOf(error.field);
    if (field === 'timeoutMinutes') {
      // The form states the timeout in minutes; skip what the minutes check above already said.
      if (!timeoutChecked)
        add(field, secondsMessageInMinutes(fieldMessage(error, field)));
    } else add(field, fieldMessage(error, field));
  }
  const limit = options.requestBodyLimitBytes;
  if (limit !== undefined && Object.keys(errors).length === 0) {
    const size = utf8Length(JSON.stringify(request));
    if (size > limit) {
      add(
        'form',
        `The request is ${size} bytes, more than the ${limit} bytes the console accepts; shorten the environment variables or metadata`,
      );
    }
  }
  return { request: request as ConsoleCreateSandboxRequest, errors };
}

function useElapsed(running: boolean): number {
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (!running) return undefined;
    const start = Date.now();
    setElapsed(0);
    const timer = setInterval(() => setElapsed(Date.now() - start), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return elapsed;
}

/**
 * Form to create a sandbox. Validates client-side with the backend's own rules, shows server
 * errors in an alert, and navigates to the new sandbox once the server answers. The owning team
 * is picked among the caller's groups (or typed after "Other team…"). Without
 * `opensandbox.sandbox.create` the page shows a "not allowed" panel instead of the form.
 * @public
 */
export function SandboxCreatePage() {
  const rootLink = useRouteRef(rootRouteRef);
  const gate = useCreateGate();
  if (gate.allowed) return <CreateFormLoader />;
  return (
    <Page themeId="tool">
      <Header title="Create sandbox" type="Sandboxes" typeLink={rootLink()} />
      <Content>
        {gate.loading ? (
          <Progress />
        ) : (
          <NotAllowedPanel
            title="You are not allowed to create sandboxes"
            permission={opensandboxSandboxCreatePermission}
          >
            You can still see and use the sandboxes your role gives you access
            to.
          </NotAllowedPanel>
        )}
        {!gate.loading && (
          <Box mt={2}>
            <Button component={RouterLink} to={rootLink()} variant="outlined">
              Back to sandboxes
            </Button>
          </Box>
        )}
      </Content>
    </Page>
  );
}

/** What the page learnt from its query parameters and the catalog before showing the form. */
interface FormStart {
  initial: CreateFormValues;
  /** Owning team asked for by `?team=` (a group ref), if any. */
  team?: string;
  /** The entity asked for by `?entityRef=`, if any. */
  entityRef?: string;
  /** Annotation keys whose values became defaults. */
  applied: string[];
  warnings: string[];
  /** Why the entity's defaults could not be read. */
  loadError?: string;
}

/** The form fields an annotation fills (`entrypointArgs` is the split form of `entrypoint`). */
const ANNOTATION_FIELDS: Record<
  Exclude<keyof AnnotationDefaults, 'entrypointArgs'>,
  string
> = {
  imageUri: 'default-image',
  entrypoint: 'default-entrypoint',
  cpu: 'default-cpu',
  memory: 'default-memory',
  timeoutSeconds: 'default-timeout',
};

/**
 * Reads `?entityRef=` and `?team=` (set by the entity tab's "Create sandbox") and, for an entity,
 * fetches it from the catalog to apply its `opensandbox.backstage.io/default-*` annotations.
 */
function CreateFormLoader() {
  const [params] = useSearchParams();
  const entityRef = params.get('entityRef')?.trim() || undefined;
  const team = params.get('team')?.trim() || undefined;
  // `?server=` (from a list filtered to one server) preselects that server.
  const server = params.get('server')?.trim() ?? '';
  // `?preset=` preselects a create preset once the settings name it.
  const preset = params.get('preset')?.trim() || undefined;
  const catalogApi = useApiHolder().get(catalogApiRef);
  const rootLink = useRouteRef(rootRouteRef);

  const start = useAsync(async (): Promise<FormStart> => {
    const base = {
      ...DEFAULT_FORM_VALUES,
      entityRef: entityRef ?? '',
      team: team ?? '',
      server,
    };
    if (!entityRef) return { initial: base, team, applied: [], warnings: [] };
    let loadError: string | undefined;
    try {
      if (!catalogApi) throw new Error('the app has no catalog API');
      const entity = await catalogApi.getEntityByRef(entityRef);
      if (!entity) throw new Error('not found');
      const { defaults, warnings } = readAnnotationDefaults(entity);
      const applied = (
        Object.keys(ANNOTATION_FIELDS) as (keyof typeof ANNOTATION_FIELDS)[]
      )
        .filter(key => defaults[key] !== undefined)
        .map(key => `opensandbox.backstage.io/${ANNOTATION_FIELDS[key]}`);
      return {
        initial: applyAnnotationDefaults(base, defaults),
        team,
        entityRef,
        applied,
        warnings: warnings.map(w => w.message),
      };
    } catch (e) {
      loadError = errorMessage(e);
    }
    return {
      initial: base,
      team,
      entityRef,
      applied: [],
      warnings: [],
      loadError,
    };
  }, [catalogApi, entityRef, team, server]);

  if (!start.value) {
    return (
      <Page themeId="tool">
        <Header title="Create sandbox" type="Sandboxes" typeLink={rootLink()} />
        <Content>
          <Progress />
        </Content>
      </Page>
    );
  }
  return <CreateForm start={start.value} preset={preset} />;
}

function CreateForm(props: { start: FormStart; preset?: string }) {
  const { start } = props;
  const api = useApi(opensandboxApiRef);
  const navigate = useNavigate();
  const rootLink = useRouteRef(rootRouteRef);
  const sandboxLink = useSandboxLink();

  const [values, setValues] = useState<CreateFormValues>(start.initial);
  const [errors, setErrors] = useState<Partial<Record<FormField, string[]>>>(
    {},
  );
  // Bumped by a failed submit: the effect below then focuses the first field in error.
  const [focusErrors, setFocusErrors] = useState(0);
  const errorsRef = useRef(errors);
  errorsRef.current = errors;
  useEffect(() => {
    if (focusErrors > 0) focusFirstError(errorsRef.current);
  }, [focusErrors]);
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<
    { details: ErrorDetails; retryable: boolean; error?: unknown } | undefined
  >();
  const elapsed = useElapsed(submitting);
  // The Idempotency-Key of the current submission: made on the first attempt, reused by retries
  // of the same form (so a retry after a timeout returns the sandbox the first attempt made),
  // dropped after success or when the form changes.
  const idempotencyKey = useRef<string | undefined>(undefined);

  // The console's lifetime cap (the backend's `opensandbox.maxTimeoutSeconds`, from
  // `GET /settings`): with one, every sandbox must expire within it, so "No expiration" is not
  // offered and the timeout is capped. The option shows only once the settings say there is no
  // cap: not while they load (no flash), and not when they failed (the form says so instead and
  // leaves the check to the server).
  const consoleSettings = useConsoleSettings();
  const { maxTimeoutSeconds } = consoleSettings;
  const maxMinutes =
    maxTimeoutSeconds === undefined
      ? undefined
      : capInMinutes(maxTimeoutSeconds);
  const offerNoExpiration =
    !!consoleSettings.settings && maxTimeoutSeconds === undefined;
  const noExpiration = values.noExpiration && offerNoExpiration;
  const minMinutes = Math.max(
    1,
    Math.ceil((consoleSettings.settings?.minTimeoutSeconds ?? 60) / 60),
  );
  // With several OpenSandbox servers the form offers a choice (default: the backend picks).
  const servers = consoleSettings.settings?.servers ?? [];
  const serverOptions =
    values.server && !servers.includes(values.server)
      ? [...servers, values.server]
      : servers;
  const offerServer = servers.length > 1;

  // Team choice: the caller's teams from the backend (its groups minus role groups; the first is
  // the default), and "Other team…" with a text field for callers who may name any team. The
  // server lets only administrators do that; `opensandbox.admin.manage` (administrators only)
  // approximates it here.
  const identity = useAsync(() => api.listTeams(), [api]);
  const adminGate = useAdminGate();
  const canNameOtherTeam = adminGate.allowed;
  const teamsLoading = identity.loading || adminGate.loading;
  const groups = identity.value ?? [];
  const [teamChoice, setTeamChoice] = useState<string | undefined>();
  // `?team=` preselects that group when it is one of the caller's, else "Other team…" with it
  // (administrators) or the caller's first team with a note (everyone else).
  const requestedMine =
    start.team && !teamsLoading
      ? groups.find(group => filterRef(group) === filterRef(start.team!))
      : undefined;
  const requestedNotMine =
    !!start.team && !teamsLoading && !requestedMine && !canNameOtherTeam;
  const requestedTeam =
    start.team && !teamsLoading
      ? requestedMine ?? (canNameOtherTeam ? OTHER_TEAM : undefined)
      : undefined;
  const selectedTeam = teamChoice ?? requestedTeam ?? groups[0] ?? '';
  const effectiveTeam =
    selectedTeam === OTHER_TEAM ? values.team : selectedTeam;

  /** A changed form is a new submission: new Idempotency-Key, no "Retry" of the old one. */
  const formChanged = () => {
    idempotencyKey.current = undefined;
    setServerError(prev =>
      prev?.retryable ? { ...prev, retryable: false } : prev,
    );
  };
  const set = <K extends keyof CreateFormValues>(
    key: K,
    value: CreateFormValues[K],
  ) => {
    formChanged();
    setValues(prev => ({ ...prev, [key]: value }));
  };

  // Create presets (`opensandbox.presets`): choosing one resets the fields presets set to the
  // form's starting values (the entity's annotation defaults, else the form defaults) with the
  // preset on top; team, entity and server stay as chosen. "Custom" goes back to the start.
  const presets = consoleSettings.settings?.presets ?? [];
  const [presetName, setPresetName] = useState<string | undefined>();
  const choosePreset = (name: string | undefined) => {
    const chosen = presets.find(p => p.name === name);
    if (chosen?.name === presetName) return;
    formChanged();
    setPresetName(chosen?.name);
    setErrors({});
    setValues(prev => ({
      ...applyPreset(start.initial, chosen),
      team: prev.team,
      entityRef: prev.entityRef,
      server: prev.server,
    }));
  };
  const presetFromQuery = useRef(props.preset);
  useEffect(() => {
    const name = presetFromQuery.current;
    if (!name || presets.length === 0) return;
    presetFromQuery.current = undefined;
    if (presets.some(p => p.name === name)) choosePreset(name);
  }); // eslint-disable-line react-hooks/exhaustive-deps

  const fieldProps = (key: keyof CreateFormValues) => ({
    id: `opensandbox-create-${key}`,
    name: key,
    value: values[key] as string,
    onChange: (e: { target: { value: string } }) =>
      set(key, e.target.value as any),
    error: !!errors[key]?.length,
    helperText: errors[key]?.join('; '),
    disabled: submitting,
    fullWidth: true,
    variant: 'outlined' as const,
    inputProps: { 'data-testid': `create-${key}` },
  });

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setServerError(undefined);
    const built = buildCreateRequest(
      {
        ...values,
        noExpiration,
        team: effectiveTeam,
        server: offerServer ? values.server : '',
      },
      {
        maxTimeoutSeconds,
        minTimeoutSeconds: consoleSettings.settings?.minTimeoutSeconds,
        requestBodyLimitBytes: consoleSettings.settings?.requestBodyLimitBytes,
      },
    );
    setErrors(built.errors);
    if (Object.keys(built.errors).length > 0) {
      // After the render that shows the errors, the first field in error takes the focus.
      setFocusErrors(n => n + 1);
      return;
    }
    idempotencyKey.current ??= newIdempotencyKey();
    setSubmitting(true);
    try {
      // 202 (created) or 200 (a retry answered with the sandbox an earlier attempt made).
      const created = await api.createSandbox(built.request, {
        idempotencyKey: idempotencyKey.current,
      });
      idempotencyKey.current = undefined;
      // The new sandbox's page on its server (`/servers/:server/sandboxes/:id`).
      const name = created.metadata?.name;
      const notice: NoticeState = {
        notice: name
          ? `Sandbox "${name}" created.`
          : `Sandbox ${created.id} created.`,
      };
      navigate(sandboxLink(created), { state: notice });
    } catch (e) {
      const details = errorDetails(e);
      if (details.fields.length > 0) {
        setErrors(serverFieldErrors(details.fields));
        setFocusErrors(n => n + 1);
      }
      // The key made a sandbox that is gone: the same key can never succeed again, a new one can.
      const consumed = isConsumedIdempotencyKey(details);
      if (consumed) idempotencyKey.current = undefined;
      setServerError({
        details,
        retryable: !consumed && isRetryableCreateFailure(details.status),
        error: e,
      });
      setSubmitting(false);
    }
  };

  const hint = (text: string, key: keyof CreateFormValues) =>
    errors[key]?.length ? errors[key]!.join('; ') : text;

  let teamSelectHelperText =
    'The group that co-owns the sandbox: its members can manage it too';
  if (selectedTeam !== OTHER_TEAM && errors.team?.length) {
    teamSelectHelperText = errors.team.join('; ');
  } else if (identity.error) {
    teamSelectHelperText = `Could not read your teams: ${identity.error.message}`;
  } else if (requestedNotMine && teamChoice === undefined) {
    teamSelectHelperText = `You are not a member of ${start.team}, so it cannot own your sandbox; pick one of your teams`;
  }

  let timeoutHelperText = `The sandbox is terminated after this time (at least ${pluralMinutes(
    minMinutes,
  )}); it can be renewed`;
  if (noExpiration)
    timeoutHelperText = 'No expiration: the sandbox runs until deleted';
  else if (maxMinutes !== undefined) {
    timeoutHelperText = `The sandbox is terminated after this time (${minMinutes} to ${maxMinutes} minutes); it can be renewed up to ${pluralMinutes(
      maxMinutes,
    )} ahead`;
  }

  return (
    <Page themeId="tool">
      <Header title="Create sandbox" type="Sandboxes" typeLink={rootLink()} />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} lg={8}>
            {start.entityRef && (
              <Box mb={2}>
                {start.loadError ? (
                  <Alert severity="warning" data-testid="create-entity-error">
                    Could not read the defaults of {start.entityRef} from the
                    catalog ({start.loadError}); the form shows its usual
                    defaults.
                  </Alert>
                ) : (
                  <Alert severity="info" data-testid="create-entity-defaults">
                    Creating a sandbox for <strong>{start.entityRef}</strong>.{' '}
                    {start.applied.length > 0
                      ? `Defaults from its annotations: ${start.applied.join(
                          ', ',
                        )}.`
                      : 'Its catalog entry sets no sandbox defaults.'}
                  </Alert>
                )}
              </Box>
            )}
            <AnnotationWarnings messages={start.warnings} />
            {presets.length > 0 && (
              <Box mb={2}>
                <PresetPicker
                  presets={presets}
                  selected={presetName}
                  onSelect={choosePreset}
                  disabled={submitting}
                  note={
                    start.applied.length > 0
                      ? "Choosing one fills the form: a preset's values replace the entity's defaults for the fields it sets."
                      : undefined
                  }
                />
              </Box>
            )}
            {consoleSettings.error && (
              <Box mb={2}>
                <ErrorNotice
                  severity="warning"
                  details={errorDetails(consoleSettings.error)}
                  prefix="Could not load the console settings: "
                  testId="create-settings-error"
                  action={
                    <Button
                      color="inherit"
                      size="small"
                      onClick={consoleSettings.retry}
                    >
                      Retry
                    </Button>
                  }
                >
                  {' '}
                  The lifetime limit is unknown, so sandboxes without expiration
                  are not offered; you can still create, and the server checks
                  the timeout.
                </ErrorNotice>
              </Box>
            )}
            <InfoCard title="New sandbox">
              <form onSubmit={submit} noValidate aria-label="Create sandbox">
                <Grid container spacing={2}>
                  <Grid item xs={12}>
                    <TextField
                      {...fieldProps('imageUri')}
                      label="Image URI"
                      required
                      placeholder="python:3.11-slim"
                      helperText={hint(
                        'Container image to run, e.g. python:3.11-slim',
                        'imageUri',
                      )}
                    />
                  </Grid>
                  <Grid item xs={12}>
                    <TextField
                      {...fieldProps('entrypoint')}
                      label="Entrypoint"
                      required
                      placeholder="python -m http.server 8000"
                      helperText={hint(
                        'Command and arguments, split like a shell command: quote arguments that contain spaces ("a b" or \'a b\'). No variable expansion.',
                        'entrypoint',
                      )}
                    />
                  </Grid>
                  <Grid item xs={12} sm={6}>
                    <TextField
                      {...fieldProps('cpu')}
                      label="CPU"
                      helperText={hint(
                        'Kubernetes quantity, e.g. 500m or 2',
                        'cpu',
                      )}
                    />
                  </Grid>
                  <Grid item xs={12} sm={6}>
                    <TextField
                      {...fieldProps('memory')}
                      label="Memory"
                      helperText={hint(
                        'Kubernetes quantity, e.g. 512Mi or 2Gi',
                        'memory',
                      )}
                    />
                  </Grid>
                  <Grid item xs={12} sm={6}>
                    <TextField
                      {...fieldProps('timeoutMinutes')}
                      label="Timeout (minutes)"
                      type="number"
                      disabled={submitting || noExpiration}
                      helperText={hint(timeoutHelperText, 'timeoutMinutes')}
                      inputProps={{
                        'data-testid': 'create-timeoutMinutes',
                        min: minMinutes,
                        max: maxMinutes,
                        step: 1,
                      }}
                    />
                  </Grid>
                  <Grid item xs={12} sm={6}>
                    {offerNoExpiration && (
                      <FormControlLabel
                        control={
                          <Checkbox
                            checked={noExpiration}
                            onChange={e =>
                              set('noExpiration', e.target.checked)
                            }
                            disabled={submitting}
                            color="primary"
                            inputProps={
                              { 'data-testid': 'create-noExpiration' } as any
                            }
                          />
                        }
                        label="No expiration (manual cleanup)"
                      />
                    )}
                    {consoleSettings.loading && (
                      <FormHelperText data-testid="create-settings-loading">
                        Checking the console's lifetime limit…
                      </FormHelperText>
                    )}
                    {maxMinutes !== undefined && (
                      <FormHelperText data-testid="create-noExpiration-unavailable">
                        This console requires every sandbox to expire within{' '}
                        {pluralMinutes(maxMinutes)} (
                        {formatDuration(maxMinutes * 60_000)}); sandboxes
                        without expiration are not available.
                      </FormHelperText>
                    )}
                  </Grid>
                  <Grid item xs={12}>
                    <TextField
                      {...fieldProps('env')}
                      label="Environment variables"
                      multiline
                      minRows={3}
                      placeholder={'LOG_LEVEL=info\nDEBUG=true'}
                      helperText={hint('One KEY=VALUE per line', 'env')}
                    />
                  </Grid>
                  <Grid item xs={12}>
                    <TextField
                      {...fieldProps('metadata')}
                      label="Metadata"
                      multiline
                      minRows={3}
                      placeholder={'name=demo-api\nproject=payments'}
                      helperText={hint(
                        'One key=value per line (label syntax: no spaces). "name" is shown as the sandbox name.',
                        'metadata',
                      )}
                    />
                  </Grid>
                  <Grid item xs={12} sm={selectedTeam === OTHER_TEAM ? 6 : 12}>
                    <TextField
                      id="opensandbox-create-team-select"
                      name="teamChoice"
                      label="Owning team"
                      select
                      fullWidth
                      variant="outlined"
                      value={teamsLoading ? '' : selectedTeam}
                      onChange={e => {
                        formChanged();
                        setTeamChoice(e.target.value);
                      }}
                      disabled={submitting || teamsLoading}
                      error={
                        selectedTeam !== OTHER_TEAM && !!errors.team?.length
                      }
                      SelectProps={{ native: true }}
                      InputLabelProps={{ shrink: true }}
                      inputProps={{ 'data-testid': 'create-team-select' }}
                      helperText={teamSelectHelperText}
                    >
                      {teamsLoading && (
                        <option value="">Loading your teams…</option>
                      )}
                      {!teamsLoading && groups.length === 0 && (
                        <option value="">No team (you are in no group)</option>
                      )}
                      {groups.map(group => (
                        <option key={group} value={group}>
                          {group}
                        </option>
                      ))}
                      {!teamsLoading && canNameOtherTeam && (
                        <option value={OTHER_TEAM}>Other team…</option>
                      )}
                    </TextField>
                  </Grid>
                  {/* Governance: the chosen team's remaining quota and the caps that apply. */}
                  {selectedTeam !== OTHER_TEAM && effectiveTeam && (
                    <Grid item xs={12}>
                      <TeamQuotaNotice team={effectiveTeam} />
                    </Grid>
                  )}
                  {selectedTeam === OTHER_TEAM && (
                    <Grid item xs={12} sm={6}>
                      <TextField
                        {...fieldProps('team')}
                        label="Other team"
                        placeholder="group:default/team-a"
                        helperText={hint(
                          'Group entity ref of a team you are not a member of (administrators may name any team)',
                          'team',
                        )}
                      />
                    </Grid>
                  )}
                  {offerServer && (
                    <Grid item xs={12}>
                      <TextField
                        id="opensandbox-create-server"
                        name="server"
                        label="OpenSandbox server"
                        select
                        fullWidth
                        variant="outlined"
                        value={values.server}
                        onChange={e => set('server', e.target.value)}
                        disabled={submitting}
                        error={!!errors.server?.length}
                        SelectProps={{ native: true }}
                        InputLabelProps={{ shrink: true }}
                        inputProps={{ 'data-testid': 'create-server' }}
                        helperText={hint(
                          'Where the sandbox runs. Automatic: the first server that serves the owning team.',
                          'server',
                        )}
                      >
                        <option value="">
                          Automatic (from the owning team)
                        </option>
                        {serverOptions.map(name => (
                          <option key={name} value={name}>
                            {name}
                          </option>
                        ))}
                      </TextField>
                    </Grid>
                  )}
                  <Grid item xs={12}>
                    <TextField
                      {...fieldProps('entityRef')}
                      label="Catalog entity"
                      placeholder="component:default/payments-api"
                      helperText={hint(
                        "Optional: the component or system the sandbox is for; it is listed on that entity's Sandboxes tab",
                        'entityRef',
                      )}
                    />
                  </Grid>
                  {errors.form?.length ? (
                    <Grid item xs={12}>
                      <Alert severity="error">{errors.form.join('; ')}</Alert>
                    </Grid>
                  ) : null}
                  {serverError && (
                    <Grid item xs={12}>
                      <ErrorNotice
                        details={inFormWords(
                          serverError.details,
                          serverFieldLabel,
                        )}
                        testId="create-server-error"
                        title={createFailureTitle(serverError.details.status)}
                        action={
                          serverError.retryable ? (
                            <Button
                              color="inherit"
                              size="small"
                              variant="outlined"
                              onClick={() => submit()}
                              disabled={submitting}
                              data-testid="create-retry"
                            >
                              Retry
                            </Button>
                          ) : undefined
                        }
                      >
                        {/* Failure insights: what the error means and what to do (e.g. a quota, a pool). */}
                        <ErrorExplanation
                          error={serverError.error}
                          retryAfterSeconds={
                            serverError.details.retryAfterSeconds
                          }
                          skip={[
                            'upstream-timeout',
                            'upstream-unreachable',
                            'rate-limited',
                          ]}
                        />
                        {serverError.retryable && (
                          <Typography
                            variant="body2"
                            component="div"
                            data-testid="create-retry-hint"
                          >
                            Retry sends the same request with the same
                            Idempotency-Key: if the first attempt made the
                            sandbox, the server returns it instead of creating
                            another.
                          </Typography>
                        )}
                      </ErrorNotice>
                    </Grid>
                  )}
                  {submitting && (
                    <Grid item xs={12} data-testid="create-progress">
                      <LinearProgress aria-label="Creating the sandbox" />
                      <Typography
                        variant="body2"
                        color="textSecondary"
                        style={{ marginTop: 8 }}
                      >
                        Creating the sandbox ({formatDuration(elapsed)}{' '}
                        elapsed). The server answers once the sandbox runs,
                        which can take a minute or more for large images.
                      </Typography>
                    </Grid>
                  )}
                  <Grid item xs={12}>
                    <Box display="flex" style={{ gap: 8 }}>
                      <Button
                        type="submit"
                        variant="contained"
                        color="primary"
                        disabled={submitting}
                      >
                        Create
                      </Button>
                      <Button
                        component={RouterLink}
                        to={rootLink()}
                        disabled={submitting}
                      >
                        Cancel
                      </Button>
                    </Box>
                  </Grid>
                </Grid>
              </form>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
