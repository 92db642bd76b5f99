// Long work with the progress bar: each run gets its own job id (what `cancel` names), and the
// bar shows the latest run still going, whose Cancel cancels exactly that job.
import { computed, signal } from "@preact/signals";
import { api, type Job, type Step } from "./api";

interface Running { id: number; label: string; step: Step | null; cancellable: boolean; cancelling: boolean }

/** The runs going on, oldest first. */
export const running = signal<Running[]>([]);
/** Whether any run is going on (the screen's controls are dimmed meanwhile). */
export const busy = computed(() => running.value.length > 0);
/** The run the progress bar shows. */
export const shown = computed<Running | null>(() => running.value[running.value.length - 1] ?? null);

let lastId = 0;

/** A fresh job id: unique for this window's life. */
function nextJobId(): number {
  lastId += 1;
  return lastId;
}

function patch(id: number, change: Partial<Running>) {
  running.value = running.value.map((r) => (r.id === id ? { ...r, ...change } : r));
}

/** Steps are shown at most this often: a fast job (a grid reads dozens of dates a second) would
 * otherwise re-render the screen so often that clicks, Cancel's too, wait behind the updates. */
const STEP_EVERY_MS = 80;

/** Runs `work` with the progress bar; `cancellable` work gets a Cancel button for its job. */
export async function withJob<T>(label: string, work: (job: Job) => Promise<T>, cancellable = true): Promise<T> {
  const id = nextJobId();
  running.value = [...running.value, { id, label, step: null, cancellable, cancelling: false }];
  let latest: Step | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onStep = (s: Step) => {
    latest = s;
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      patch(id, { step: latest });
    }, STEP_EVERY_MS);
  };
  try {
    return await work({ id, onStep });
  } finally {
    clearTimeout(timer);
    running.value = running.value.filter((r) => r.id !== id);
  }
}

/** Asks the engine to stop job `id` (it undoes what it started and fails with `cancelled`). */
export function cancelJob(id: number) {
  patch(id, { cancelling: true });
  api.cancel(id).catch(() => patch(id, { cancelling: false }));
}
