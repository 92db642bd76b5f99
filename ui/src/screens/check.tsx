// Screen 2, Check & commit: what the last staging did, the sanity checks with their heatmaps,
// what committing would do to a risk model (Model impact), per-day charts with read-out and day
// picking, the detail table, wipe and commit. The state and the actions are in check/state.ts,
// check/stage.ts, check/commit.ts and check/impact.ts; each card in its module.
import { useEffect } from "preact/hooks";
import { dataset, thresholds } from "../store";
import { Outcome } from "../ui";
import { CommittedCard, StagedCard } from "./check/cards";
import { DayCharts } from "./check/dayCharts";
import { DetailCard } from "./check/detail";
import { FindingsCard } from "./check/findings";
import { HeatmapCard } from "./check/heatmap";
import { ImpactCard } from "./check/impactCard";
import { committed, committing, detail, loading, replacing, show, wiping } from "./check/state";

/** The Check screen of the current dataset; it loads again when the dataset or the thresholds change. */
export function CheckScreen() {
  const ds = dataset.value;
  useEffect(() => show(ds), [ds, thresholds.value]);
  useEffect(() => () => [loading, replacing, committing, wiping].forEach((a) => a.leave()), []);
  const hasRows = detail.value.length > 0;
  const c = committed.value;
  return (
    <main>
      <h1>{`Check ${ds}`}</h1>
      <Outcome action={loading} id="check-load" />
      <StagedCard />
      <CommittedCard />
      {!hasRows ? <p class="muted">{c && c.dataset === ds ? "Nothing else is staged." : "Nothing is staged: drop files on the Upload screen."}</p> : null}
      {hasRows ? <FindingsCard /> : null}
      {hasRows ? <ImpactCard /> : null}
      {hasRows ? <HeatmapCard /> : null}
      {hasRows ? <DayCharts /> : null}
      {hasRows ? <DetailCard /> : null}
    </main>
  );
}
