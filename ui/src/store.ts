// The window's shared state: the screen shown, the current exposure dataset (one source of truth
// for the sidebar, the buttons and every screen), what the home folder holds, the confirmation
// dialog, the startup notice and what the window remembers between runs. Each screen keeps its
// own state in its module.
import { computed, signal } from "@preact/signals";
import { api, type AppInfo, type Connection, type Recent, type ReferenceInfo, type RiskForm, type Remember, type Thresholds } from "./api";
import { Defaulted } from "./defaulted";

export type Screen = "start" | "check" | "history" | "risk" | "dataset" | "model" | "portfolio" | "settings" | "connection";

export const screen = signal<Screen>("start");
export const info = signal<AppInfo | null>(null);
/**
 * The exposure dataset as typed or chosen on the Upload screen. Until the user edits it, it
 * follows the place worked on: the dataset last chosen there, else one with staged names.
 */
export const datasetInput = new Defaulted("My-Exposures");
/** The current exposure dataset's name (what every command uses). */
export const dataset = computed(() => datasetInput.value.trim());
/** The current dataset as the home folder knows it; null while it has never been staged into. */
export const current = computed(() => info.value?.datasets.find((d) => d.name === dataset.value) ?? null);
/** Reference datasets, risk datasets and the factor groups of each committed exposure dataset. */
export const form = signal<RiskForm | null>(null);
/** Reference datasets, as the Reference data section lists them. */
export const references = signal<ReferenceInfo[] | null>(null);
/** The risk datasets users made (not the reference entries). */
export const userRisk = computed(() => form.value?.risk_datasets.filter((d) => d.kind === "user") ?? []);
/** Set when the shell reloaded the page after the web process crashed. */
export const notice = signal<string | null>(null);

const THRESHOLDS_KEY = "riskdesk.thresholds";

function storedThresholds(): Thresholds | null {
  try {
    const text = globalThis.localStorage?.getItem(THRESHOLDS_KEY);
    return text ? (JSON.parse(text) as Thresholds) : null;
  } catch {
    return null;
  }
}

/** The sanity checks' thresholds the user set (null: the engine's defaults), kept across runs. */
export const thresholds = signal<Thresholds | null>(storedThresholds());

/** Sets (or with null, resets) the thresholds and keeps them. */
export function setThresholds(t: Thresholds | null) {
  thresholds.value = t;
  if (t) globalThis.localStorage?.setItem(THRESHOLDS_KEY, JSON.stringify(t));
  else globalThis.localStorage?.removeItem(THRESHOLDS_KEY);
}

interface Confirm {
  title: string;
  text: string;
  /** The confirm button's label. */
  action: string;
  run: () => void;
  /** A destructive action: the confirm button is red, and Cancel is the focused button (Enter cancels). */
  danger?: boolean;
  /** A small table under the text (e.g. what a commit replaces). */
  table?: { head: string[]; rows: string[][]; more?: string };
  /** Lines listed in full under the text, under their heading (the failing checks a commit goes over). */
  list?: { head: string; lines: string[] };
  /** A box to tick before the confirm button works: an explicit acknowledgement (of `list`). */
  acknowledge?: string;
  /** A text to type, exactly, before the confirm button works (the name of what is destroyed). */
  typed?: string;
}
export const confirm = signal<Confirm | null>(null);

export function go(s: Screen) {
  screen.value = s;
}

export function ask(c: Confirm) {
  confirm.value = c;
}

/** What the window remembers for the place worked on: the last screen, recent datasets and folders. */
export const recent = signal<Recent | null>(null);

export async function refreshRecent() {
  recent.value = await api.recent();
}

/**
 * Notes a screen shown, a dataset worked on or a folder scanned (then reads the lists the window
 * shows again; a screen is in none of them). The memory is a convenience: when it cannot be
 * written, the work goes on and the console says why.
 */
export function remember(what: Remember) {
  api.remember(what)
    .then(() => (what.kind === "screen" ? undefined : refreshRecent()))
    .catch((e) => console.warn("Riskdesk cannot remember", what, e));
}

async function refreshInfo() {
  info.value = await api.appInfo();
}

export async function refreshForm() {
  form.value = await api.riskForm();
}

async function refreshReferences() {
  references.value = await api.references();
}

/** After anything that adds or removes datasets: every list again. */
export async function refreshAll() {
  await Promise.all([refreshInfo(), refreshForm(), refreshReferences()]);
}

/** Counts changes to what is staged or committed: screens showing counts (the scan card) reload on it. */
export const revision = signal(0);

/** After a stage, commit, wipe or destroy: the lists again, and a new revision for the screens. */
export async function touched() {
  revision.value += 1;
  await Promise.all([refreshInfo(), refreshForm()]);
}

/** Where the app works ("This computer" or a server) and the saved servers. */
export const place = signal<Connection | null>(null);
/** "This computer", or the server's name. */
export const placeName = computed(() => place.value?.server ?? "This computer");

/** The dataset chosen in each place, so that switching back finds it again. */
const datasetByPlace = new Map<string, string>();

/**
 * Switches to a server or back to this computer (`change` does it and answers the new place):
 * the current dataset is remembered for the place left, restored for the place reached, and
 * every list is read again from the new place. A new place starts the dataset field over: it
 * takes the place's dataset unless the user types one while the switch goes on.
 */
export async function switchPlace(change: () => Promise<Connection>) {
  datasetByPlace.set(placeName.value, datasetInput.value);
  datasetInput.reset(datasetInput.value);
  place.value = await change();
  revision.value += 1;
  await Promise.all([refreshAll(), refreshRecent()]);
  datasetInput.offer(datasetByPlace.get(placeName.value) ?? reopened() ?? "My-Exposures");
}

/**
 * The dataset to reopen in the place worked on: the one last worked on there (if it still
 * exists), else one with staged names, else the first.
 */
export function reopened(): string | undefined {
  const datasets = info.value?.datasets ?? [];
  const last = recent.value?.datasets.find((name) => datasets.some((d) => d.name === name));
  return last ?? (datasets.find((d) => d.staged > 0) ?? datasets[0])?.name;
}
