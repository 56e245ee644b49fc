// The dashboard as one piece the HTTP app registers: its JSON API under /app/api and the web client under /app.
import type { FastifyInstance } from 'fastify';
import type { DashboardServices } from '../../services/dashboard.js';
import { dashboardApi, withTextCodes } from './api.js';
import { DASHBOARD_API } from './contract.js';
import { DEFAULT_WEB_ROOT, dashboardWeb } from './web.js';

/** Requests a minute one dashboard user may make (a live price while typing included). */
export const DASHBOARD_RATE_LIMIT_PER_MINUTE = 1200;

/** A URL of the dashboard's API: /app/api itself or any path under it. */
const UNDER_DASHBOARD_API = new RegExp(`^${DASHBOARD_API}(?:[/?]|$)`);

export interface DashboardDeps {
  readonly services: DashboardServices;
  /** The built web client (index.html, assets/); `dist/web` of the checkout by default. */
  readonly webRoot?: string;
  readonly rateLimitPerMinute?: number;
}

export async function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  // On the app, not in the dashboard's scope, so that the app's own answers under /app/api (an unknown path, a wrong
  // method) are coded too; nothing outside /app/api changes.
  // Callback style, as every per-request hook of the app: an async hook costs a promise on every answer.
  app.addHook('preSerialization', (request, reply, payload, done) => {
    done(null, reply.statusCode >= 400 && UNDER_DASHBOARD_API.test(request.url) ? withTextCodes(payload) : payload);
  });
  await app.register(dashboardApi, {
    prefix: DASHBOARD_API,
    services: deps.services,
    rateLimitPerMinute: deps.rateLimitPerMinute ?? DASHBOARD_RATE_LIMIT_PER_MINUTE,
  });
  await app.register(dashboardWeb, { root: deps.webRoot ?? DEFAULT_WEB_ROOT });
}
