/**
 * The one error type of repro. Every failure a user can cause or fix is a `ReproError` with a stable
 * `code` from `ERROR_CODES`, a message that goes what → expected → received, an optional `hint` that is
 * the literal next command, and optional `issues` when several problems are reported at once. Only
 * `src/cli/report-error.ts` turns these into text with colour and an exit code.
 */

/** Stable error codes: the public API of failures. */
export const ERROR_CODES = {
  EXPERIMENT_INVALID: 'the experiment does not validate',
  EXPERIMENT_NOT_FOUND: 'no experiment file with that name',
  EXPERIMENT_LOAD_FAILED: 'the experiment file could not be loaded',
  STAGE_NOT_FOUND: 'no stage with that name in the experiment',
  PARAMS_INVALID: 'params failed their schema',
  PARAMS_EDITED: 'params.yaml was edited by hand',
  DATA_MISSING: 'a data path does not exist',
  OUTPUT_CONFLICT: 'two stages write one output',
  GRAPH_CYCLE: 'the stage graph has a cycle',
  STAGE_FAILED: 'a stage threw',
  CHECKPOINT_INVALID: 'a model checkpoint could not be read or does not fit the network',
  DVC_FAILED: 'a dvc command failed',
  GIT_FAILED: 'a git command failed',
  DVC_MISSING: 'the project-local dvc is not installed',
  BACKEND_UNAVAILABLE: 'the requested tensor backend could not be loaded',
  RUN_NOT_FOUND: 'no DVC experiment, git commit or ref with that name',
  CACHE_MISSING: 'an output of a run is not in the local DVC cache',
  REMOTE_NOT_CONFIGURED: 'no git or DVC remote to share a run through',
  WORKSPACE_CHANGED: 'the workspace has changes a command would overwrite',
  VERIFY_FAILED: 'a shared run does not match its pin manifest',
  RECOMPUTE_DIVERGED: 'a stage recomputed from a run\'s pinned inputs diverged beyond its tolerance',
  PIN_MISMATCH: 'this machine differs from a pinned environment',
  RUN_IN_PROGRESS: 'another run holds the repository',
  CONFIG_INVALID: 'repro.config.json does not hold valid settings',
  SLURM_UNAVAILABLE: 'the Slurm commands are missing or the cluster does not answer',
  USAGE: 'bad command-line usage',
  INTERRUPTED: 'interrupted by a signal',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem among several, located in a file when that is known. */
export interface Issue {
  /** stable code of this issue */
  code: ErrorCode;
  /** what → expected → received, lower-case, no final period */
  message: string;
  /** project-relative file the issue is in, when known */
  file?: string | undefined;
  /** 1-based line in `file`, when known */
  line?: number | undefined;
}

export interface ReproErrorOptions {
  /** the literal next command, e.g. "run `repro compile`" */
  hint?: string | undefined;
  /** the error that caused this one */
  cause?: unknown;
  /** every issue when several were found at once */
  issues?: readonly Issue[] | undefined;
}

export class ReproError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, message: string, options: ReproErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReproError';
    this.code = code;
    this.hint = options.hint;
    this.issues = options.issues ?? [];
  }
}

/** Formats an issue location as `file:line`, or '' when unknown. */
export function formatLocation(issue: Pick<Issue, 'file' | 'line'>): string {
  if (issue.file === undefined) return '';
  return issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
}

/** Describes a received value for an error message: `-1 (number)`, `'abc' (string)`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `${JSON.stringify(value)} (array)`;
  if (typeof value === 'object') return `${JSON.stringify(value)} (object)`;
  return `${String(value)} (${typeof value})`;
}
