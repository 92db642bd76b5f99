// Changing what is staged from the Check screen: staging files (then showing what it did),
// replacing the staged files that differ, and wiping staged names.
import { batch } from "@preact/signals";
import { api } from "../../api";
import type { Action } from "../../action";
import { count, listSome } from "../../format";
import { merge, outcome, replaceQuestion, summary } from "../../staging";
import { ask, dataset, go } from "../../store";
import { afterChange, committed, replacing, staged, wipe, wiping } from "./state";

/**
 * Stages `paths` into the current dataset with `action` (whose errors show by the button that
 * started it); then the Check screen shows what happened, and if files differ from what is
 * staged under their names, asks whether to replace them.
 */
export async function stagePaths(action: Action, paths: string[]) {
  const ds = dataset.value;
  let said = "";
  const results = await action.run("Staging", (job) => api.stage(ds, paths, false, job), {
    done: (r, took) => (said = `Staged into ${ds} ${took}: ${summary(outcome(r))}.`),
  });
  if (!results) return;
  batch(() => {
    staged.value = { dataset: ds, paths, results, done: action.done.value ?? said };
    committed.value = null; // the last commit's card belongs to the files before these
    wiping.done.value = null;
    replacing.done.value = null;
    replacing.error.value = null;
  });
  go("check");
  await afterChange();
  const differ = outcome(results).exists;
  if (differ.length > 0) {
    ask({
      title: `Replace staged files in ${ds}?`,
      text: `${replaceQuestion(differ)} ${listSome(differ.map((r) => r.name), 5)}.`,
      action: `Replace ${count(differ.length, "file")}`,
      danger: true,
      run: () => void replaceStaged(ds, paths),
    });
  }
}

/**
 * Stages the same paths again with `replace`: names staged from identical files stay as they are
 * (`unchanged`), the ones that differ are replaced. (A result's `source` can name a ZIP member,
 * which is no path, so the paths the user gave are sent again.)
 */
export async function replaceStaged(ds: string, paths: string[]) {
  const results = await replacing.run("Replacing staged files", (job) => api.stage(ds, paths, true, job), {
    done: (r, took) => `Replaced in ${ds} ${took}: ${summary(outcome(r))}.`,
  });
  if (!results) return;
  const before = staged.value;
  staged.value = { dataset: ds, paths, results: before?.dataset === ds ? merge(before.results, results) : results, done: before?.done ?? "" };
  await afterChange();
}

/** Asks to wipe the ticked staged names from the current dataset. */
export function askWipe() {
  const ds = dataset.value;
  const names = [...wipe.value].sort();
  ask({
    title: `Wipe ${count(names.length, "staged name")}?`,
    text: `${listSome(names, 5)} will be removed from staging in ${ds}. Committed versions are not touched; the files can be staged again.`,
    action: "Wipe",
    danger: true,
    run: () => void doWipe(ds, names),
  });
}

async function doWipe(ds: string, names: string[]) {
  const wiped = await wiping.run("Wiping", () => api.wipeStaged(ds, names), {
    progress: "plain",
    done: (_, took) => `Wiped ${count(names.length, "staged name")} from ${ds} ${took}.`,
  });
  if (!wiped) return;
  batch(() => {
    wipe.value = new Set();
    const s = staged.value;
    if (s) staged.value = { ...s, results: s.results.filter((r) => !names.includes(r.name)) };
  });
  await afterChange();
}
