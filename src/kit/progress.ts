/**
 * A progress line for long loops (epochs, image folders): label, bar, done/total, percent, speed and ETA.
 * `formatProgress` is the pure formatting; `createProgress` keeps the state: a moving average of the speed
 * (exponential, sampled at most every `intervalMs`, since per-item rates are noise), throttled output —
 * on a TTY one line redrawn with a carriage return at most every `intervalMs`, elsewhere (log files, CI,
 * a stage logger) a plain line at most every `plainIntervalMs` — and always a final line on completion.
 * The clock is injected, so tests never sleep. No ANSI codes: the line is cleared by padding with spaces.
 */

/** What one progress line shows. */
export interface ProgressState {
  /** What is being counted, e.g. 'epoch 3'. */
  readonly label: string;
  /** Items finished. */
  readonly done: number;
  /** Items in all. */
  readonly total: number;
  /** Time since the start, ms. */
  readonly elapsedMs: number;
  /** Items per second to show and to base the ETA on. @default done / elapsed */
  readonly rate?: number;
  /** Characters of the bar. @default 20 */
  readonly barWidth?: number;
}

/**
 * `label [#######.............] 35/100 35% 5.00 it/s ETA 0:13`; below 1 it/s the speed reads `2.50 s/it`;
 * once done, `in 1:05` (the elapsed time) replaces the ETA; an unknown speed reads `? it/s ETA ?`.
 */
export function formatProgress(state: ProgressState): string {
  const { label, done, total, elapsedMs } = state;
  const width = state.barWidth ?? 20;
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.floor(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`;
  const rate = state.rate ?? (done > 0 && elapsedMs > 0 ? done / (elapsedMs / 1000) : undefined);
  const speed = rate === undefined || !(rate > 0) || !Number.isFinite(rate) ? '? it/s' : rate >= 1 ? `${decimals(rate)} it/s` : `${decimals(1 / rate)} s/it`;
  const finished = done >= total;
  const eta = finished
    ? `in ${formatDuration(elapsedMs / 1000)}`
    : rate !== undefined && rate > 0 && Number.isFinite(rate) ? `ETA ${formatDuration((total - done) / rate)}` : 'ETA ?';
  return `${label} ${bar} ${done}/${total} ${percent} ${speed} ${eta}`;
}

/** `m:ss`, or `h:mm:ss` from an hour, seconds rounded up. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A writable stream such as `process.stderr`. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** A line logger such as a stage's `log`; gets plain lines without newline. */
export interface ProgressLogger {
  info(message: string): void;
}

/** Settings of a progress line. */
export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** Where lines go: a stream (TTY: redrawn line) or a logger (plain lines). */
  readonly output: ProgressStream | ProgressLogger;
  /** Clock in ms. @default performance.now */
  readonly now?: () => number;
  /** Least time between redraws on a TTY, and between speed samples, ms. @default 250 */
  readonly intervalMs?: number;
  /** Least time between plain lines when not a TTY, ms. @default 10000 */
  readonly plainIntervalMs?: number;
  /** Weight of the newest speed sample in the moving average. @default 0.3 */
  readonly smoothing?: number;
}

/** A running progress line. */
export interface Progress {
  /** Items finished so far. */
  readonly done: number;
  /** Adds `n` finished items. @default 1 */
  tick(n?: number): void;
  /** Sets the finished count. Reaching `total` finishes the line. */
  update(done: number): void;
  /** Prints the final line (once; later calls do nothing). */
  finish(): void;
}

/** Starts a progress line; nothing is printed until the first update. */
export function createProgress(options: ProgressOptions): Progress {
  const { label, total, output } = options;
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`progress '${label}': total expected a non-negative integer, received ${total}`);
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 250;
  const plainIntervalMs = options.plainIntervalMs ?? 10_000;
  const alpha = options.smoothing ?? 0.3;
  const tty = 'write' in output && output.isTTY === true;
  const start = now();
  let done = 0;
  let finished = false;
  let rate: number | undefined;
  let sample = { at: start, done: 0 };
  let lastDraw = tty ? -Infinity : start;
  let lastLength = 0;

  const emit = (line: string, final: boolean) => {
    if (!('write' in output)) return output.info(line);
    if (!tty) return void output.write(`${line}\n`);
    const padded = line.padEnd(lastLength);
    lastLength = line.length;
    output.write(`\r${padded}${final ? '\n' : ''}`);
  };
  const render = (at: number, final: boolean) => {
    const elapsedMs = at - start;
    // NOTE: the final line shows the overall average, the honest figure once nothing remains to estimate
    const shownRate = final ? undefined : rate;
    emit(formatProgress(shownRate === undefined ? { label, done, total, elapsedMs } : { label, done, total, elapsedMs, rate: shownRate }), final);
    lastDraw = at;
  };
  const progress: Progress = {
    get done() {
      return done;
    },
    tick(n = 1) {
      progress.update(done + n);
    },
    update(value) {
      if (finished) return;
      done = value;
      const at = now();
      if (at - sample.at >= intervalMs) {
        const instant = (done - sample.done) / ((at - sample.at) / 1000);
        rate = rate === undefined ? instant : alpha * instant + (1 - alpha) * rate;
        sample = { at, done };
      }
      if (done >= total) return progress.finish();
      if (at - lastDraw >= (tty ? intervalMs : plainIntervalMs)) render(at, false);
    },
    finish() {
      if (finished) return;
      finished = true;
      render(now(), true);
    },
  };
  return progress;
}

/** 2 decimals below 10, 1 below 100, none above. */
function decimals(v: number): string {
  return v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
}
