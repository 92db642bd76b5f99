// The risk dataset form's logic: role guesses, validation and the settings it produces
// (the seed's field names). Pure functions, unit-tested.

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
