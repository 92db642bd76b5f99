// What the home folder holds and how it is removed or renewed: reference datasets (import,
// delete), exposure datasets (destroy), risk datasets (update, delete). Each asks first when
// something is lost, reports through the Action of the button that started it, and refreshes
// the lists.
import { api, type RiskDatasetInfo, type UpdateResult } from "./api";
import type { Action } from "./action";
import { count, listSome } from "./format";
import { updateSources } from "./risk";
import { ask, form, info, refreshAll, refreshForm, touched } from "./store";

/** Refreshes lists after a change; a failing refresh is reported on the action. */
async function refresh(action: Action, work: () => Promise<void>) {
  try {
    await work();
  } catch (e) {
    action.fail(e);
  }
}

/** The user risk datasets built on a reference dataset. */
function builtOnReference(name: string): RiskDatasetInfo[] {
  return form.value?.risk_datasets.filter((d) => d.kind === "user" && d.reference_dataset === name) ?? [];
}

export async function importReference(action: Action, name: string, dir: string, idType: string, replace: boolean) {
  const imported = await action.run(`Importing reference ${name}`, (job) => api.importReference(name, dir, idType || "bayesid", replace, job), {
    done: (r, took) => `Imported reference ${r.name} ${took}: ${count(r.assets, "asset")} on ${count(r.exchanges, "exchange")}, ids ${r.id_types.join(", ")}.`,
  });
  if (imported) await refresh(action, refreshAll);
  return imported;
}

export function deleteReference(action: Action, name: string) {
  const users = builtOnReference(name).map((d) => d.name);
  if (users.length > 0) {
    // The engine refuses it too; say why before asking anything.
    action.fail({
      code: "conflict",
      message: `Reference dataset ${name} is used by ${count(users.length, "risk dataset")} (${listSome(users, 4)}): delete them first.`,
      details: users,
    });
    return;
  }
  ask({
    title: `Delete reference dataset ${name}?`,
    text: `Its security master, market caps and returns are deleted from the home folder. Import the folder again to get it back.`,
    action: "Delete reference",
    danger: true,
    run: () => void (async () => {
      const done = await action.run(`Deleting reference ${name}`, () => api.deleteReference(name), { progress: "none", done: () => `Deleted reference ${name}.` });
      if (done !== undefined) await refresh(action, refreshAll);
    })(),
  });
}

/** Destroys an exposure dataset: every version and every staged name. */
export function destroyDataset(action: Action, name: string, after?: () => void) {
  const d = info.value?.datasets.find((x) => x.name === name);
  const what = d ? `${count(d.latest_version, "committed version")} and ${count(d.staged, "staged name")}` : "every version and staged name";
  ask({
    title: `Destroy exposure dataset ${name}?`,
    text: `${name} and all it holds, ${what}, are deleted for good; nothing of it can be read back. Risk datasets already built from it are not deleted. This cannot be undone.`,
    action: `Destroy ${name}`,
    danger: true,
    typed: name,
    run: () => void (async () => {
      const done = await action.run(`Destroying ${name}`, () => api.destroyDataset(name), { progress: "none", done: () => `Destroyed ${name}.` });
      if (done !== undefined) {
        await refresh(action, touched);
        after?.();
      }
    })(),
  });
}

export function deleteRisk(action: Action, name: string, after?: () => void) {
  ask({
    title: `Delete risk dataset ${name}?`,
    text: `Its exposures, settings and creation report are deleted. The exposure and reference datasets it was built from stay as they are.`,
    action: "Delete risk dataset",
    danger: true,
    run: () => void (async () => {
      const done = await action.run(`Deleting ${name}`, () => api.deleteRisk(name), { progress: "none", done: () => `Deleted risk dataset ${name}.` });
      if (done !== undefined) {
        await refresh(action, refreshForm);
        after?.();
      }
    })(),
  });
}

/** Rebuilds a stale risk dataset from the newest versions of its sources. */
export async function updateRisk(action: Action, name: string): Promise<UpdateResult | undefined> {
  const result = await action.run(`Updating ${name}`, (job) => api.updateRisk(name, job), {
    done: (r, took) => (r.updated ? `Updated ${r.name} ${took} from ${updateSources(r)}.` : `${r.name} was already up to date.`),
  });
  if (result) await refresh(action, refreshForm);
  return result;
}
