/**
 * What `repro report` shows about one run, as plain data: the run, the stages it was of (and what says
 * so), its params and metrics, plots, sample grids, this machine's stage timings and the environment
 * pins. Produced by run-report.ts, drawn by report/run-page.ts; kept apart so the page does not import
 * the code that calls it.
 */
import type { EnvironmentPin } from '../environment/env-manifest.js';
import type { Revision } from './revisions.js';
import type { PlotData } from './run-snapshot.js';
import type { FlatValue } from './value-diff.js';

/** One grid of the run. */
export interface RunGrid {
  readonly path: string;
  readonly stage: string;
  /** the folder output the grid is one of (progressive-train's `samples`, one per epoch); null for a file output */
  readonly folder: string | null;
  readonly width: number;
  readonly height: number;
  /** relative to the report folder; null without a report */
  readonly image: string | null;
}

/** Stage wall times from this machine's record of the run. */
export interface RunTimings {
  /** when the run finished (the record's time) */
  readonly finishedAt: string;
  /** stages that executed, in order, with seconds */
  readonly stages: readonly { readonly stage: string; readonly seconds: number | null }[];
  /** stages of the run that did not execute in it (unchanged, or restored from DVC's run cache) */
  readonly notExecuted: readonly string[];
  readonly totalSeconds: number;
}

/**
 * What decided which stages a run was of (before adding their upstream stages): `record`, the stages this
 * machine's run record targeted; `lock-change`, the stages whose dvc.lock entries differ from the revision
 * before the run (an experiment's baseline, a commit's parent, the workspace's HEAD); `lock`, every stage
 * in dvc.lock (when neither says more).
 */
export type StagesSource = 'record' | 'lock-change' | 'lock';

/** One DVC stage of the run. */
export interface RunStage {
  /** `<experiment>_<stage>` */
  readonly name: string;
  /**
   * `training`: makes a folder of sample grids (progressive-train); `result`: fed by a training, directly
   * or not (checkpoint-select), or any stage when the run has no training; `data`: the rest (data
   * preparation and its checks)
   */
  readonly role: 'training' | 'result' | 'data';
}

export interface RunReport {
  readonly run: Revision;
  /** commit time; null for the workspace */
  readonly created: string | null;
  /** the experiments with a stage in the run */
  readonly experiments: readonly string[];
  /** the stages the run was of, upstream first (dvc.yaml's order); what other stages have is shown folded */
  readonly stages: readonly RunStage[];
  readonly stagesFrom: StagesSource;
  readonly params: Readonly<Record<string, FlatValue>>;
  readonly metrics: Readonly<Record<string, FlatValue>>;
  readonly plots: readonly PlotData[];
  readonly grids: readonly RunGrid[];
  /** null: not recorded on this machine */
  readonly timings: RunTimings | null;
  /** experiment → pin; experiments without one are absent */
  readonly environments: Readonly<Record<string, EnvironmentPin>>;
  /** the report's index.html, project-relative; null when not written */
  readonly report: string | null;
}
