/**
 * Plain-language explanations of sandbox failures, kept as data: ONE table
 * ({@link FAILURE_EXPLANATIONS}) mapping what OpenSandbox reports (a sandbox's `status.state`,
 * `status.reason` and `status.message`; an error code of an answer or an audit row) to a title,
 * an explanation and a suggested action. Used by the detail page (failure panel), the list
 * (failure badge), the audit log (a failed row's "Why?") and the runbook (docs/operations.md).
 *
 * Sources: upstream states and reasons per runtime (Docker `CONTAINER_*`, Kubernetes
 * `POD_PLATFORM_UNSCHEDULABLE`, pod reasons such as `ErrImagePull`), upstream error codes
 * (`services/constants.py`, `KUBERNETES::QUOTA_EXCEEDED`, `KUBERNETES::POOL_CAPACITY_EXHAUSTED`)
 * and the console's own refusals (error names such as `QuotaExceededError`, recorded as the audit
 * row's `errorCode`). Browser-safe.
 *
 * @packageDocumentation
 */

/**
 * What is known about a failure. Every field is optional; pass what you have.
 * @public
 */
export interface FailureFacts {
  /** The sandbox's `status.state` (`Failed`, `Terminated`, `Unknown`, `Pending`, ...). */
  state?: string;
  /** The sandbox's `status.reason` (`CONTAINER_EXITED_ERROR`, `POD_PLATFORM_UNSCHEDULABLE`, `ErrImagePull`, ...). */
  reason?: string;
  /** The sandbox's `status.message`, or an error message (an audit row's `errorMessage`). */
  message?: string;
  /**
   * An upstream error code (`KUBERNETES::QUOTA_EXCEEDED`, `DOCKER::SANDBOX_IMAGE_PULL_FAILED`; the
   * runtime prefix is optional) or a console error name (`QuotaExceededError`, `RateLimitedError`,
   * `UPSTREAM_TIMEOUT`): an audit row's `errorCode`, an error body's `upstreamCode` or `name`.
   */
  errorCode?: string;
  /** The main process's exit code when known; otherwise read from `message` ("exited with code 137"). */
  exitCode?: number;
  /** Seconds OpenSandbox asked to wait before retrying (`Retry-After`), for the retry hint. */
  retryAfterSeconds?: number;
}

/**
 * One way an entry matches: every field given must match (case-insensitive); an entry matches
 * when any of its matchers does.
 * @public
 */
export interface FailureMatcher {
  /** `state` is one of these. */
  states?: readonly string[];
  /** `reason` is one of these. */
  reasons?: readonly string[];
  /** `errorCode` is one of these, compared whole and by its part after the last `::`. */
  codes?: readonly string[];
  /** Tested on `message` and `reason`. */
  message?: RegExp;
  /** The exit code (given, or read from the message) is one of these. */
  exitCodes?: readonly number[];
  /** Any known exit code other than 0. */
  nonZeroExitCode?: boolean;
}

/**
 * Where a user looks next for the details of a failure.
 * @public
 */
export type FailureLook = 'logs' | 'events';

/**
 * One entry of {@link FAILURE_EXPLANATIONS}. Texts may contain `{exitCode}` and `{retryAfter}`
 * (`30 seconds`, or `a minute` when OpenSandbox gave no delay).
 * @public
 */
export interface FailureExplanationEntry {
  /** Stable id (`image-pull`, `exit-137`, ...): test names, anchors, analytics. */
  id: string;
  when: readonly FailureMatcher[];
  /** One line: what happened (the list badge's tooltip). */
  title: string;
  /** Why, in plain language. */
  explanation: string;
  /** What to do about it. */
  action: string;
  /** Where the details are: the sandbox's logs or its events. */
  look?: FailureLook;
  /** True when the same request may succeed later unchanged. */
  retryable?: boolean;
}

/**
 * An explanation for one failure ({@link explainFailure}), with its placeholders filled in.
 * @public
 */
export interface FailureExplanation {
  id: string;
  title: string;
  explanation: string;
  action: string;
  look?: FailureLook;
  retryable: boolean;
  /** The exit code the explanation is about, when known. */
  exitCode?: number;
}

const logs: FailureLook = 'logs';
const events: FailureLook = 'events';

/** The same action for every "the program ended with an error" entry. */
const READ_LOGS_AND_FIX =
  'Read the logs for the last messages before the exit, then fix the entrypoint, environment variables or image and create the sandbox again.';

/**
 * The table. Order matters: the first entry that matches wins, so specific entries come before
 * general ones (an explicit out-of-memory kill before exit code 137, exit codes before "the
 * program stopped with an error", state-only fallbacks last).
 * @public
 */
export const FAILURE_EXPLANATIONS: readonly FailureExplanationEntry[] = [
  // --- Refusals and errors of an operation (error codes: answers and audit rows) ---------------
  {
    id: 'invalid-image-name',
    when: [
      { reasons: ['InvalidImageName'] },
      { message: /InvalidImageName|invalid reference format/i },
    ],
    title: 'The image name is not valid',
    explanation:
      'The image reference is not a valid name: it may contain upper-case letters or spaces, or a misplaced tag or digest.',
    action:
      'Write the image as [registry/]repository[:tag], for example python:3.12-slim or ghcr.io/acme/app:1.4, and create the sandbox again.',
  },
  {
    id: 'image-pull',
    when: [
      { codes: ['SANDBOX_IMAGE_PULL_FAILED'] },
      {
        reasons: [
          'ErrImagePull',
          'ImagePullBackOff',
          'ErrImageNeverPull',
          'RegistryUnavailable',
        ],
      },
      {
        message:
          /ErrImagePull|ImagePullBackOff|pull access denied|manifest unknown|failed to pull image/i,
      },
    ],
    title: 'The image could not be pulled',
    explanation:
      'OpenSandbox could not download the container image: the name or tag may be misspelt or not exist, the registry may be unreachable, or a private registry refused access because no or wrong credentials were given.',
    action:
      'Check the image name and tag (for example with docker pull on your machine) and, for a private registry, give registry credentials; then create the sandbox again.',
    look: events,
  },
  {
    id: 'quota-exceeded',
    when: [{ codes: ['QUOTA_EXCEEDED'] }, { message: /exceeded quota/i }],
    title: 'The cluster quota for sandboxes is used up',
    explanation:
      'The Kubernetes namespace that runs the sandboxes has a resource quota (CPU, memory or number of pods), and this sandbox would exceed it. OpenSandbox refused it before starting anything.',
    action:
      'Delete sandboxes you no longer need or ask for less CPU and memory; if the team needs more, ask the platform team to raise the namespace quota.',
  },
  {
    id: 'pool-exhausted',
    when: [{ codes: ['POOL_CAPACITY_EXHAUSTED', 'CapacityExhaustedError'] }],
    title: 'No pre-started sandbox is free right now',
    explanation:
      'This sandbox comes from a pool of pre-started sandboxes, and none became free before OpenSandbox stopped waiting. Nothing was created.',
    action:
      'Try again in {retryAfter}. If it keeps happening, ask the platform team to enlarge the pool.',
    retryable: true,
  },
  {
    id: 'team-quota',
    when: [{ codes: ['QuotaExceededError'] }],
    title: 'The team has reached its sandbox quota',
    explanation:
      'The console limits how many sandboxes a team may have at once, and this team is at its limit. Nothing was sent to OpenSandbox.',
    action:
      "Delete sandboxes the team no longer needs, or ask a console administrator to raise the team's quota.",
  },
  {
    id: 'team-cap',
    when: [{ codes: ['CapExceededError'] }],
    title: "The request is beyond the team's limits",
    explanation:
      "The console caps what a team's sandboxes may ask for: the longest timeout or renewal, the largest CPU and memory, and the allowed image registries. The request asked for more than the cap the message names.",
    action:
      'Change the field the message names to fit the cap, or ask a console administrator whether the cap can be raised.',
  },
  {
    id: 'max-timeout',
    when: [
      { codes: ['INVALID_PARAMETER'], message: /maximum|max_sandbox_timeout/i },
    ],
    title: 'The timeout is longer than allowed',
    explanation:
      "Sandboxes may live at most a fixed time: OpenSandbox's server.max_sandbox_timeout_seconds and the console's opensandbox.maxTimeoutSeconds. This request asked for a longer timeout.",
    action:
      'Choose a shorter timeout, and renew the sandbox later if you need it for longer.',
  },
  {
    id: 'pod-ready-timeout',
    when: [
      { codes: ['POD_READY_TIMEOUT'] },
      { reasons: ['provision_timeout'] },
    ],
    title: 'The sandbox did not start in time',
    explanation:
      'OpenSandbox waits a limited time (60 seconds by default on Kubernetes) for a new sandbox to run. A slow image pull or a pod that cannot be scheduled takes longer, so OpenSandbox removed the sandbox.',
    action:
      'Try again, preferably with a smaller image or one the nodes already have. If it keeps happening, ask the platform team whether the cluster is short of capacity.',
    retryable: true,
  },
  {
    id: 'pause-unsupported',
    when: [
      {
        codes: ['INVALID_STATE', 'API_NOT_SUPPORTED'],
        message: /not supported/i,
      },
      { message: /pause is not supported|resume is not supported/i },
    ],
    title: 'This OpenSandbox runtime cannot pause sandboxes',
    explanation:
      'Pause and resume depend on the runtime behind OpenSandbox: the Kubernetes agent-sandbox provider does not support them, so the sandbox keeps running.',
    action:
      'Leave the sandbox running (renew it if you need more time), or delete it and create a new one when you need it again.',
  },
  {
    id: 'pause-failed',
    when: [{ codes: ['SANDBOX_PAUSE_FAILED'] }],
    title: 'OpenSandbox could not pause the sandbox',
    explanation:
      'The runtime refused to pause the container. On Docker this happens when the sandbox is already paused, for example when two people or a retry paused it at the same time.',
    action:
      'Refresh: if the sandbox shows Paused, nothing more is needed; otherwise try again later.',
  },
  {
    id: 'resume-failed',
    when: [{ codes: ['SANDBOX_RESUME_FAILED'] }],
    title: 'OpenSandbox could not resume the sandbox',
    explanation: 'The runtime refused to resume the paused container.',
    action:
      'Refresh and try again; if it fails again, look at the events and create a new sandbox instead.',
    look: events,
  },
  {
    id: 'start-failed',
    when: [
      { codes: ['SANDBOX_START_FAILED', 'POD_FAILED'] },
      { reasons: ['PROVISIONING_ERROR'] },
    ],
    title: 'OpenSandbox could not start the sandbox',
    explanation:
      'The image was there but the container did not start: the entrypoint may be missing from the image, the resources may be too small, or the runtime reported an error.',
    action:
      'Check the entrypoint and the image, look at the events while the sandbox is still listed, then create the sandbox again.',
    look: events,
  },
  {
    id: 'not-found',
    when: [{ codes: ['SANDBOX_NOT_FOUND'] }],
    title: 'The sandbox no longer exists',
    explanation:
      'OpenSandbox does not know this sandbox any more: it was deleted, or it expired and was removed.',
    action: 'Nothing to undo; create a new sandbox if you still need one.',
  },
  {
    id: 'invalid-expiration',
    when: [{ codes: ['INVALID_EXPIRATION'] }],
    title: 'The new expiry was refused',
    explanation:
      'OpenSandbox accepts only an expiry in the future, and only for sandboxes that expire at all: a sandbox without expiration cannot be renewed.',
    action:
      'Pick a time in the future; a sandbox without expiration needs no renewal.',
  },
  {
    id: 'state-conflict',
    when: [
      {
        codes: [
          'ConflictError',
          'SANDBOX_NOT_RUNNING',
          'SANDBOX_NOT_PAUSED',
          'INVALID_STATE',
        ],
      },
    ],
    title: 'The sandbox was not in a state that allows this',
    explanation:
      'Pause needs a Running sandbox, resume a Paused one, and renew a sandbox with an expiry; the sandbox was in another state when the action was asked.',
    action:
      'Refresh to see the current state, then choose the action that fits it.',
  },
  {
    id: 'rate-limited',
    when: [{ codes: ['RateLimitedError'] }],
    title: 'Too many changes in a short time',
    explanation:
      'The console limits how many changes each user or service may make per minute (opensandbox.rateLimits), and this caller used up its allowance.',
    action:
      'Try again in {retryAfter}; spread automated changes out, or ask a console administrator for a higher limit.',
    retryable: true,
  },
  {
    id: 'permission-policy',
    when: [{ codes: ['PermissionPolicyError'] }],
    title: 'The permission policy could not be evaluated',
    explanation:
      'The console could not evaluate its permission policy for this action, so it denied the action to be safe.',
    action:
      'Ask a console administrator to check the backend log and fix the policy.',
  },
  {
    id: 'not-allowed',
    when: [{ codes: ['NotAllowedError'] }],
    title: 'The role does not allow this',
    explanation:
      "The console's permission policy refused the action for this user or service on this sandbox.",
    action:
      "Ask the sandbox's team or a console administrator for a role that allows it.",
  },
  {
    id: 'key-refused',
    when: [{ codes: ['MISSING_API_KEY', 'INVALID_API_KEY', 'HTTP_401'] }],
    title: "OpenSandbox refused the console's API key",
    explanation:
      'The OpenSandbox server did not accept the key the console backend sends (opensandbox.apiKey): the key was changed on the server, or the console has an old or wrong one.',
    action:
      'A console administrator must update opensandbox.apiKey (see "Rotating the OpenSandbox key" in the operator runbook) and restart the backend.',
  },
  {
    id: 'upstream-timeout',
    when: [{ codes: ['UPSTREAM_TIMEOUT', 'UpstreamTimeoutError'] }],
    title: 'OpenSandbox did not answer in time',
    explanation:
      'The console stopped waiting for OpenSandbox. For a change the outcome is unknown: it may still have happened. The console settles an unknown create by itself once it finds the sandbox.',
    action:
      'Refresh in a minute to see the result. Retrying a create from the form is safe: it reuses the same Idempotency-Key.',
    retryable: true,
  },
  {
    id: 'upstream-unreachable',
    when: [{ codes: ['UPSTREAM_UNREACHABLE'] }],
    title: 'OpenSandbox could not be reached',
    explanation:
      'The console backend could not connect to the OpenSandbox server: it is down or restarting, or the address or network is wrong.',
    action:
      'Try again shortly; if it lasts, a console administrator should check the OpenSandbox server and opensandbox.baseUrl.',
    retryable: true,
  },

  // --- Sandbox states and reasons (detail page, list badge) -------------------------------------
  {
    id: 'oom-killed',
    when: [
      { reasons: ['OOMKilled'] },
      { message: /\bOOMKilled\b|out of memory|out-of-memory/i },
    ],
    title: 'The sandbox ran out of memory',
    explanation:
      "The program used more memory than the sandbox's memory limit, so the kernel killed it (an out-of-memory kill).",
    action:
      'Create the sandbox again with a larger memory limit (for example 1Gi instead of 512Mi), or make the program use less memory.',
    look: logs,
  },
  {
    id: 'crash-loop',
    when: [{ reasons: ['CrashLoopBackOff'] }, { message: /CrashLoopBackOff/ }],
    title: 'The sandbox keeps crashing',
    explanation:
      'The main process exits shortly after every start, and Kubernetes waits longer and longer before each restart.',
    action:
      'Read the logs for the error printed before each exit, then fix the entrypoint, environment variables or image.',
    look: logs,
  },
  {
    id: 'insufficient-resources',
    when: [
      { reasons: ['OutOfcpu', 'OutOfmemory'] },
      {
        message:
          /Insufficient (cpu|memory|nvidia\.com\/gpu|ephemeral-storage)|insufficient resources/i,
      },
    ],
    title: 'No node has enough free CPU or memory',
    explanation:
      "Kubernetes found no node with enough unreserved CPU, memory or GPU for the sandbox's resource limits, so the sandbox cannot be scheduled.",
    action:
      'Ask for less CPU or memory; if the sandbox really needs them, ask the platform team to add capacity. Then create the sandbox again.',
    look: events,
  },
  {
    id: 'unschedulable',
    when: [
      {
        reasons: [
          'POD_PLATFORM_UNSCHEDULABLE',
          'Unschedulable',
          'FailedScheduling',
        ],
      },
      { message: /nodes are available|unschedulable/i },
    ],
    title: 'No node can run the sandbox',
    explanation:
      "Kubernetes found no node matching the sandbox's requirements, such as its platform (operating system and CPU architecture) or the cluster's placement rules.",
    action:
      'Remove or change the platform constraint (for example linux/amd64 instead of linux/arm64), or ask the platform team which platforms the cluster offers; then create the sandbox again.',
    look: events,
  },
  {
    id: 'exit-137',
    when: [{ exitCodes: [137] }],
    title:
      'The program was killed (exit code 137), most often for using too much memory',
    explanation:
      "Exit code 137 means the main process was stopped with SIGKILL (128 + 9). Most often the kernel killed it because it used more memory than the sandbox's limit; a forced stop of the container gives the same code.",
    action:
      'Create the sandbox again with more memory (for example 1Gi instead of 512Mi) or make the program use less; the logs show what it was doing last.',
    look: logs,
  },
  {
    id: 'exit-1',
    when: [{ exitCodes: [1] }],
    title: 'The program stopped with an error (exit code 1)',
    explanation:
      'Exit code 1 is the general error of most programs: it failed at start-up (a missing file, a wrong setting, a refused connection) or stopped on an unhandled error.',
    action:
      'Read the logs for the error message, then fix the entrypoint, environment variables or image and create the sandbox again.',
    look: logs,
  },
  {
    id: 'exit-2',
    when: [{ exitCodes: [2] }],
    title: 'The command was used wrongly (exit code 2)',
    explanation:
      'Exit code 2 usually means the command got invalid arguments or options, or a shell script has a syntax error.',
    action:
      "Check the entrypoint's arguments against the program's usage (the logs usually print it) and create the sandbox again.",
    look: logs,
  },
  {
    id: 'exit-126',
    when: [{ exitCodes: [126] }],
    title: 'The entrypoint could not be run (exit code 126)',
    explanation:
      'Exit code 126 means the command was found but could not be executed: the file is not executable, or it is a script or program for another system (for example with Windows line endings, or for another CPU architecture).',
    action:
      'Make the file executable in the image (chmod +x), or start it through its interpreter (for example sh script.sh), and create the sandbox again.',
    look: logs,
  },
  {
    id: 'exit-127',
    when: [{ exitCodes: [127] }],
    title: 'The entrypoint command was not found (exit code 127)',
    explanation:
      'Exit code 127 means the command could not be found: it is not in the image, it is misspelt, or it is not on the PATH.',
    action:
      "Check the command's spelling, give its full path, or use an image that contains the program; then create the sandbox again.",
    look: logs,
  },
  {
    id: 'exit-134',
    when: [{ exitCodes: [134] }],
    title: 'The program aborted (exit code 134)',
    explanation:
      'Exit code 134 means the process stopped itself with SIGABRT (128 + 6), usually after a failed assertion or a fatal runtime error.',
    action:
      'Read the logs for the assertion or fatal error just before the exit, then fix the program or its input.',
    look: logs,
  },
  {
    id: 'exit-139',
    when: [{ exitCodes: [139] }],
    title: 'The program crashed with a segmentation fault (exit code 139)',
    explanation:
      'Exit code 139 means the process was stopped with SIGSEGV (128 + 11) after an invalid memory access: usually a bug in native code, or a program built for another platform or C library.',
    action:
      "Read the logs, try another version of the image, and check that the image matches the sandbox's platform.",
    look: logs,
  },
  {
    id: 'exit-143',
    when: [{ exitCodes: [143] }],
    title: 'The program was asked to stop (exit code 143)',
    explanation:
      'Exit code 143 means the process ended on SIGTERM (128 + 15), the polite stop signal: someone or something stopped the sandbox, such as a delete, an expiry or a node being drained.',
    action:
      'If nobody stopped it, look at the events; if the program should keep running, make sure the entrypoint stays in the foreground.',
    look: events,
  },
  {
    id: 'exit-nonzero',
    when: [{ nonZeroExitCode: true }],
    title: 'The program stopped with exit code {exitCode}',
    explanation:
      "The sandbox's main process (its entrypoint) ended with exit code {exitCode}, so the sandbox stopped. Codes above 128 mean the process was ended by a signal (the code minus 128).",
    action: READ_LOGS_AND_FIX,
    look: logs,
  },
  {
    id: 'container-exited-error',
    when: [{ reasons: ['CONTAINER_EXITED_ERROR'] }],
    title: 'The program stopped with an error',
    explanation:
      "The sandbox's main process (its entrypoint) ended with an error exit code, so the sandbox stopped.",
    action: READ_LOGS_AND_FIX,
    look: logs,
  },
  {
    id: 'completed',
    when: [
      { reasons: ['CONTAINER_EXITED'] },
      { states: ['Terminated', 'Failed'], exitCodes: [0] },
    ],
    title: 'The program finished, so the sandbox stopped',
    explanation:
      "The sandbox's main process (its entrypoint) ended normally (exit code 0). A sandbox runs only as long as its entrypoint does.",
    action:
      'For a sandbox that stays up, use a long-running entrypoint such as a server or tail -f /dev/null; delete this one once you have what you need.',
    look: logs,
  },
  {
    id: 'expired',
    when: [{ reasons: ['ttl_expiry', 'SandboxExpired'] }],
    title: 'The sandbox expired',
    explanation:
      'It reached its expiry time and OpenSandbox terminated it; its files are gone.',
    action:
      'Create a new sandbox. Next time renew it before it expires, or choose a longer timeout.',
  },
  {
    id: 'unknown-state',
    when: [{ states: ['Unknown'] }, { reasons: ['CONTAINER_STATE_UNKNOWN'] }],
    title: "OpenSandbox cannot tell the sandbox's state",
    explanation:
      'The runtime reports a container state OpenSandbox does not know, for example while the container is being removed or when the Docker engine has a problem.',
    action:
      'Refresh in a minute; if the state stays Unknown, look at the events and the inspect output, and delete the sandbox if it is of no use.',
    look: events,
  },
  {
    id: 'failed',
    when: [{ states: ['Failed'] }],
    title: 'The sandbox failed',
    explanation:
      'OpenSandbox reports a critical error for this sandbox; its reason and message say what the runtime saw.',
    action:
      'Look at the events and logs for the cause. A failed sandbox does not recover: delete it and create a new one once the cause is fixed.',
    look: events,
  },
  {
    id: 'terminated',
    when: [{ states: ['Terminated'] }],
    title: 'The sandbox has stopped',
    explanation:
      'The sandbox is terminated: its program ended or it was stopped, and it does not run any more.',
    action:
      'Delete it once you no longer need its details, and create a new sandbox to continue.',
    look: logs,
  },
];

/**
 * The exit code a status or error message states (`Sandbox container exited with code 137.`,
 * `exit code: 1`, `exitCode=139`), or undefined.
 * @public
 */
export function exitCodeOf(message: string | undefined): number | undefined {
  const match =
    /exit[ _]?(?:ed )?(?:with )?(?:exit )?code\s*[:=]?\s*(-?\d{1,3})\b/i.exec(
      message ?? '',
    );
  return match ? Number(match[1]) : undefined;
}

function same(
  a: string | undefined,
  list: readonly string[] | undefined,
): boolean {
  if (!list) return true;
  if (!a) return false;
  const value = a.toLowerCase();
  return list.some(item => item.toLowerCase() === value);
}

function codeMatches(
  code: string | undefined,
  list: readonly string[] | undefined,
): boolean {
  if (!list) return true;
  if (!code) return false;
  const name = code.includes('::')
    ? code.slice(code.lastIndexOf('::') + 2)
    : code;
  return same(code, list) || same(name, list);
}

function matches(
  m: FailureMatcher,
  facts: FailureFacts,
  exitCode: number | undefined,
): boolean {
  if (!same(facts.state, m.states)) return false;
  if (!same(facts.reason, m.reasons)) return false;
  if (!codeMatches(facts.errorCode, m.codes)) return false;
  if (
    m.message &&
    !m.message.test(`${facts.message ?? ''}\n${facts.reason ?? ''}`)
  )
    return false;
  if (
    m.exitCodes &&
    (exitCode === undefined || !m.exitCodes.includes(exitCode))
  )
    return false;
  if (m.nonZeroExitCode && (exitCode === undefined || exitCode === 0))
    return false;
  return true;
}

/** `30 seconds`, `1 second`, `3 minutes`; `a minute` when unknown. */
function retryAfterText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0)
    return 'a minute';
  const s = Math.ceil(seconds);
  if (s <= 1) return '1 second';
  if (s < 120) return `${s} seconds`;
  return `${Math.ceil(s / 60)} minutes`;
}

/**
 * The explanation of `entry` with its placeholders filled from `facts`.
 * @public
 */
export function renderFailureExplanation(
  entry: FailureExplanationEntry,
  facts: FailureFacts = {},
): FailureExplanation {
  const exitCode = facts.exitCode ?? exitCodeOf(facts.message);
  const fill = (text: string) =>
    text
      .replace(
        /\{exitCode\}/g,
        exitCode === undefined ? 'unknown' : String(exitCode),
      )
      .replace(/\{retryAfter\}/g, retryAfterText(facts.retryAfterSeconds));
  return {
    id: entry.id,
    title: fill(entry.title),
    explanation: fill(entry.explanation),
    action: fill(entry.action),
    ...(entry.look ? { look: entry.look } : {}),
    retryable: entry.retryable === true,
    ...(exitCode !== undefined ? { exitCode } : {}),
  };
}

/**
 * The explanation of a failure: the first entry of {@link FAILURE_EXPLANATIONS} that matches
 * `facts`, or undefined when nothing is known to be wrong (a Running sandbox, an unknown code).
 * @example
 * explainFailure({ state: 'Failed', reason: 'CONTAINER_EXITED_ERROR', message: 'Sandbox container exited with code 137.' })
 * // -> { id: 'exit-137', title: 'The program was killed (exit code 137), most often for using too much memory', ... }
 * @public
 */
export function explainFailure(
  facts: FailureFacts,
): FailureExplanation | undefined {
  const exitCode = facts.exitCode ?? exitCodeOf(facts.message);
  const entry = FAILURE_EXPLANATIONS.find(e =>
    e.when.some(m => matches(m, facts, exitCode)),
  );
  return entry ? renderFailureExplanation(entry, facts) : undefined;
}

/**
 * The explanation of a sandbox's status (`status.state`, `.reason`, `.message`); undefined for
 * states that are not a problem.
 * @public
 */
export function explainSandboxStatus(
  status: { state?: string; reason?: string; message?: string } | undefined,
): FailureExplanation | undefined {
  if (!status) return undefined;
  return explainFailure({
    state: status.state,
    reason: status.reason,
    message: status.message,
  });
}
