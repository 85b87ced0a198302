import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  explainFailure,
  explainSandboxStatus,
  exitCodeOf,
  FAILURE_EXPLANATIONS,
  FailureFacts,
} from './failureExplanations';

type Expected = {
  id: string;
  title: string;
  explanation: string;
  action: string;
  look?: string;
  retryable?: boolean;
};

const READ_LOGS_AND_FIX =
  'Read the logs for the last messages before the exit, then fix the entrypoint, environment variables or image and create the sandbox again.';

/**
 * One row per entry of the table (and more for entries with several ways to match): what
 * OpenSandbox or the console reports, and the exact texts the user reads.
 */
const CASES: Array<[string, FailureFacts, Expected]> = [
  [
    'a Kubernetes pod waiting with InvalidImageName',
    {
      state: 'Pending',
      reason: 'InvalidImageName',
      message:
        'Failed to apply default image tag "Python:3": couldn\'t parse image reference',
    },
    {
      id: 'invalid-image-name',
      title: 'The image name is not valid',
      explanation:
        'The image reference is not a valid name: it may contain upper-case letters or spaces, or a misplaced tag or digest.',
      action:
        'Write the image as [registry/]repository[:tag], for example python:3.12-slim or ghcr.io/acme/app:1.4, and create the sandbox again.',
    },
  ],
  [
    'a create refused with DOCKER::SANDBOX_IMAGE_PULL_FAILED (audit row)',
    {
      errorCode: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
      message:
        'Failed to pull image ghcr.io/example/does-not-exist:latest: 500 Server Error',
    },
    {
      id: 'image-pull',
      title: 'The image could not be pulled',
      explanation:
        'OpenSandbox could not download the container image: the name or tag may be misspelt or not exist, the registry may be unreachable, or a private registry refused access because no or wrong credentials were given.',
      action:
        'Check the image name and tag (for example with docker pull on your machine) and, for a private registry, give registry credentials; then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'a Kubernetes pod reason ImagePullBackOff',
    {
      state: 'Pending',
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "registry.example.com/app:9"',
    },
    {
      id: 'image-pull',
      title: 'The image could not be pulled',
      explanation:
        'OpenSandbox could not download the container image: the name or tag may be misspelt or not exist, the registry may be unreachable, or a private registry refused access because no or wrong credentials were given.',
      action:
        'Check the image name and tag (for example with docker pull on your machine) and, for a private registry, give registry credentials; then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'a failed BatchSandbox whose message names ErrImagePull',
    {
      state: 'Failed',
      reason: 'FAILED',
      message: 'container sandbox: ErrImagePull: rpc error: code = NotFound',
    },
    {
      id: 'image-pull',
      title: 'The image could not be pulled',
      explanation:
        'OpenSandbox could not download the container image: the name or tag may be misspelt or not exist, the registry may be unreachable, or a private registry refused access because no or wrong credentials were given.',
      action:
        'Check the image name and tag (for example with docker pull on your machine) and, for a private registry, give registry credentials; then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'KUBERNETES::QUOTA_EXCEEDED',
    {
      errorCode: 'KUBERNETES::QUOTA_EXCEEDED',
      message: 'exceeded quota: compute-resources, requested: limits.cpu=1',
    },
    {
      id: 'quota-exceeded',
      title: 'The cluster quota for sandboxes is used up',
      explanation:
        'The Kubernetes namespace that runs the sandboxes has a resource quota (CPU, memory or number of pods), and this sandbox would exceed it. OpenSandbox refused it before starting anything.',
      action:
        'Delete sandboxes you no longer need or ask for less CPU and memory; if the team needs more, ask the platform team to raise the namespace quota.',
    },
  ],
  [
    'KUBERNETES::POOL_CAPACITY_EXHAUSTED with Retry-After 45',
    { errorCode: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED', retryAfterSeconds: 45 },
    {
      id: 'pool-exhausted',
      title: 'No pre-started sandbox is free right now',
      explanation:
        'This sandbox comes from a pool of pre-started sandboxes, and none became free before OpenSandbox stopped waiting. Nothing was created.',
      action:
        'Try again in 45 seconds. If it keeps happening, ask the platform team to enlarge the pool.',
      retryable: true,
    },
  ],
  [
    "the console's CapacityExhaustedError without a delay",
    { errorCode: 'CapacityExhaustedError' },
    {
      id: 'pool-exhausted',
      title: 'No pre-started sandbox is free right now',
      explanation:
        'This sandbox comes from a pool of pre-started sandboxes, and none became free before OpenSandbox stopped waiting. Nothing was created.',
      action:
        'Try again in a minute. If it keeps happening, ask the platform team to enlarge the pool.',
      retryable: true,
    },
  ],
  [
    "the console's team quota (QuotaExceededError)",
    {
      errorCode: 'QuotaExceededError',
      message: 'team-a has 10 of 10 sandboxes (quota maxSandboxes = 10)',
    },
    {
      id: 'team-quota',
      title: 'The team has reached its sandbox quota',
      explanation:
        'The console limits how many sandboxes a team may have at once, and this team is at its limit. Nothing was sent to OpenSandbox.',
      action:
        "Delete sandboxes the team no longer needs, or ask a console administrator to raise the team's quota.",
    },
  ],
  [
    "the console's team cap (CapExceededError)",
    {
      errorCode: 'CapExceededError',
      message: 'team-a may give a sandbox at most 2 CPU (cap maxCpu = 2)',
    },
    {
      id: 'team-cap',
      title: "The request is beyond the team's limits",
      explanation:
        "The console caps what a team's sandboxes may ask for: the longest timeout or renewal, the largest CPU and memory, and the allowed image registries. The request asked for more than the cap the message names.",
      action:
        'Change the field the message names to fit the cap, or ask a console administrator whether the cap can be raised.',
    },
  ],
  [
    "upstream's maximum timeout (SANDBOX::INVALID_PARAMETER)",
    {
      errorCode: 'SANDBOX::INVALID_PARAMETER',
      message:
        'Sandbox timeout 90000s exceeds the configured maximum of 86400s.',
    },
    {
      id: 'max-timeout',
      title: 'The timeout is longer than allowed',
      explanation:
        "Sandboxes may live at most a fixed time: OpenSandbox's server.max_sandbox_timeout_seconds and the console's opensandbox.maxTimeoutSeconds. This request asked for a longer timeout.",
      action:
        'Choose a shorter timeout, and renew the sandbox later if you need it for longer.',
    },
  ],
  [
    'KUBERNETES::POD_READY_TIMEOUT',
    {
      errorCode: 'KUBERNETES::POD_READY_TIMEOUT',
      message: 'Timeout waiting for sandbox to become ready',
    },
    {
      id: 'pod-ready-timeout',
      title: 'The sandbox did not start in time',
      explanation:
        'OpenSandbox waits a limited time (60 seconds by default on Kubernetes) for a new sandbox to run. A slow image pull or a pod that cannot be scheduled takes longer, so OpenSandbox removed the sandbox.',
      action:
        'Try again, preferably with a smaller image or one the nodes already have. If it keeps happening, ask the platform team whether the cluster is short of capacity.',
      retryable: true,
    },
  ],
  [
    'pause on the agent-sandbox provider (KUBERNETES::INVALID_STATE, 400)',
    {
      errorCode: 'KUBERNETES::INVALID_STATE',
      message: 'Pause is not supported for this sandbox type',
    },
    {
      id: 'pause-unsupported',
      title: 'This OpenSandbox runtime cannot pause sandboxes',
      explanation:
        'Pause and resume depend on the runtime behind OpenSandbox: the Kubernetes agent-sandbox provider does not support them, so the sandbox keeps running.',
      action:
        'Leave the sandbox running (renew it if you need more time), or delete it and create a new one when you need it again.',
    },
  ],
  [
    'DOCKER::SANDBOX_PAUSE_FAILED',
    {
      errorCode: 'DOCKER::SANDBOX_PAUSE_FAILED',
      message:
        'Failed to pause sandbox container: 409 Client Error ... is already paused',
    },
    {
      id: 'pause-failed',
      title: 'OpenSandbox could not pause the sandbox',
      explanation:
        'The runtime refused to pause the container. On Docker this happens when the sandbox is already paused, for example when two people or a retry paused it at the same time.',
      action:
        'Refresh: if the sandbox shows Paused, nothing more is needed; otherwise try again later.',
    },
  ],
  [
    'DOCKER::SANDBOX_RESUME_FAILED',
    { errorCode: 'DOCKER::SANDBOX_RESUME_FAILED' },
    {
      id: 'resume-failed',
      title: 'OpenSandbox could not resume the sandbox',
      explanation: 'The runtime refused to resume the paused container.',
      action:
        'Refresh and try again; if it fails again, look at the events and create a new sandbox instead.',
      look: 'events',
    },
  ],
  [
    'DOCKER::SANDBOX_START_FAILED',
    { errorCode: 'DOCKER::SANDBOX_START_FAILED' },
    {
      id: 'start-failed',
      title: 'OpenSandbox could not start the sandbox',
      explanation:
        'The image was there but the container did not start: the entrypoint may be missing from the image, the resources may be too small, or the runtime reported an error.',
      action:
        'Check the entrypoint and the image, look at the events while the sandbox is still listed, then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'a Docker provisioning error (Failed / PROVISIONING_ERROR)',
    {
      state: 'Failed',
      reason: 'PROVISIONING_ERROR',
      message: 'Failed to provision sandbox.',
    },
    {
      id: 'start-failed',
      title: 'OpenSandbox could not start the sandbox',
      explanation:
        'The image was there but the container did not start: the entrypoint may be missing from the image, the resources may be too small, or the runtime reported an error.',
      action:
        'Check the entrypoint and the image, look at the events while the sandbox is still listed, then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'DOCKER::SANDBOX_NOT_FOUND',
    {
      errorCode: 'DOCKER::SANDBOX_NOT_FOUND',
      message: 'Sandbox 123 not found.',
    },
    {
      id: 'not-found',
      title: 'The sandbox no longer exists',
      explanation:
        'OpenSandbox does not know this sandbox any more: it was deleted, or it expired and was removed.',
      action: 'Nothing to undo; create a new sandbox if you still need one.',
    },
  ],
  [
    'DOCKER::INVALID_EXPIRATION',
    {
      errorCode: 'DOCKER::INVALID_EXPIRATION',
      message: 'New expiration time must be in the future.',
    },
    {
      id: 'invalid-expiration',
      title: 'The new expiry was refused',
      explanation:
        'OpenSandbox accepts only an expiry in the future, and only for sandboxes that expire at all: a sandbox without expiration cannot be renewed.',
      action:
        'Pick a time in the future; a sandbox without expiration needs no renewal.',
    },
  ],
  [
    "the console's state conflict (ConflictError)",
    {
      errorCode: 'ConflictError',
      message: 'Sandbox x is Paused; pause needs a Running sandbox.',
    },
    {
      id: 'state-conflict',
      title: 'The sandbox was not in a state that allows this',
      explanation:
        'Pause needs a Running sandbox, resume a Paused one, and renew a sandbox with an expiry; the sandbox was in another state when the action was asked.',
      action:
        'Refresh to see the current state, then choose the action that fits it.',
    },
  ],
  [
    'DOCKER::SANDBOX_NOT_RUNNING',
    { errorCode: 'DOCKER::SANDBOX_NOT_RUNNING' },
    {
      id: 'state-conflict',
      title: 'The sandbox was not in a state that allows this',
      explanation:
        'Pause needs a Running sandbox, resume a Paused one, and renew a sandbox with an expiry; the sandbox was in another state when the action was asked.',
      action:
        'Refresh to see the current state, then choose the action that fits it.',
    },
  ],
  [
    "the console's rate limit (RateLimitedError, 12 s)",
    { errorCode: 'RateLimitedError', retryAfterSeconds: 12 },
    {
      id: 'rate-limited',
      title: 'Too many changes in a short time',
      explanation:
        'The console limits how many changes each user or service may make per minute (opensandbox.rateLimits), and this caller used up its allowance.',
      action:
        'Try again in 12 seconds; spread automated changes out, or ask a console administrator for a higher limit.',
      retryable: true,
    },
  ],
  [
    "the console's PermissionPolicyError",
    { errorCode: 'PermissionPolicyError' },
    {
      id: 'permission-policy',
      title: 'The permission policy could not be evaluated',
      explanation:
        'The console could not evaluate its permission policy for this action, so it denied the action to be safe.',
      action:
        'Ask a console administrator to check the backend log and fix the policy.',
    },
  ],
  [
    "the console's NotAllowedError",
    { errorCode: 'NotAllowedError' },
    {
      id: 'not-allowed',
      title: 'The role does not allow this',
      explanation:
        "The console's permission policy refused the action for this user or service on this sandbox.",
      action:
        "Ask the sandbox's team or a console administrator for a role that allows it.",
    },
  ],
  [
    'INVALID_API_KEY from upstream',
    { errorCode: 'INVALID_API_KEY' },
    {
      id: 'key-refused',
      title: "OpenSandbox refused the console's API key",
      explanation:
        'The OpenSandbox server did not accept the key the console backend sends (opensandbox.apiKey): the key was changed on the server, or the console has an old or wrong one.',
      action:
        'A console administrator must update opensandbox.apiKey (see "Rotating the OpenSandbox key" in the operator runbook) and restart the backend.',
    },
  ],
  [
    'an upstream timeout (audit UPSTREAM_TIMEOUT)',
    { errorCode: 'UPSTREAM_TIMEOUT' },
    {
      id: 'upstream-timeout',
      title: 'OpenSandbox did not answer in time',
      explanation:
        'The console stopped waiting for OpenSandbox. For a change the outcome is unknown: it may still have happened. The console settles an unknown create by itself once it finds the sandbox.',
      action:
        'Refresh in a minute to see the result. Retrying a create from the form is safe: it reuses the same Idempotency-Key.',
      retryable: true,
    },
  ],
  [
    'OpenSandbox unreachable (audit UPSTREAM_UNREACHABLE)',
    { errorCode: 'UPSTREAM_UNREACHABLE' },
    {
      id: 'upstream-unreachable',
      title: 'OpenSandbox could not be reached',
      explanation:
        'The console backend could not connect to the OpenSandbox server: it is down or restarting, or the address or network is wrong.',
      action:
        'Try again shortly; if it lasts, a console administrator should check the OpenSandbox server and opensandbox.baseUrl.',
      retryable: true,
    },
  ],
  [
    'a Kubernetes container terminated OOMKilled',
    {
      state: 'Failed',
      reason: 'FAILED',
      message:
        'Pod failed: container sandbox terminated: OOMKilled (exit code 137)',
    },
    {
      id: 'oom-killed',
      title: 'The sandbox ran out of memory',
      explanation:
        "The program used more memory than the sandbox's memory limit, so the kernel killed it (an out-of-memory kill).",
      action:
        'Create the sandbox again with a larger memory limit (for example 1Gi instead of 512Mi), or make the program use less memory.',
      look: 'logs',
    },
  ],
  [
    'a pod in CrashLoopBackOff',
    {
      state: 'Pending',
      reason: 'CrashLoopBackOff',
      message: 'back-off 5m0s restarting failed container',
    },
    {
      id: 'crash-loop',
      title: 'The sandbox keeps crashing',
      explanation:
        'The main process exits shortly after every start, and Kubernetes waits longer and longer before each restart.',
      action:
        'Read the logs for the error printed before each exit, then fix the entrypoint, environment variables or image.',
      look: 'logs',
    },
  ],
  [
    'a pod that does not fit any node (Insufficient memory)',
    {
      state: 'Pending',
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    },
    {
      id: 'insufficient-resources',
      title: 'No node has enough free CPU or memory',
      explanation:
        "Kubernetes found no node with enough unreserved CPU, memory or GPU for the sandbox's resource limits, so the sandbox cannot be scheduled.",
      action:
        'Ask for less CPU or memory; if the sandbox really needs them, ask the platform team to add capacity. Then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'POD_PLATFORM_UNSCHEDULABLE',
    {
      state: 'Failed',
      reason: 'POD_PLATFORM_UNSCHEDULABLE',
      message:
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity.",
    },
    {
      id: 'unschedulable',
      title: 'No node can run the sandbox',
      explanation:
        "Kubernetes found no node matching the sandbox's requirements, such as its platform (operating system and CPU architecture) or the cluster's placement rules.",
      action:
        'Remove or change the platform constraint (for example linux/amd64 instead of linux/arm64), or ask the platform team which platforms the cluster offers; then create the sandbox again.',
      look: 'events',
    },
  ],
  [
    'Docker: exited with code 137',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 137.',
    },
    {
      id: 'exit-137',
      title:
        'The program was killed (exit code 137), most often for using too much memory',
      explanation:
        "Exit code 137 means the main process was stopped with SIGKILL (128 + 9). Most often the kernel killed it because it used more memory than the sandbox's limit; a forced stop of the container gives the same code.",
      action:
        'Create the sandbox again with more memory (for example 1Gi instead of 512Mi) or make the program use less; the logs show what it was doing last.',
      look: 'logs',
    },
  ],
  [
    'Docker: exited with code 1',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 1.',
    },
    {
      id: 'exit-1',
      title: 'The program stopped with an error (exit code 1)',
      explanation:
        'Exit code 1 is the general error of most programs: it failed at start-up (a missing file, a wrong setting, a refused connection) or stopped on an unhandled error.',
      action:
        'Read the logs for the error message, then fix the entrypoint, environment variables or image and create the sandbox again.',
      look: 'logs',
    },
  ],
  [
    'exit code 2 given as a number',
    { state: 'Failed', exitCode: 2 },
    {
      id: 'exit-2',
      title: 'The command was used wrongly (exit code 2)',
      explanation:
        'Exit code 2 usually means the command got invalid arguments or options, or a shell script has a syntax error.',
      action:
        "Check the entrypoint's arguments against the program's usage (the logs usually print it) and create the sandbox again.",
      look: 'logs',
    },
  ],
  [
    'Docker: exited with code 126',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 126.',
    },
    {
      id: 'exit-126',
      title: 'The entrypoint could not be run (exit code 126)',
      explanation:
        'Exit code 126 means the command was found but could not be executed: the file is not executable, or it is a script or program for another system (for example with Windows line endings, or for another CPU architecture).',
      action:
        'Make the file executable in the image (chmod +x), or start it through its interpreter (for example sh script.sh), and create the sandbox again.',
      look: 'logs',
    },
  ],
  [
    'Docker: exited with code 127',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 127.',
    },
    {
      id: 'exit-127',
      title: 'The entrypoint command was not found (exit code 127)',
      explanation:
        'Exit code 127 means the command could not be found: it is not in the image, it is misspelt, or it is not on the PATH.',
      action:
        "Check the command's spelling, give its full path, or use an image that contains the program; then create the sandbox again.",
      look: 'logs',
    },
  ],
  [
    'exit code 134 (exitCode=134)',
    { state: 'Failed', message: 'container terminated: exitCode=134' },
    {
      id: 'exit-134',
      title: 'The program aborted (exit code 134)',
      explanation:
        'Exit code 134 means the process stopped itself with SIGABRT (128 + 6), usually after a failed assertion or a fatal runtime error.',
      action:
        'Read the logs for the assertion or fatal error just before the exit, then fix the program or its input.',
      look: 'logs',
    },
  ],
  [
    'Docker: exited with code 139',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 139.',
    },
    {
      id: 'exit-139',
      title: 'The program crashed with a segmentation fault (exit code 139)',
      explanation:
        'Exit code 139 means the process was stopped with SIGSEGV (128 + 11) after an invalid memory access: usually a bug in native code, or a program built for another platform or C library.',
      action:
        "Read the logs, try another version of the image, and check that the image matches the sandbox's platform.",
      look: 'logs',
    },
  ],
  [
    'Docker: exited with code 143',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 143.',
    },
    {
      id: 'exit-143',
      title: 'The program was asked to stop (exit code 143)',
      explanation:
        'Exit code 143 means the process ended on SIGTERM (128 + 15), the polite stop signal: someone or something stopped the sandbox, such as a delete, an expiry or a node being drained.',
      action:
        'If nobody stopped it, look at the events; if the program should keep running, make sure the entrypoint stays in the foreground.',
      look: 'events',
    },
  ],
  [
    'Docker: exited with code 3 (no entry of its own)',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 3.',
    },
    {
      id: 'exit-nonzero',
      title: 'The program stopped with exit code 3',
      explanation:
        "The sandbox's main process (its entrypoint) ended with exit code 3, so the sandbox stopped. Codes above 128 mean the process was ended by a signal (the code minus 128).",
      action: READ_LOGS_AND_FIX,
      look: 'logs',
    },
  ],
  [
    'CONTAINER_EXITED_ERROR without an exit code in the message',
    {
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container failed.',
    },
    {
      id: 'container-exited-error',
      title: 'The program stopped with an error',
      explanation:
        "The sandbox's main process (its entrypoint) ended with an error exit code, so the sandbox stopped.",
      action: READ_LOGS_AND_FIX,
      look: 'logs',
    },
  ],
  [
    'Docker: Terminated / CONTAINER_EXITED',
    {
      state: 'Terminated',
      reason: 'CONTAINER_EXITED',
      message: 'Sandbox container exited successfully.',
    },
    {
      id: 'completed',
      title: 'The program finished, so the sandbox stopped',
      explanation:
        "The sandbox's main process (its entrypoint) ended normally (exit code 0). A sandbox runs only as long as its entrypoint does.",
      action:
        'For a sandbox that stays up, use a long-running entrypoint such as a server or tail -f /dev/null; delete this one once you have what you need.',
      look: 'logs',
    },
  ],
  [
    'agent-sandbox: Terminated / SandboxExpired',
    {
      state: 'Terminated',
      reason: 'SandboxExpired',
      message: 'Sandbox has expired',
    },
    {
      id: 'expired',
      title: 'The sandbox expired',
      explanation:
        'It reached its expiry time and OpenSandbox terminated it; its files are gone.',
      action:
        'Create a new sandbox. Next time renew it before it expires, or choose a longer timeout.',
    },
  ],
  [
    'Docker: Unknown / CONTAINER_STATE_UNKNOWN',
    {
      state: 'Unknown',
      reason: 'CONTAINER_STATE_UNKNOWN',
      message: "Sandbox container is in state 'removing'.",
    },
    {
      id: 'unknown-state',
      title: "OpenSandbox cannot tell the sandbox's state",
      explanation:
        'The runtime reports a container state OpenSandbox does not know, for example while the container is being removed or when the Docker engine has a problem.',
      action:
        'Refresh in a minute; if the state stays Unknown, look at the events and the inspect output, and delete the sandbox if it is of no use.',
      look: 'events',
    },
  ],
  [
    'Kubernetes: Failed / FAILED with an unrecognised message',
    { state: 'Failed', reason: 'FAILED', message: 'BatchSandbox failed' },
    {
      id: 'failed',
      title: 'The sandbox failed',
      explanation:
        'OpenSandbox reports a critical error for this sandbox; its reason and message say what the runtime saw.',
      action:
        'Look at the events and logs for the cause. A failed sandbox does not recover: delete it and create a new one once the cause is fixed.',
      look: 'events',
    },
  ],
  [
    'Terminated without a known reason',
    { state: 'Terminated', reason: 'user_delete' },
    {
      id: 'terminated',
      title: 'The sandbox has stopped',
      explanation:
        'The sandbox is terminated: its program ended or it was stopped, and it does not run any more.',
      action:
        'Delete it once you no longer need its details, and create a new sandbox to continue.',
      look: 'logs',
    },
  ],
];

describe('failure explanations', () => {
  it.each(CASES)('explains %s', (_name, facts, expected) => {
    const got = explainFailure(facts);
    expect(got).toBeDefined();
    expect({
      ...got,
      exitCode: undefined,
      retryable: got!.retryable || undefined,
    }).toEqual({
      ...expected,
      exitCode: undefined,
      look: expected.look,
      retryable: expected.retryable,
    });
  });

  it('has a case for every entry of the table, and unique ids', () => {
    const ids = FAILURE_EXPLANATIONS.map(e => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const covered = new Set(CASES.map(([, , expected]) => expected.id));
    expect(ids.filter(id => !covered.has(id))).toEqual([]);
  });

  it('is listed entry by entry in the operator runbook (docs/operations.md)', () => {
    // Table cells compared without the padding a formatter adds to align columns.
    const runbook = readFileSync(
      join(__dirname, '..', '..', '..', 'docs', 'operations.md'),
      'utf8',
    ).replace(/ {2,}/g, ' ');
    const missing = FAILURE_EXPLANATIONS.filter(
      e =>
        !runbook.includes(`| \`${e.id}\` | `) ||
        !runbook.includes(` | ${e.title} | ${e.action} |`),
    );
    expect(missing.map(e => e.id)).toEqual([]);
  });

  it.each([
    ['Running', 'CONTAINER_RUNNING', 'Sandbox container is running.'],
    ['Paused', 'CONTAINER_PAUSED', 'Sandbox container is paused.'],
    ['Pending', 'CONTAINER_STARTING', 'Sandbox container is starting.'],
    ['Running', 'POD_READY_WITH_IP', 'Pod is ready with IP (1/1 ready)'],
    ['Allocated', 'IP_ASSIGNED', 'Pod has IP assigned but not ready'],
    ['Pending', 'BATCHSANDBOX_PENDING', 'BatchSandbox is pending allocation'],
  ])('has nothing to explain for %s / %s', (state, reason, message) => {
    expect(explainFailure({ state, reason, message })).toBeUndefined();
  });

  it('has nothing to explain for an unknown error code', () => {
    expect(explainFailure({ errorCode: 'SOMETHING::NEW' })).toBeUndefined();
    expect(explainFailure({})).toBeUndefined();
  });

  it('matches codes with or without the runtime prefix, and reasons and states case-insensitively', () => {
    expect(explainFailure({ errorCode: 'SANDBOX_IMAGE_PULL_FAILED' })?.id).toBe(
      'image-pull',
    );
    expect(
      explainFailure({ errorCode: 'KUBERNETES::QUOTA_EXCEEDED' })?.id,
    ).toBe('quota-exceeded');
    expect(
      explainFailure({
        state: 'failed',
        reason: 'container_exited_error',
        message: 'exited with code 137',
      })?.id,
    ).toBe('exit-137');
  });

  it('reports the exit code it read, and prefers a given exit code over the message', () => {
    expect(
      explainFailure({
        state: 'Failed',
        message: 'Sandbox container exited with code 137.',
      })?.exitCode,
    ).toBe(137);
    expect(
      explainFailure({
        state: 'Failed',
        exitCode: 127,
        message: 'exited with code 1',
      })?.id,
    ).toBe('exit-127');
  });

  it('turns long retry hints into minutes', () => {
    expect(
      explainFailure({
        errorCode: 'POOL_CAPACITY_EXHAUSTED',
        retryAfterSeconds: 300,
      })?.action,
    ).toBe(
      'Try again in 5 minutes. If it keeps happening, ask the platform team to enlarge the pool.',
    );
    expect(
      explainFailure({
        errorCode: 'POOL_CAPACITY_EXHAUSTED',
        retryAfterSeconds: 1,
      })?.action,
    ).toBe(
      'Try again in 1 second. If it keeps happening, ask the platform team to enlarge the pool.',
    );
  });

  it('explains a sandbox status', () => {
    expect(
      explainSandboxStatus({
        state: 'Failed',
        reason: 'CONTAINER_EXITED_ERROR',
        message: 'Sandbox container exited with code 137.',
      })?.id,
    ).toBe('exit-137');
    expect(explainSandboxStatus(undefined)).toBeUndefined();
    expect(
      explainSandboxStatus({ state: 'Running', reason: 'CONTAINER_RUNNING' }),
    ).toBeUndefined();
  });

  it.each([
    ['Sandbox container exited with code 137.', 137],
    ['exit code: 1', 1],
    ['exitCode=139', 139],
    ['container terminated (exit code 143)', 143],
    ['Exited with code 0', 0],
    ['no code here', undefined],
    [undefined, undefined],
  ])('reads the exit code of %p', (message, code) => {
    expect(exitCodeOf(message)).toBe(code);
  });
});
