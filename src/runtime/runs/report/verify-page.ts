/**
 * The HTML of `repro verify <run> --recompute`: the verdict and the first diverged stage at the top, one
 * row per recomputed stage (verdict, files identical, seconds, its tolerance), then per stage the files that
 * were not byte-identical with the figures that were compared (and, for images, the `run | recompute | heat
 * map` picture from `images/`), and what differs between the run's environment and this machine. Pure: a
 * `RecomputeResult` in, one HTML document out.
 */
import type { RecomputeResult, StageResult } from '../recompute/recompute-run.js';
import { escapeHtml, formatNumber, note, page, table } from './html.js';

/** The whole page; `images` maps a file path to its picture's report-relative path. */
export function renderVerifyPage(result: RecomputeResult, images: ReadonlyMap<string, string>): string {
  const title = `repro verify ${result.run} --recompute`;
  const verdict = result.firstDiverged === null
    ? `reproduces: ${result.stages.length} stage${result.stages.length === 1 ? '' : 's'} recomputed from the run's pinned inputs`
    : `does not reproduce: the first diverged stage is ${result.firstDiverged}`;
  const header = `<h1>${escapeHtml(title)}</h1>\n<div class="runs"><span>commit ${escapeHtml(result.commit.slice(0, 7))}</span><span>${escapeHtml(verdict)}</span></div>`;
  const stages = table(
    ['stage', 'verdict', 'identical files', 'seconds', 'tolerance'],
    result.stages.map((s) => [escapeHtml(s.stage), `<strong>${escapeHtml(s.verdict)}</strong>`, `${s.identicalFiles} of ${s.files}`, formatNumber(s.seconds), escapeHtml(describeTolerance(s))]),
  );
  const files = result.stages.filter((s) => s.differing.length > 0 || s.failure).map((s) => stageFiles(s, images)).join('\n') || note('every recomputed file has the run\'s bytes');
  const environment = result.environment.length === 0
    ? note(result.environmentSource === null ? 'the run recorded no environment pin' : `this machine matches the run's pin (reports/${result.environmentSource}/environment.json)`)
    : table(['pin', 'the run', 'this machine'], result.environment.map((p) => [escapeHtml(p.pin), escapeHtml(p.expected ?? '—'), escapeHtml(p.found ?? '—')]));
  return page({
    title,
    header,
    sections: [
      { id: 'stages', label: 'Stages', title: 'Stages, in graph order', body: stages },
      { id: 'files', label: 'Files', title: 'Files that are not byte-identical', body: files },
      { id: 'environment', label: 'Environment', title: 'The run\'s environment against this machine', body: environment },
    ],
  });
}

function stageFiles(stage: StageResult, images: ReadonlyMap<string, string>): string {
  const rows = stage.differing.map((f) => {
    const picture = images.get(f.path);
    return [escapeHtml(f.path), escapeHtml(f.verdict), escapeHtml(f.comparedAs), escapeHtml(f.detail) + (picture ? `<br><img loading="lazy" src="${escapeHtml(picture)}" alt="${escapeHtml(f.path)}: run, recompute, difference">` : '')];
  });
  const failure = stage.failure ? note(`the stage failed: ${stage.failure}`) : '';
  return `<h3>${escapeHtml(stage.stage)}: ${escapeHtml(stage.verdict)}</h3>\n${failure}\n${rows.length > 0 ? table(['file', 'verdict', 'compared as', 'figures'], rows) : ''}`;
}

function describeTolerance(stage: StageResult): string {
  const t = stage.tolerance;
  if (t.relative === 0 && t.absolute === 0 && t.ssim === 1 && t.changedPixels === 0 && t.tensorRelative === 0) return 'exact';
  return `numbers ±${t.relative} rel (±${t.absolute} abs), images SSIM ≥ ${t.ssim} and ≤ ${t.changedPixels * 100} % changed, tensors ±${t.tensorRelative} rel`;
}
