// One user action (a button's work) and what it leaves for the screen: its error, shown next to
// the button until the next success or until the user leaves the screen, and a short line saying
// what the last run did ("Created X in 4.2 s"), kept in the screen's state.
import { signal } from "@preact/signals";
import type { Job, UiError } from "./api";
import { asUiError } from "./errors";
import { duration } from "./format";
import { withJob } from "./jobs";

interface RunOptions<T> {
  /** "job": a long command with Cancel; "plain": the progress bar without Cancel; "none": no bar. */
  progress?: "job" | "plain" | "none";
  /** The line that says what the run did, from its result and the time it took ("in 4.2 s"). */
  done?: (value: T, took: string) => string | null;
}

export class Action {
  readonly error = signal<UiError | null>(null);
  readonly done = signal<string | null>(null);
  readonly pending = signal(false);

  /** Runs `work`; returns its value, or undefined when it failed (the error is kept) or was cancelled. */
  async run<T>(label: string, work: (job: Job) => Promise<T>, opts: RunOptions<T> = {}): Promise<T | undefined> {
    const progress = opts.progress ?? "job";
    this.error.value = null;
    this.pending.value = true;
    const started = performance.now();
    try {
      const value = progress === "none" ? await work({ id: 0, onStep: () => {} }) : await withJob(label, work, progress === "job");
      this.done.value = opts.done?.(value, `in ${duration(performance.now() - started)}`) ?? null;
      return value;
    } catch (e) {
      const err = asUiError(e);
      if (err.code === "cancelled") this.done.value = `${label}: cancelled, nothing was changed.`;
      else {
        this.error.value = err;
        this.done.value = null;
      }
      return undefined;
    } finally {
      this.pending.value = false;
    }
  }

  /** Records an error raised outside `run` (e.g. by a follow-up refresh). */
  fail(e: unknown) {
    this.error.value = asUiError(e);
  }

  /** On leaving the screen: its errors go, its last result stays. */
  leave() {
    this.error.value = null;
  }
}
