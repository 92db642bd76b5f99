// The Check screen's Model impact: the risk models whose risk dataset reads the current dataset,
// the one chosen, the impact run (a long call with progress and Cancel) and what it found, with
// the date, order and filters the card shows it in.
import { batch, computed, signal } from "@preact/signals";
import { api, type ModelImpact } from "../../api";
import { Action } from "../../action";
import { count } from "../../format";
import { firstDate, firstSort, modelsReading, riskDatasetsOf, type ImpactModel, type Sort } from "../../impact";
import { dataset, placeName, revision } from "../../store";

/** The models that read a dataset, as last looked up (for which dataset, in which place). */
export const impactModels = signal<{ dataset: string; place: string; models: ImpactModel[] } | null>(null);
/** The model the user chose ("" while there is a choice to make). */
export const impactModel = signal("");
/** The last impact: of which dataset, model and staged data (the store's revision then), and when. */
export const impact = signal<{ dataset: string; place: string; revision: number; result: ModelImpact; at: string } | null>(null);
/** The job id of the impact running (what its Cancel names), or null. */
export const impactJob = signal<number | null>(null);
/** The date whose drivers show (and whose factors, unless every date's are shown). */
export const impactDate = signal<string | null>(null);
/** The factor table's order: the largest factor-return change first. */
export const impactSort = signal<Sort>(firstSort("return"));
/** Whether the factor table leaves out the factors whose return and t-stat are the same. */
export const changedOnly = signal(true);
/** Whether the factor table shows every date's factors (else the selected date's). */
export const allDates = signal(false);

/** Looking up the models. */
export const lookingUp = new Action();
/** Running the impact. */
export const estimating = new Action();

/** The models found for the current dataset here (null until looked up). */
export const modelsHere = computed(() => {
  const found = impactModels.value;
  return found && found.dataset === dataset.value && found.place === placeName.value ? found.models : null;
});

/** The impact shown for the current dataset here (another dataset's or place's is not shown). */
export const impactHere = computed(() => {
  const i = impact.value;
  return i && i.dataset === dataset.value && i.place === placeName.value ? i : null;
});

/** Whether the staged data changed since the impact shown was run. */
export const impactStale = computed(() => {
  const i = impactHere.value;
  return i !== null && i.revision !== revision.value;
});

let lookSeq = 0;

/**
 * Finds the risk models whose risk dataset is built on `ds`: every model, then each model's risk
 * dataset described once (one that cannot be, e.g. deleted since, reads nothing). Keeps the
 * user's choice while it is still offered; a single model is chosen by itself.
 */
export async function lookUpModels(ds: string) {
  const seq = ++lookSeq;
  const place = placeName.value;
  const found = await lookingUp.run("Finding the risk models", async () => {
    const models = await api.riskModels();
    const described = await Promise.all(
      riskDatasetsOf(models).map(async (name): Promise<[string, string[] | null]> => {
        try {
          const d = await api.describeRisk(name);
          return [name, d.settings.exposures.flatMap((e) => (e.exposure_type === "uploaded" ? [e.exposure_source as string] : []))];
        } catch {
          return [name, null];
        }
      }),
    );
    return modelsReading(ds, models, new Map(described));
  }, { progress: "none" });
  if (seq !== lookSeq || !found) return;
  batch(() => {
    impactModels.value = { dataset: ds, place, models: found };
    if (!found.some((m) => m.name === impactModel.value)) impactModel.value = found.length === 1 ? found[0].name : "";
  });
}

/** Runs the impact of what is staged for the current dataset on the chosen model. */
export async function runImpact() {
  const ds = dataset.value;
  const model = impactModel.value;
  const place = placeName.value;
  const rev = revision.value;
  if (!model) return;
  const result = await estimating.run("Model impact", (job) => {
    impactJob.value = job.id;
    return api.modelImpact(ds, model, job);
  }, {
    done: (r, took) => `Estimated ${count(r.dates.length, "model date")} of ${model} again with the staged data ${took}; nothing was committed or stored.`,
  });
  impactJob.value = null;
  if (!result) return;
  batch(() => {
    const keep = impactHere.value?.result.model === model && result.dates.some((d) => d.date === impactDate.value);
    impact.value = { dataset: ds, place, revision: rev, result, at: new Date().toISOString() };
    if (!keep) impactDate.value = firstDate(result);
  });
}
