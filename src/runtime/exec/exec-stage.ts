/**
 * `repro exec <experiment> <stage>`, the command DVC runs for one stage: read the stage as the compile
 * resolved it (`.repro/stages/<stage>.json`: paths, params key, `<module>#<export>`), import only that
 * stage's module — never an experiment — and re-validate its params as they stand in params.yaml (so hand
 * edits and `dvc exp run -S` overrides get a clear error before any work); give `run` temporary output
 * paths and rename them into place only when it resolves; then write the declared metrics and plots. A
 * failed or interrupted stage leaves its outputs absent, never half-written.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { resolveParamsSchema } from '../../dsl/params-schema.js';
import type { StageDefinition, StageLogger } from '../../dsl/stage.js';
import { ReproError } from '../../errors.js';
import { canonicalJson } from '../../kit/canonical-json.js';
import { JOURNAL_ENV, LOG_DIR, PARAMS_FILE } from '../compile/paths.js';
import { findResolvedStage, type ResolvedStage } from '../compile/resolved-stage.js';
import { ensureTypeScriptLoader } from '../compile/typescript-loader.js';
import { enterDeterministicMode } from '../../kit/deterministic-mode.js';
import { readTextIfExists, tempSibling, writeJson } from '../../kit/fs-atomic.js';
import { applyRecordedThreads, backendKindOf, describeBackend, loadTensorflow, type Tf } from '../../kit/tf-backend.js';
import { grantedCpus } from './granted-cpus.js';
import { prepareWorkDir, removeStaleTemps, removeWorkDir } from './work-dir.js';

/** The environment variable `repro run` names its journal in; exec appends a line per finished stage. */
export { JOURNAL_ENV };

export interface ExecOptions {
  /** receives the stage's log lines, already prefixed */
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** file to append `{"stage": name, "seconds": wall time}` to after success (set by `repro run` through the environment) */
  readonly journal?: string | undefined;
}

export interface ExecResult {
  readonly stage: string;
  readonly outputs: readonly string[];
  readonly metrics: readonly string[];
}

/** Runs one stage of one experiment. */
export async function execStage(root: string, experimentName: string, stageId: string, options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  const { stage, definition } = await loadStage(root, experimentName, stageId);
  const params = await readStageParams(root, stage, definition);
  const logger = prefixedLogger(stage.name, options.log);
  const backend = await prepareBackend(root, stage);
  logger.info(`start (node ${process.version}${backend ? `, backend ${backend.description}` : ''})`);
  await removeStaleTemps(root, Object.values(stage.outputs));
  const work = await prepareWorkDir({ root, stageName: stage.name, params, fingerprintFile: stage.fingerprintFile, inputs: stage.inputs });
  if (work.discarded.length > 0) logger.info(`discarded unfinished work of another configuration (${work.discarded.join(', ')})`);
  if (work.resumed) logger.info(`resuming from unfinished work in ${relative(root, work.path)}`);
  const temps = new Map<string, string>();
  for (const [name, final] of Object.entries(stage.outputs)) {
    const temp = tempSibling(join(root, final));
    await mkdir(stage.outputKinds[name] === 'dir' ? temp : dirname(temp), { recursive: true });
    temps.set(name, temp);
  }
  const cleanup = () => Promise.all([...temps.values()].map((t) => rm(t, { recursive: true, force: true })));
  let result;
  try {
    options.signal.throwIfAborted();
    result = await definition.run({
      params,
      inputs: Object.fromEntries(Object.entries(stage.inputs).map(([k, p]) => [k, join(root, p)])),
      outputs: Object.fromEntries(temps),
      seed: seedOf(params, stage.name),
      log: logger,
      workDir: work.path,
      resuming: work.resumed,
      logDir: join(root, LOG_DIR, stage.name),
      signal: options.signal,
      cpus: grantedCpus(stage.resources.cpus),
      tf: backend?.tf ?? withoutTensorflow(stage.name),
    });
  } catch (error) {
    await cleanup();
    const resumable = (await readdir(work.path).catch(() => [])).length > 0;
    const resumeNote = resumable ? `; a rerun resumes from ${relative(root, work.path)}` : '';
    if (options.signal.aborted) {
      throw new ReproError('INTERRUPTED', `stage '${stage.name}' was interrupted; its outputs were not written${resumeNote}`, {
        cause: error,
        hint: `run \`repro run ${experimentName}\` to continue`,
      });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReproError('STAGE_FAILED', `stage '${stage.name}' failed: ${reason}${resumeNote}`, {
      cause: error,
      hint: `fix the cause, then run \`repro run ${experimentName}\` (or \`repro exec ${experimentName} ${stageId}\` to try this stage alone)`,
    });
  }
  const metrics = result?.metrics ?? {};
  const missing = Object.keys(stage.metrics).filter((m) => !(m in metrics));
  if (missing.length > 0) {
    await cleanup();
    throw new ReproError('STAGE_FAILED', `stage '${stage.name}' declared metrics '${missing.join("', '")}', received none from run()`);
  }
  for (const [name, temp] of temps) {
    const final = join(root, stage.outputs[name]!);
    await rm(final, { recursive: true, force: true });
    await rename(temp, final);
  }
  for (const [name, path] of Object.entries(stage.metrics)) await writeJson(join(root, path), metrics[name]);
  for (const [name, path] of Object.entries(stage.plots)) await writeJson(join(root, path), result?.plots?.[name] ?? []);
  await removeWorkDir(root, stage.name);
  const seconds = Math.round(performance.now() - started) / 1000;
  if (options.journal) await appendFile(options.journal, `${JSON.stringify({ stage: stage.name, seconds })}\n`);
  logger.info('done');
  return { stage: stage.name, outputs: Object.values(stage.outputs), metrics: Object.values(stage.metrics) };
}

/** The resolved stage for `<experiment>/<id>` and its definition, imported from the module the compile recorded. */
async function loadStage(root: string, experimentName: string, stageId: string): Promise<{ stage: ResolvedStage; definition: StageDefinition }> {
  const stage = await findResolvedStage(root, experimentName, stageId);
  const [module = '', exportName = ''] = stage.entry.split('#');
  await ensureTypeScriptLoader();
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(join(root, module)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ReproError('STAGE_FAILED', `stage '${stage.name}' expected its module '${module}' to load, received: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, {
      cause: error,
      hint: 'run `repro compile` to see the problem with its file and line',
    });
  }
  const definition = exports[exportName] as StageDefinition | undefined;
  if (definition?.id !== stage.stage) {
    throw new ReproError('STAGE_NOT_FOUND', `stage '${stage.name}' expected '${module}' to export '${exportName}' defining stage '${stage.stage}', received ${definition ? `stage '${String(definition.id)}'` : 'no such export'}`, {
      hint: 'run `repro compile` to regenerate .repro/stages/',
    });
  }
  return { stage, definition };
}

/** The stage's params as params.yaml holds them now, validated against its schema. */
async function readStageParams(root: string, stage: ResolvedStage, definition: StageDefinition): Promise<Record<string, unknown>> {
  const text = await readTextIfExists(join(root, PARAMS_FILE));
  if (text === undefined) {
    throw new ReproError('PARAMS_INVALID', `${PARAMS_FILE} expected at the project root, received no file`, { hint: 'run `repro compile`' });
  }
  const tree = (parseYaml(text) ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const raw = tree[stage.experiment]?.[stage.id] ?? {};
  const checked = (await resolveParamsSchema(definition.params)).check(raw);
  if (checked.ok) return checked.value;
  throw new ReproError('PARAMS_INVALID', `${PARAMS_FILE} '${stage.paramsKey}' does not fit stage '${stage.stage}'`, {
    issues: checked.violations.map((v) => ({ code: 'PARAMS_INVALID' as const, file: PARAMS_FILE, message: v.message.replace(/param '/g, `param '${stage.paramsKey}.`) })),
    hint: `fix ${PARAMS_FILE} (or the -S override), or run \`repro compile --force\` to regenerate it from experiments/${stage.experiment}.ts`,
  });
}

/**
 * For a stage whose fingerprint records a tensor backend (its code imports TensorFlow.js), load exactly
 * that backend, with the thread counts it records unless the environment sets its own, and make it active
 * before `run`; refuse when this machine's backend is not the one the
 * fingerprint promised, since the result would be labelled with the wrong backend.
 */
async function prepareBackend(root: string, stage: ResolvedStage): Promise<{ description: string; tf: Tf } | undefined> {
  const text = await readTextIfExists(join(root, stage.fingerprintFile));
  const recorded = text ? (JSON.parse(text) as { backend?: string | null }).backend : undefined;
  if (!recorded) return undefined;
  const kind = backendKindOf(recorded);
  if (stage.deterministic) enterDeterministicMode();
  applyRecordedThreads(recorded);
  const here = describeBackend(kind);
  if (here !== recorded) {
    throw new ReproError('BACKEND_UNAVAILABLE', `stage '${stage.name}' expected backend '${recorded}' (its fingerprint), received '${here}' on this machine`, {
      hint: 'run `repro run` (it recompiles the fingerprints for this machine), or `repro run --backend <kind>`',
    });
  }
  return { description: recorded, tf: await loadTensorflow(kind) };
}

/** What a stage without TensorFlow.js in its fingerprint gets as `ctx.tf`: any use names the cause. */
function withoutTensorflow(stageName: string): Tf {
  return new Proxy({} as Tf, {
    get(_target, key) {
      throw new ReproError('BACKEND_UNAVAILABLE', `stage '${stageName}' used ctx.tf.${String(key)}, expected a stage whose code imports @tensorflow/tfjs (its fingerprint records no tensor backend)`, {
        hint: "declare `packages: ['@tensorflow/tfjs-core']` in the stage's defineStage (type-only imports are not code the fingerprint follows), then run `repro compile`",
      });
    },
  });
}

/** `params.seed` when the stage has one; otherwise a stable number derived from the params. */
function seedOf(params: Record<string, unknown>, stageName: string): number {
  if (typeof params.seed === 'number') return params.seed;
  return createHash('sha256').update(`${stageName}\0${canonicalJson(params)}`).digest().readUInt32BE(0) >>> 1;
}

function prefixedLogger(stageName: string, write: (line: string) => void): StageLogger {
  return {
    info: (message) => write(`[${stageName}] ${message}`),
    warn: (message) => write(`[${stageName}] warning: ${message}`),
  };
}
