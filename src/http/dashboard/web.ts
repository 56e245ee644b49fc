// The built web client under /app (index.html for every client-side route), and `/` sending browsers there.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TEXTS } from '../../domain/texts.js';
import { DASHBOARD_API, DASHBOARD_BASE } from './contract.js';

/** Where the web build writes (`dist/web` of the checkout), from src/http/dashboard and dist/http/dashboard alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/** Vite names built assets after their content: they never change under one name. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file a path under /app names inside `root`, or null when it would leave it. */
function inside(root: string, path: string): string | null {
  const file = resolve(root, path);
  const rel = relative(root, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : rel;
}

export async function dashboardWeb(app: FastifyInstance, options: { readonly root: string }): Promise<void> {
  const root = resolve(options.root);
  await app.register(fastifyStatic, { root, serve: false });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = (request.params as { '*'?: string })['*'] ?? '';
    // The API's unknown paths are the API's 404 (or 405), never the client's index.html.
    if (`${DASHBOARD_BASE}/${path}` === DASHBOARD_API || `${DASHBOARD_BASE}/${path}`.startsWith(`${DASHBOARD_API}/`)) {
      return reply.callNotFound();
    }
    if (!(await isFile(resolve(root, 'index.html')))) {
      return reply.code(503).type('text/plain; charset=utf-8').send(TEXTS.dashboardNotBuilt);
    }
    const file = path === '' ? null : inside(root, path);
    if (file !== null && (await isFile(resolve(root, file)))) {
      reply.header('cache-control', file.startsWith('assets/') ? ASSET_CACHE : 'no-cache');
      return reply.sendFile(file, root, { cacheControl: false });
    }
    // Any other path is a route of the client's own router.
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', root, { cacheControl: false });
  };
  const config = { rateLimit: false } as const;
  const schema = { hide: true };
  app.get(DASHBOARD_BASE, { config, schema }, serve);
  app.get(`${DASHBOARD_BASE}/*`, { config, schema }, serve);
  app.get('/', { config, schema }, async (_request, reply) => reply.redirect(`${DASHBOARD_BASE}/`, 302));
}
