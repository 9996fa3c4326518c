import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TimeChartSeries {
  label: string;
  /** One value per x; null leaves a gap. */
  values: ReadonlyArray<number | null>;
  color: string;
}

export interface TimeChartProps {
  /** Names the chart for screen readers (the numbers are in the tables beside it). */
  label: string;
  /** Unix seconds. */
  x: readonly number[];
  series: readonly TimeChartSeries[];
  /** Bars (per-day amounts) instead of lines (rates). */
  bars?: boolean;
  /** How a y value is written on the axis and in the legend. */
  formatValue?: (value: number) => string;
  yRange?: [number, number];
  height?: number;
}

/** A small time-series chart on uPlot (about 20 kB gzipped), sized to its container. */
export function TimeChart({
  label,
  x,
  series,
  bars = false,
  formatValue = (value) => String(value),
  yRange,
  height = 220,
}: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const barPaths = bars ? uPlot.paths.bars?.({ size: [0.7, 40] }) : undefined;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      scales: { x: { time: true }, y: yRange ? { range: yRange } : { auto: true } },
      axes: [
        {},
        {
          values: (_chart, values) => values.map((value) => formatValue(value)),
          size: 64,
        },
      ],
      series: [
        {},
        ...series.map((entry) => ({
          label: entry.label,
          stroke: entry.color,
          fill: bars ? entry.color : undefined,
          width: bars ? 0 : 2,
          paths: barPaths,
          // Points too: an hour with data between empty ones is a line of length zero.
          points: { show: !bars, size: 5, fill: entry.color },
          value: (_chart: uPlot, value: number | null) =>
            value === null || value === undefined ? '–' : formatValue(value),
        })),
      ],
    };
    const data = [x, ...series.map((entry) => entry.values)] as uPlot.AlignedData;
    const chart = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [x, series, bars, formatValue, yRange, height]);

  return <div ref={container} className="time-chart" role="img" aria-label={label} />;
}
