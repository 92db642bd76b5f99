// The risk dataset form's logic: role guesses, validation and the settings it produces
// (the seed's field names). Pure functions, unit-tested.
import type { UpdateResult } from "./api";
import { isIsoDate } from "./format";

export const ROLES = ["market", "style", "industry", "region", "other", "ignore"] as const;
export type Role = (typeof ROLES)[number];

export interface RiskChoices {
  name: string;
  reference: string;
  source: string;
  roles: Record<string, Role>;
  fill: boolean;
  huberize: boolean;
  trimAssets: string;
  trimStart: string;
  startDate: string;
  trimEnd: string;
  endDate: string;
  replace: boolean;
  /** Exchanges (MICs) the universe keeps; empty keeps all. */
  exchanges: string[];
}

/** The role a factor group's name suggests. */
export function guessRole(group: string): Role {
  const g = group.toLowerCase();
  for (const role of ["market", "style", "industry", "region"] as const) if (g === role) return role;
  if (/industr|sector/.test(g)) return "industry";
  if (/region|countr/.test(g)) return "region";
  if (/market|world/.test(g)) return "market";
  if (/style/.test(g)) return "style";
  return "ignore";
}

/** Why the roles cannot be used: each role but "ignore" names at most one group, and something is mapped. */
export function roleProblems(roles: Record<string, Role>): string[] {
  const problems: string[] = [];
  for (const role of ROLES.filter((r) => r !== "ignore")) {
    const groups = Object.keys(roles).filter((g) => roles[g] === role);
    if (groups.length > 1) problems.push(`Only one group can be ${role}; chosen: ${groups.join(", ")}.`);
  }
  if (!Object.values(roles).some((r) => r !== "ignore")) problems.push("Map at least one factor group to a role.");
  return problems;
}

/** Everything that keeps Create disabled, in the order the form shows it. */
export function formProblems(c: RiskChoices, ctx: { exists: boolean; hasReference: boolean; hasSource: boolean }): string[] {
  const problems: string[] = [];
  if (!c.name.trim()) problems.push("Give the risk dataset a name.");
  if (ctx.exists && !c.replace) problems.push(`'${c.name}' exists: tick "Replace it" or choose another name.`);
  if (!ctx.hasReference) problems.push("There is no reference dataset yet: import one under Settings › Reference data, or press \"Try with demo data\" on the Upload screen.");
  if (!ctx.hasSource) problems.push("No exposure dataset has a committed version yet: stage and commit files first.");
  problems.push(...roleProblems(c.roles));
  if (c.trimStart === "date" && !isIsoDate(c.startDate)) problems.push("Pick the start date (YYYY-MM-DD).");
  if (c.trimEnd === "date" && !isIsoDate(c.endDate)) problems.push("Pick the end date (YYYY-MM-DD).");
  if (c.trimStart === "date" && c.trimEnd === "date" && isIsoDate(c.startDate) && isIsoDate(c.endDate) && c.startDate > c.endDate)
    problems.push("The start date is after the end date.");
  return problems;
}

/** The roles of a source's groups: kept where already chosen, else guessed from the name. */
export function rolesFor(groups: string[], previous: Record<string, Role>): Record<string, Role> {
  return Object.fromEntries(groups.map((g) => [g, previous[g] ?? guessRole(g)]));
}

/** The settings JSON the engine expects. */
export function buildSettings(c: RiskChoices): Record<string, unknown> {
  const exposure: Record<string, unknown> = { exposure_type: "uploaded", exposure_source: c.source, style_factor_fill_miss: c.fill, style_factor_huberize: c.huberize };
  for (const [group, role] of Object.entries(c.roles)) if (role !== "ignore") exposure[`${role}_factor_group`] = group;
  return {
    reference_dataset: c.reference,
    exposures: [exposure],
    trim_assets: c.trimAssets,
    trim_start_date: c.trimStart === "date" ? c.startDate : c.trimStart,
    trim_end_date: c.trimEnd === "date" ? c.endDate : c.trimEnd,
    ...(c.exchanges.length > 0 ? { exchange_codes: [...c.exchanges].sort() } : {}),
  };
}

/** "My-Exposures version 1 → 2": the sources an update rebuilt from, with the versions before. */
export function updateSources(r: UpdateResult): string {
  return r.report.sources
    .map((s) => {
      const before = r.previous_sources.find((p) => p.dataset === s.dataset);
      return before && before.version !== s.version ? `${s.dataset} version ${before.version} → ${s.version}` : `${s.dataset} version ${s.version}`;
    })
    .join(", ");
}
