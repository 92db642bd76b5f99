// What surrounds the screens: sidebar, error box, confirmation dialog, progress bar.
import { api } from "./api";
import { h } from "./dom";
import { refreshDetail } from "./screens/check";
import { showDataset } from "./screens/dataset";
import { showHistory } from "./screens/history";
import { showRisk } from "./screens/riskDataset";
import { state, render, type Screen } from "./state";

export function sidebar(): HTMLElement {
  const step = (id: Screen, n: string, label: string, enabled: boolean, go: () => void) =>
    h("button", { class: `step ${state.screen === id ? "current" : ""}`, id: `nav-${id}`, disabled: !enabled, "aria-current": state.screen === id ? "step" : false, onclick: go },
      h("span", { class: "stepnum" }, n), label);
  const show = (id: Screen) => () => ((state.screen = id), render());
  const known = state.info?.datasets.some((d) => d.name === state.dataset) ?? false;
  return h("nav", { class: "sidebar" },
    h("div", { class: "brand" }, h("span", { class: "logo" }, "R"), "Riskdesk"),
    step("start", "1", "Upload", true, show("start")),
    step("check", "2", "Check & commit", state.detail.length > 0 || state.results.length > 0 || state.committed !== null, () => { show("check")(); void refreshDetail(); }),
    step("history", "3", "History", known, showHistory),
    step("risk", "4", "Risk dataset", state.info?.datasets.some((d) => d.latest_version > 0) ?? false, showRisk),
    step("dataset", "5", "Dataset", (state.riskForm?.risk_datasets.some((d) => d.kind === "user") ?? false) || state.riskReport !== null, () => showDataset()),
    h("div", { class: "spacer" }),
    step("settings", "⚙", "Settings", true, show("settings")),
    h("div", { class: "home" }, h("div", { class: "muted" }, "Dataset"), h("code", {}, state.dataset || "–")));
}

export function errorBox(): HTMLElement | null {
  const e = state.error;
  if (!e) return null;
  const text = [e.message, ...e.details].join("\n");
  const shown = [e.message, ...e.details.slice(0, 6)];
  if (e.details.length > 6) shown.push(`… and ${e.details.length - 6} more (Copy details has them all)`);
  return h("div", { class: "error", role: "alert" },
    h("strong", {}, `Error (${e.code})`), h("pre", {}, shown.join("\n")),
    h("button", { onclick: () => navigator.clipboard.writeText(text) }, "Copy details"),
    h("button", { onclick: () => ((state.error = null), render()) }, "Dismiss"));
}

export function dialog(): HTMLElement | null {
  const c = state.confirm;
  if (!c) return null;
  const close = () => ((state.confirm = null), render());
  const confirmButton = h("button", { class: "primary", id: "confirm", onclick: () => { state.confirm = null; c.run(); } }, c.action);
  const box = h("div", { class: "overlay", onclick: (e: Event) => { if (e.target === e.currentTarget) close(); } },
    h("div", { class: "dialog", role: "dialog", "aria-modal": "true" }, h("h2", {}, c.title), h("p", {}, c.text),
      h("div", { class: "actions right" }, h("button", { onclick: close }, "Cancel"), confirmButton)));
  box.addEventListener("keydown", (e) => { if ((e as KeyboardEvent).key === "Escape") close(); });
  queueMicrotask(() => confirmButton.focus());
  return box;
}

export function progressBar(): HTMLElement | null {
  const b = state.busy;
  if (!b) return null;
  const pct = b.step && b.step.total > 0 ? Math.round((100 * b.step.done) / b.step.total) : null;
  return h("div", { class: "progress", id: "progress" },
    h("div", { class: "label" }, `${b.label}… ${b.step ? `${b.step.done}/${b.step.total} ${b.step.message}` : ""}`),
    h("div", { class: "bar" }, h("div", { class: "fill", style: `width:${pct ?? 0}%` })),
    h("button", { onclick: () => api.cancel() }, "Cancel"));
}

export function renderProgress() {
  const old = document.getElementById("progress");
  const fresh = progressBar();
  if (old && fresh) old.replaceWith(fresh);
}
