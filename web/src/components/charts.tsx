// Inline SVG charts: a donut of message outcomes and a bar chart of values per day.
import { useEffect, useId, useRef, useState } from 'react';
import type { MessageStatusName } from '../../../src/http/dashboard/contract.js';
import { count } from '../format.js';
import { statusText, type Translate } from './ui.js';

export interface Slice {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

/** How each status is drawn; messages being handed over count as submitted. Every status is named here. */
const OUTCOMES = {
  delivered: { color: '#059669' },
  undelivered: { color: '#d97706' },
  expired: { color: '#a16207' },
  rejected: { color: '#dc2626' },
  failed: { color: '#9f1239' },
  submitted: { color: '#6366f1' },
  submitting: null,
  queued: { color: '#94a3b8' },
  cancelled: { color: '#475569' },
  suppressed: { color: '#78716c' },
} as const satisfies Record<MessageStatusName, { readonly color: string } | null>;

/** Outcome slices in a fixed order. */
export function outcomeSlices(t: Translate, counts: Readonly<Record<MessageStatusName, number>>): Slice[] {
  const slices: Slice[] = [];
  for (const [key, drawn] of Object.entries(OUTCOMES) as [MessageStatusName, (typeof OUTCOMES)[MessageStatusName]][]) {
    if (drawn === null) continue;
    const value = key === 'submitted' ? counts.submitted + counts.submitting : counts[key];
    const label = key === 'suppressed' ? t('campaigns.suppressedOptedOut') : statusText(t, key);
    slices.push({ key, label, value, color: drawn.color });
  }
  return slices;
}

const RADIUS = 52;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

export function DonutChart({ slices, title }: { readonly slices: readonly Slice[]; readonly title: string }) {
  const titleId = useId();
  const descId = useId();
  const total = slices.reduce((sum, slice) => sum + slice.value, 0);
  const delivered = slices.find((slice) => slice.key === 'delivered')?.value ?? 0;
  let offset = 0;
  const arcs = slices
    .filter((slice) => slice.value > 0)
    .map((slice) => {
      const length = (slice.value / total) * CIRCUMFERENCE;
      const arc = { ...slice, length, offset };
      offset += length;
      return arc;
    });
  const description = slices.map((slice) => `${slice.label}: ${count(slice.value)}`).join(', ');
  return (
    <div className="donut">
      <svg viewBox="0 0 140 140" width="180" height="180" role="img" aria-labelledby={`${titleId} ${descId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        <circle cx="70" cy="70" r={RADIUS} fill="none" stroke="#e2e8f0" strokeWidth="18" />
        {arcs.map((arc) => (
          <circle
            key={arc.key}
            cx="70"
            cy="70"
            r={RADIUS}
            fill="none"
            stroke={arc.color}
            strokeWidth="18"
            strokeDasharray={`${arc.length} ${CIRCUMFERENCE - arc.length}`}
            strokeDashoffset={-arc.offset}
            transform="rotate(-90 70 70)"
          />
        ))}
        <text x="70" y="66" textAnchor="middle" className="donut-value">
          {total === 0 ? '—' : `${Math.round((delivered / total) * 100)}%`}
        </text>
        <text x="70" y="86" textAnchor="middle" className="donut-label">
          delivered
        </text>
      </svg>
      <ul className="legend">
        {slices.map((slice) => (
          <li key={slice.key}>
            <span className="legend-swatch" style={{ background: slice.color }} aria-hidden="true" />
            <span className="legend-label">{slice.label}</span>
            <span className="legend-value">{count(slice.value)}</span>
            <span className="legend-share muted">
              {slice.value === 0 || total === 0
                ? '0%'
                : `${((slice.value / total) * 100).toFixed(slice.value === total ? 0 : 1)}%`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface BarSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** Grouped bars per category (day): one bar per series, a few gridlines, labels thinned to fit. */
export function BarChart({
  categories,
  series,
  title,
}: {
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly title: string;
}) {
  const titleId = useId();
  const figure = useRef<HTMLElement>(null);
  // Drawn at the figure's own width, so that text and bars are never stretched.
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const element = figure.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(280, Math.round(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const height = 260;
  const left = 48;
  const bottom = 28;
  const top = 12;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((one) => one.values));
  const step = niceStep(max);
  const ceiling = Math.ceil(max / step) * step;
  const band = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.max(1, (band * 0.72) / series.length);
  const labelEvery = Math.ceil(categories.length / Math.max(2, Math.floor(plotWidth / 64)));
  const ticks: number[] = [];
  for (let tick = 0; tick <= ceiling; tick += step) ticks.push(tick);

  return (
    <figure className="bar-chart" ref={figure}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{title}</title>
        {ticks.map((tick) => {
          const y = top + plotHeight - (tick / ceiling) * plotHeight;
          return (
            <g key={tick}>
              <line x1={left} x2={width - 8} y1={y} y2={y} stroke="#e2e8f0" />
              <text x={left - 6} y={y + 4} textAnchor="end" className="axis-label">
                {compact(tick)}
              </text>
            </g>
          );
        })}
        {categories.map((category, index) => {
          const x0 = left + index * band + band * 0.14;
          return (
            <g key={category}>
              {series.map((one, seriesIndex) => {
                const value = one.values[index] ?? 0;
                const barHeight = (value / ceiling) * plotHeight;
                return (
                  <rect
                    key={one.label}
                    x={x0 + seriesIndex * barWidth}
                    y={top + plotHeight - barHeight}
                    width={barWidth}
                    height={barHeight}
                    rx={Math.min(2, barWidth / 3)}
                    fill={one.color}
                  >
                    <title>{`${category} · ${one.label}: ${count(value)}`}</title>
                  </rect>
                );
              })}
              {index % labelEvery === 0 && (
                <text x={left + index * band + band / 2} y={height - 8} textAnchor="middle" className="axis-label">
                  {category.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend legend-inline">
        {series.map((one) => (
          <span key={one.label}>
            <span className="legend-swatch" style={{ background: one.color }} aria-hidden="true" />
            {one.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function niceStep(max: number): number {
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (factor * magnitude >= rough) return Math.max(1, factor * magnitude);
  }
  return Math.max(1, 10 * magnitude);
}

function compact(value: number): string {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1_000) return `${value / 1_000}k`;
  return String(value);
}
