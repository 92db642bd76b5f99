// Committing from the Check screen: a question first while checks still run or fail, then the
// confirmation naming the mode and the committed dates it replaces, then the commit.
import { batch } from "@preact/signals";
import { api, type DateReplacement } from "../../api";
import type { CommitMode } from "../../bindings";
import { commitQuestion, failingQuestion, replacementRows, stillCheckingQuestion } from "../../commit";
import { failLines } from "../../findings";
import { ask, dataset } from "../../store";
import { afterChange, checkingAll, committed, committing, detail, dropLoad, findings, mode, staged, wipe, wiping } from "./state";

/** Commit…: asks about checks still running or failing first, then for the confirmation. */
export function askCommit() {
  const fails = failLines(findings.value);
  if (checkingAll.value) {
    ask({
      ...stillCheckingQuestion(fails),
      danger: true,
      // The checks may have finished meanwhile: then their fails are asked about as usual.
      run: () => window.setTimeout(() => void (checkingAll.value ? confirmCommit() : askCommit()), 0),
    });
    return;
  }
  if (fails.length > 0) {
    ask({ ...failingQuestion(fails), danger: true, run: () => window.setTimeout(() => void confirmCommit(), 0) });
    return;
  }
  void confirmCommit();
}

/** Asks for the confirmation, with the committed dates the chosen mode replaces. */
async function confirmCommit() {
  const ds = dataset.value;
  const m = mode.value;
  const dates = new Set(detail.value.map((r) => r.date)).size;
  let replaced: DateReplacement[] = [];
  try {
    replaced = m === "append" ? [] : await api.commitPreview(ds, m);
  } catch (e) {
    committing.fail(e);
    return;
  }
  ask({
    ...commitQuestion(ds, detail.value.length, dates, m, replaced.length),
    table: replaced.length > 0 ? replacementRows(replaced) : undefined,
    run: () => void doCommit(ds, m),
  });
}

async function doCommit(ds: string, m: CommitMode) {
  // Checks still reading the staged files would fail once the commit moves them: drop their answer.
  dropLoad();
  const result = await committing.run("Committing", (job) => api.commit(ds, m, job), {
    done: (c, took) => `Committed version ${c.version} of ${ds} ${took}.`,
  });
  if (!result) return;
  batch(() => {
    committed.value = { dataset: ds, result, done: committing.done.value ?? "" };
    staged.value = null; // failures of earlier staging runs do not outlive a commit
    wipe.value = new Set();
    wiping.done.value = null;
  });
  await afterChange();
}
