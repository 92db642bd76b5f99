// Committing from the Check screen: a question first while checks still run, then the
// confirmation naming the mode, the committed dates it replaces and the failing checks to
// acknowledge, then the commit.
import { batch } from "@preact/signals";
import { api, type DateReplacement } from "../../api";
import type { CommitMode } from "../../bindings";
import { commitQuestion, failingAcknowledgement, replacementRows, stillCheckingQuestion } from "../../commit";
import { failLines } from "../../findings";
import { ask, dataset } from "../../store";
import { afterChange, checkingAll, committed, committing, detail, dropLoad, findings, mode, staged, wipe, wiping } from "./state";

/**
 * Commit…: while checks still run, asks whether to commit without waiting for them; then the
 * confirmation, which lists the failing checks (if any) and asks to acknowledge them.
 */
export function askCommit() {
  if (checkingAll.value) {
    ask({
      ...stillCheckingQuestion(failLines(findings.value)),
      danger: true,
      run: () => window.setTimeout(() => void confirmCommit(), 0),
    });
    return;
  }
  void confirmCommit();
}

/** Asks for the confirmation, with the committed dates the chosen mode replaces and the failing checks. */
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
  // The checks known now (those still running may have finished meanwhile).
  const fails = failLines(findings.value);
  ask({
    ...commitQuestion(ds, detail.value.length, dates, m, replaced.length),
    ...(fails.length > 0 ? { ...failingAcknowledgement(fails), danger: true } : {}),
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
