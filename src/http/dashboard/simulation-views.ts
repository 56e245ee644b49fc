// A route simulation as the operator's Routes page shows it.

import { currencyOf, formatMinor } from '../../domain/money.js';
import type { SimulationFigures, SimulationRow } from '../../domain/route-simulation.js';
import type { RouteSimulation } from '../../services/route-simulation.js';
import type { RouteSimulationView, SimulationFiguresView, SimulationRowView } from './contract.js';

function figuresView(f: SimulationFigures): SimulationFiguresView {
  return {
    messages: f.messages,
    revenue: formatMinor(f.revenueMinor),
    cost: formatMinor(f.costMinor),
    cost_unknown: f.costUnknown,
    refused: f.refused,
    refused_revenue: formatMinor(f.refusedRevenueMinor),
    margin: formatMinor(f.marginMinor),
    margin_minor: f.marginMinor,
    expected_delivery_ppm: f.expectedDeliveryPpm,
  };
}

function signOf(currency: string): string {
  return currencyOf(currency)?.sign ?? currency;
}

function rowView(row: SimulationRow): SimulationRowView {
  return {
    currency: row.currency,
    sign: signOf(row.currency),
    key: row.key,
    label: row.label,
    actual: figuresView(row.actual),
    proposed: figuresView(row.proposed),
  };
}

export function routeSimulationView(result: RouteSimulation): RouteSimulationView {
  return {
    from: result.from,
    to: result.to,
    days: result.days,
    totals: result.totals.map((t) => ({
      currency: t.currency,
      sign: signOf(t.currency),
      moved: t.moved,
      unrouted: t.unrouted,
      refused: t.refused,
      refused_revenue: formatMinor(t.refusedRevenueMinor),
      actual: figuresView(t.actual),
      proposed: figuresView(t.proposed),
    })),
    providers: result.providers.map(rowView),
    countries: result.countries.map(rowView),
    unconfigured_providers: result.unconfigured ?? [],
  };
}
