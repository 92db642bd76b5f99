// The Risk model screen's form rules: the settings sent for the user's choices (only what differs
// from the engine's defaults, so the defaults live in one place) and what stops a creation.
// Pure functions, unit-tested.

/** What the form holds; numbers as typed. */
export interface ModelChoices {
  name: string;
  riskDataset: string;
  weights: "SqrtCap" | "Equal";
  clipLow: string;
  clipHigh: string;
  /** The zero-sum constraint of every categorical group. */
  constraint: "mcap_weighted" | "equal_weights" | "none";
  halflifeVol: string;
  halflifeCor: string;
  halflifeIdio: string;
  nwLags: string;
  replace: boolean;
}

export const MODEL_DEFAULTS: ModelChoices = {
  name: "My-Risk-Model", riskDataset: "", weights: "SqrtCap", clipLow: "-0.1", clipHigh: "0.1", constraint: "mcap_weighted",
  halflifeVol: "42", halflifeCor: "126", halflifeIdio: "42", nwLags: "0", replace: false,
};

const number = (s: string): number | null => (s.trim() === "" ? null : Number(s.trim()));

/** The settings JSON for `c`, with `groups` the risk dataset's categorical groups. */
export function modelSettings(c: ModelChoices, groups: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { risk_dataset: c.riskDataset };
  if (c.weights !== MODEL_DEFAULTS.weights) out.weights = c.weights;
  if (c.clipLow.trim() !== MODEL_DEFAULTS.clipLow || c.clipHigh.trim() !== MODEL_DEFAULTS.clipHigh) {
    out.return_clip_bounds = [number(c.clipLow), number(c.clipHigh)];
  }
  if (c.constraint !== MODEL_DEFAULTS.constraint && groups.length > 0) {
    out.zero_sum_constraints = Object.fromEntries(groups.map((g) => [g, c.constraint]));
  }
  const fields: [keyof ModelChoices, string][] = [
    ["halflifeVol", "halflife_factor_vol"], ["halflifeCor", "halflife_factor_cor"], ["halflifeIdio", "halflife_idio_vol"], ["nwLags", "nw_lags"],
  ];
  for (const [key, field] of fields) {
    if (String(c[key]).trim() !== MODEL_DEFAULTS[key]) out[field] = number(String(c[key]));
  }
  return out;
}

/** Why Create cannot run yet, in words (empty when it can). A name that exists is not listed:
 * the form says so beside the name, with Replace. */
export function modelProblems(c: ModelChoices): string[] {
  const p: string[] = [];
  if (!c.name.trim()) p.push("Give the model a name.");
  if (!c.riskDataset) p.push("Choose a risk dataset (create one on the Risk dataset screen).");
  const low = number(c.clipLow);
  const high = number(c.clipHigh);
  if (low !== null && !(Number.isFinite(low) && low <= 0)) p.push(`The lower clip bound ${c.clipLow.trim()} must be 0 or negative (empty: none).`);
  if (high !== null && !(Number.isFinite(high) && high >= 0)) p.push(`The upper clip bound ${c.clipHigh.trim()} must be 0 or positive (empty: none).`);
  const halflives: [string, string][] = [["factor volatility", c.halflifeVol], ["factor correlation", c.halflifeCor], ["specific risk", c.halflifeIdio]];
  for (const [what, v] of halflives) {
    const h = number(v);
    if (h === null || !(Number.isFinite(h) && h > 0)) p.push(`The ${what} half-life must be a number of model dates above 0, not "${v.trim()}".`);
  }
  const lags = number(c.nwLags);
  if (lags === null || !Number.isInteger(lags) || lags < 0 || lags > 63) p.push(`Newey–West lags must be a whole number from 0 to 63, not "${c.nwLags.trim()}".`);
  return p;
}
