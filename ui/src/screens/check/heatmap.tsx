// The factor × date heatmaps of the staged data: which one, a read-out of the cell under the
// pointer, and a click that picks the cell's day.
import { useRef, useState } from "preact/hooks";
import { heatReadout, rowAt, slotAt, svgX } from "../../charts";
import { Select } from "../../ui";
import { heatmaps, heatShown, selectDate } from "./state";
import { SvgHost } from "./figure";

/** The heatmap shown, its picker and its read-out; nothing when the checks drew none. */
export function HeatmapCard() {
  const maps = heatmaps.value;
  const [hover, setHover] = useState<{ r: number; c: number } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  if (maps.length === 0 || maps[0].factors.length === 0) return null;
  const hm = maps[Math.min(heatShown.value, maps.length - 1)];
  const at = (e: MouseEvent) => {
    const rect = box.current!.getBoundingClientRect();
    const x = svgX(e.clientX, rect.left, rect.width, hm.chart.width);
    const y = ((e.clientY - rect.top) * hm.chart.height) / Math.max(1, rect.height);
    const c = slotAt(hm.chart.plot, hm.days.length, x);
    const r = rowAt(hm.chart.plot, hm.factors.length, y);
    return c === null || r === null ? null : { r, c };
  };
  return (
    <figure class="chart heatmap" id="heatmap">
      <figcaption>
        <span class="title">{hm.chart.title}</span>
        <Select id="heatmetric" label="Heatmap" value={String(heatShown.value)} onChange={(v) => (heatShown.value = Number(v))}
          options={maps.map((m, i) => ({ value: String(i), label: m.metric === "missing" ? "missing values" : "standardisation" }))} />
      </figcaption>
      <div class="svg" ref={box} onMouseMove={(e) => setHover(at(e))} onMouseLeave={() => setHover(null)}
        onClick={(e) => { const h = at(e); if (h) selectDate(hm.days[h.c]); }}>
        <SvgHost svg={hm.chart.svg} />
      </div>
      <div class="readout">{hover ? heatReadout(hm, hover.r, hover.c) : "Point at a cell for its value; click to pick its day"}</div>
    </figure>
  );
}
