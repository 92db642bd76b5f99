// An engine chart on the Check screen: its SVG, and a read-out of the day slot or bin under the
// pointer, with click and arrow keys to pick one.
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Chart } from "../../api";
import { slotAt, slotCentre, svgX } from "../../charts";

/** Sets an SVG drawn by the engine (from numbers, not user text) only when its text changes. */
export function SvgHost({ svg }: { svg: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (ref.current && drawn.current !== svg) {
      ref.current.innerHTML = svg;
      drawn.current = svg;
    }
  }, [svg]);
  return <div class="svghost" ref={ref} />;
}

interface FigureProps {
  chart: Chart;
  /** Day slots or histogram bins across the plot. */
  slots: number;
  describe: (i: number) => string;
  hint: string;
  selected: number | null;
  /** Click and ←/→ choose a slot. */
  pick?: (i: number) => void;
  extra?: ComponentChildren;
  id?: string;
}

/** One engine chart with a read-out of the slot under the pointer and, with `pick`, click and arrow keys to choose one. */
export function ChartFigure({ chart, slots, describe, hint, selected, pick, extra, id }: FigureProps) {
  const [hover, setHover] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const at = (e: MouseEvent) => {
    const rect = box.current!.getBoundingClientRect();
    return slotAt(chart.plot, slots, svgX(e.clientX, rect.left, rect.width, chart.width));
  };
  const top = (100 * chart.plot.top) / chart.height;
  const height = (100 * (chart.plot.bottom - chart.plot.top)) / chart.height;
  const line = (i: number) => ({ left: `${100 * slotCentre(chart.plot, slots, i, chart.width)}%`, top: `${top}%`, height: `${height}%` });
  const resting = selected !== null && pick ? describe(selected) : hint;
  return (
    <figure class={`chart ${pick ? "pickable" : ""}`} id={id ?? `chart-${chart.id}`} tabIndex={pick ? 0 : undefined} aria-label={chart.title}
      onKeyDown={(e) => {
        if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && selected !== null && pick) {
          e.preventDefault();
          pick(selected + (e.key === "ArrowLeft" ? -1 : 1));
        }
      }}>
      <figcaption><span class="title">{chart.title}</span>{extra}</figcaption>
      <div class="svg" ref={box}
        onMouseMove={(e) => setHover(at(e))}
        onMouseLeave={() => setHover(null)}
        onClick={pick ? (e) => { const i = at(e); if (i !== null) pick(i); } : undefined}>
        <SvgHost svg={chart.svg} />
        {selected !== null && selected < slots ? <div class="mark" style={line(selected)} /> : null}
        {hover !== null ? <div class="cursor" style={line(hover)} /> : null}
      </div>
      <div class="readout">{hover !== null ? describe(hover) : resting}</div>
    </figure>
  );
}
