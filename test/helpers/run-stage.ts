/**
 * Runs one stage's `run` directly, the way `repro exec` prepares it but without DVC: params validated
 * (defaults applied) by the stage's own schema, folder outputs created, outputs the caller does not name
 * put in a fresh temp folder (so a stage gaining an output breaks no test that ignores it), a silent
 * logger and a live signal unless the caller passes others, and TensorFlow.js on this machine's backend.
 * For stage tests and benchmarks.
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveParamsSchema } from '../../src/dsl/params-schema.js';
import type { StageDefinition, StageLogger, StageResult } from '../../src/dsl/stage.js';
import { loadTensorflow, type Tf } from '../../src/kit/tf-backend.js';

export interface DirectRun {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  seed?: number;
  log?: StageLogger;
  signal?: AbortSignal;
  /** resumable work folder @default a fresh temp folder */
  workDir?: string;
  /** untracked log folder @default a fresh temp folder */
  logDir?: string;
  /** cores the stage may keep busy @default this machine's */
  cpus?: number;
  /** TensorFlow.js @default this machine's backend, loaded */
  tf?: Tf;
}

export const SILENT: StageLogger = { info: () => {}, warn: () => {} };

/** Validates `params` with the stage's schema and runs it; throws on invalid params, naming them. */
export async function runStageDirectly(stage: StageDefinition, params: object, run: DirectRun): Promise<StageResult> {
  const checked = (await resolveParamsSchema(stage.params)).check(params);
  if (!checked.ok) throw new Error(`params for '${stage.id}' do not validate: ${checked.violations.map((v) => v.message).join('; ')}`);
  const outputs = { ...run.outputs };
  const unnamed = Object.keys(stage.outputs).filter((name) => outputs[name] === undefined);
  if (unnamed.length > 0) {
    const spare = await mkdtemp(join(tmpdir(), 'repro-outputs-'));
    for (const name of unnamed) outputs[name] = join(spare, stage.outputs[name]!.kind === 'file' ? (stage.outputs[name]!.fileName ?? name) : name);
  }
  for (const [name, path] of Object.entries(outputs)) {
    if (stage.outputs[name]?.kind === 'dir') await mkdir(path, { recursive: true });
  }
  const result = await stage.run({
    params: checked.value as never,
    inputs: run.inputs as never,
    outputs: outputs as never,
    seed: run.seed ?? 0,
    log: run.log ?? SILENT,
    signal: run.signal ?? new AbortController().signal,
    workDir: run.workDir ?? (await mkdtemp(join(tmpdir(), 'repro-work-'))),
    logDir: run.logDir ?? (await mkdtemp(join(tmpdir(), 'repro-logs-'))),
    resuming: run.workDir !== undefined && (await readdir(run.workDir).catch(() => [])).length > 0,
    cpus: run.cpus ?? availableParallelism(),
    tf: run.tf ?? (await loadTensorflow()),
  });
  return result ?? {};
}
