/**
 * Runs a planned stage on this machine as DVC would: its dvc.yaml command through `sh -c` in the project
 * root, with the run's journal and backend in the environment, its granted cores in `REPRO_CPUS`
 * (`ctx.cpus`) and, for a stage granted GPUs, their ids in `CUDA_VISIBLE_DEVICES`. Its output goes whole to
 * `runs/logs/<stage>.log` (replaced each run) and line by line, prefixed with `[<stage>] `, to `onOutput`,
 * so parallel stages stay readable. An abort sends it
 * SIGINT (a stage cleans up and keeps its work folder for a resume), then SIGKILL after a grace period.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { LOG_DIR } from '../compile/paths.js';
import { CPUS_ENV } from '../exec/granted-cpus.js';
import type { Executor, StageOutcome } from './run-plan.js';

/** Lines of output an outcome keeps for the error message. */
const TAIL_LINES = 20;

export interface LocalExecutorOptions {
  readonly root: string;
  /** variables every stage gets (the journal, the backend) */
  readonly env: Readonly<Record<string, string>>;
  readonly onOutput?: ((chunk: string) => void) | undefined;
}

export function localExecutor(options: LocalExecutorOptions): Executor {
  return {
    async run(stage, grant, signal): Promise<StageOutcome> {
      const log = join(LOG_DIR, `${stage.name}.log`);
      await mkdir(join(options.root, LOG_DIR), { recursive: true });
      const file = createWriteStream(join(options.root, log));
      const tail: string[] = [];
      let partial = '';
      const take = (chunk: Buffer) => {
        file.write(chunk);
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) emit(line);
      };
      const emit = (line: string) => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        // `repro exec` prefixes its own lines already
        options.onOutput?.(line.startsWith(`[${stage.name}]`) ? `${line}\n` : `[${stage.name}] ${line}\n`);
      };
      const env = { ...options.env, [CPUS_ENV]: String(grant.resources.cpus), ...(grant.gpus.length > 0 ? { CUDA_VISIBLE_DEVICES: grant.gpus.join(',') } : {}) };
      // `exec`: the shell becomes the stage's process, so the SIGINT of an abort reaches the stage itself.
      const child = execa('sh', ['-c', `exec ${stage.cmd}`], { cwd: options.root, env, reject: false, all: true, buffer: false, stdin: 'ignore', cancelSignal: signal, forceKillAfterDelay: 30_000, killSignal: 'SIGINT' });
      child.all?.on('data', take);
      const result = await child;
      if (partial) emit(partial);
      await new Promise<void>((resolve) => file.end(resolve));
      const ok = result.exitCode === 0 && !result.isCanceled;
      const reason = ok ? undefined : result.isCanceled ? 'interrupted' : result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
      return { ok, tail: tail.join('\n'), log, ...(reason ? { reason } : {}) };
    },
  };
}
