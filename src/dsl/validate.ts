/**
 * Checks experiments before anything is compiled or written and returns every issue at once, each with
 * the experiment file and line of the call that caused it: bad names, duplicate stage ids (two stages
 * writing one output), inputs that are missing, unknown or of the wrong kind, handles from elsewhere,
 * data paths outside the project, params that fail their schema, and cycles shown as `a → b → a`.
 * Pure: params schemas arrive already resolved; nothing here reads the disk.
 */
import { isAbsolute, normalize, relative } from 'node:path';
import { describeArtifact, isArtifact, type Artifact } from './artifact.js';
import type { CallSite } from './call-site.js';
import type { Experiment, StageInstance } from './experiment.js';
import type { ResolvedParamsSchema } from './params-schema.js';
import type { StageDefinition } from './stage.js';
import { checkResources } from './resources.js';
import { checkTolerance } from './tolerance.js';
import type { Issue } from '../errors.js';

/** Ids of experiments, stages and instances: DVC-safe and free of the `_` separator. */
export const ID_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Folders the compiler owns; source data may not live there. */
export const RESERVED_FOLDERS = ['out', 'reports', '.repro', '.dvc'] as const;

export interface ValidateOptions {
  /** project root, to print call sites relative to it */
  readonly root: string;
  /** resolved params schema of every stage definition in use */
  readonly schemas: ReadonlyMap<StageDefinition, ResolvedParamsSchema>;
}

export interface Validation {
  readonly issues: readonly Issue[];
  /** params with defaults applied, per experiment then instance id (only for instances that passed) */
  readonly params: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>;
}

/** Validates every experiment; never stops at the first issue. */
export function validateExperiments(experiments: readonly Experiment[], options: ValidateOptions): Validation {
  const issues: Issue[] = [];
  const params = new Map<string, Map<string, Record<string, unknown>>>();
  const names = new Set<string>();
  for (const experiment of experiments) {
    const at = (site: CallSite | undefined) => locate(site ?? experiment.site, options.root);
    if (!ID_PATTERN.test(experiment.name)) {
      issues.push({ code: 'EXPERIMENT_INVALID', message: `experiment name '${experiment.name}' expected to match ${ID_PATTERN}`, ...at(undefined) });
    }
    if (names.has(experiment.name)) {
      issues.push({ code: 'EXPERIMENT_INVALID', message: `experiment name '${experiment.name}' is defined twice`, ...at(undefined) });
    }
    names.add(experiment.name);
    if (experiment.buildError !== undefined) {
      const reason = experiment.buildError instanceof Error ? experiment.buildError.message : String(experiment.buildError);
      issues.push({ code: 'EXPERIMENT_INVALID', message: `experiment '${experiment.name}' threw while being defined: ${reason}`, ...at(undefined) });
    }
    const perInstance = new Map<string, Record<string, unknown>>();
    params.set(experiment.name, perInstance);
    issues.push(...checkSources(experiment, options.root));
    const seen = new Map<string, StageInstance>();
    for (const instance of experiment.stages) {
      const where = at(instance.site);
      const label = `stage '${experiment.name}/${instance.id}'`;
      if (!ID_PATTERN.test(instance.id)) {
        issues.push({ code: 'EXPERIMENT_INVALID', message: `${label}: id expected to match ${ID_PATTERN}`, ...where });
      }
      const first = seen.get(instance.id);
      if (first) {
        const firstAt = locate(first.site, options.root);
        issues.push({
          code: 'OUTPUT_CONFLICT',
          message: `${label}: two stages write 'out/${experiment.name}/${instance.id}/' (the other is at ${firstAt.file ?? '?'}:${firstAt.line ?? '?'}); give one of them another \`id\``,
          ...where,
        });
      }
      seen.set(instance.id, instance);
      issues.push(...checkInputs(experiment, instance, label).map((message) => ({ code: 'EXPERIMENT_INVALID' as const, message, ...where })));
      issues.push(...checkTolerance(instance.tolerance).map((message) => ({ code: 'EXPERIMENT_INVALID' as const, message: `${label}: ${message}`, ...where })));
      issues.push(...checkResources(instance.resources).map((message) => ({ code: 'EXPERIMENT_INVALID' as const, message: `${label}: ${message}`, ...where })));
      const schema = options.schemas.get(instance.stage);
      const checked = schema?.check(instance.params);
      if (checked?.ok) perInstance.set(instance.id, checked.value);
      else if (checked) {
        for (const violation of checked.violations) {
          issues.push({ code: 'PARAMS_INVALID', message: `${label}: ${violation.message}`, ...where });
        }
      }
    }
    issues.push(...findCycles(experiment, options.root));
  }
  return { issues, params };
}

function checkInputs(experiment: Experiment, instance: StageInstance, label: string): string[] {
  const problems: string[] = [];
  const declared = instance.stage.inputs;
  for (const [name, spec] of Object.entries(declared)) {
    const given: unknown = instance.inputs[name];
    if (given === undefined) {
      if (spec.optional) continue;
      problems.push(`${label}: input '${name}' expected a ${spec.kind} handle, received nothing`);
    } else if (!isArtifact(given)) {
      problems.push(`${label}: input '${name}' expected a ${spec.kind} handle from x.stage() or x.data(), received ${typeof given}`);
    } else if (given.kind !== spec.kind) {
      problems.push(`${label}: input '${name}' expected a ${spec.kind}, received a ${given.kind} (${describeArtifact(given)})`);
    } else {
      problems.push(...checkProducer(experiment, given, `${label}: input '${name}'`));
    }
  }
  for (const name of Object.keys(instance.inputs)) {
    if (!(name in declared)) {
      const known = Object.keys(declared).map((k) => `'${k}'`).join(', ') || '(none)';
      problems.push(`${label}: unknown input '${name}', expected one of ${known}`);
    }
  }
  return problems;
}

function checkProducer(experiment: Experiment, artifact: Artifact, label: string): string[] {
  const { source } = artifact;
  if (source.type === 'data') return [];
  if (source.experiment !== experiment.name) {
    return [`${label} is a handle from experiment '${source.experiment}', expected one from '${experiment.name}'`];
  }
  const producer = experiment.stages.find((s) => s.id === source.stage);
  if (!producer) return [`${label} names stage '${source.stage}', which is not in experiment '${experiment.name}'`];
  if (!(source.output in producer.stage.outputs)) return [`${label} names output '${source.output}', which stage '${source.stage}' does not declare`];
  return [];
}

function checkSources(experiment: Experiment, root: string): Issue[] {
  const issues: Issue[] = [];
  for (const source of experiment.sources) {
    const clean = normalize(source.path);
    const top = clean.split(/[\\/]/)[0] ?? '';
    const where = locate(source.site ?? experiment.site, root);
    if (isAbsolute(source.path) || clean.startsWith('..')) {
      issues.push({ code: 'EXPERIMENT_INVALID', message: `data '${source.path}' expected a path inside the project, relative to its root`, ...where });
    } else if ((RESERVED_FOLDERS as readonly string[]).includes(top)) {
      issues.push({ code: 'OUTPUT_CONFLICT', message: `data '${source.path}' is inside '${top}/', which repro writes; pass the producing stage's output handle instead`, ...where });
    }
  }
  return issues;
}

/**
 * Depth-first search over instance → producer edges. Handles made by the DSL cannot form a cycle, but a
 * hand-made handle can, and DVC would only fail later with less to go on.
 */
function findCycles(experiment: Experiment, root: string): Issue[] {
  const byId = new Map(experiment.stages.map((s) => [s.id, s]));
  const state = new Map<string, 'open' | 'done'>();
  const issues: Issue[] = [];
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      issues.push({
        code: 'GRAPH_CYCLE',
        message: `experiment '${experiment.name}' has a cycle: ${cycle.join(' → ')}`,
        ...locate(byId.get(id)?.site ?? experiment.site, root),
      });
      return;
    }
    state.set(id, 'open');
    for (const input of Object.values(byId.get(id)?.inputs ?? {})) {
      if (isArtifact(input) && input.source.type === 'output' && input.source.experiment === experiment.name && byId.has(input.source.stage)) {
        visit(input.source.stage, [...path, id]);
      }
    }
    state.set(id, 'done');
  };
  for (const id of [...byId.keys()].sort()) visit(id, []);
  return issues;
}

/** A call site as a project-relative file and line, for issues. */
export function locate(site: CallSite | undefined, root: string): Pick<Issue, 'file' | 'line'> {
  if (!site) return {};
  return { file: relative(root, site.file).split('\\').join('/'), line: site.line };
}
