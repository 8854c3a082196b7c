// The JSON API under /api and the public /healthz probe. Every /api route is mounted through defineRoute (http.ts), which
// also records it for /api/openapi.json, so the document lists exactly the routes that answer.
//
// Adding routes from another module (live commerce): write a route module
//   export function liveRoutes(deps: LiveDeps): ApiRouteModule {
//     return (router, registry) => defineRoute(router, registry, { method: 'get', path: '/channels/:slug/pins', ... }, handler);
//   }
// and pass it to apiRouter({ ..., extraRoutes: [liveRoutes(deps)] }) in app.ts. Paths are relative to /api;
// extra routes are mounted after the built-in ones, before the JSON 404 for unknown /api paths.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { channelRoutes } from './channels.js';
import type { ApiDeps } from './deps.js';
import { destinationRoutes } from './destinations.js';
import { defineRoute, OpenApiRegistry } from './http.js';
import { operationRoutes } from './operations.js';
import { productRoutes } from './products.js';
import { sellerRoutes } from './sellers.js';
import { unmatched } from '../errors.js';

export type { ApiDeps } from './deps.js';

/** Mounts routes on the /api router and documents them in the registry (both through defineRoute). */
export type ApiRouteModule = (router: Router, registry: OpenApiRegistry) => void;

export interface ApiOptions extends ApiDeps {
  extraRoutes?: readonly ApiRouteModule[];
}

/** Where the JSON API is mounted: its route paths are relative to it. */
export const API_BASE = '/api';

/** API answers change with every action and pages poll them: no cache may keep a stale "offline" or price. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** Builds the /api routes on a fresh router, and the registry that documents them. */
export function buildApi(opts: ApiOptions): { api: Router; registry: OpenApiRegistry } {
  const registry = new OpenApiRegistry(API_BASE);
  const api = Router({ caseSensitive: true, strict: true });
  api.use(noStore);

  operationRoutes(api, registry, opts);
  sellerRoutes(api, registry, opts);
  channelRoutes(api, registry, opts);
  productRoutes(api, registry, opts);
  destinationRoutes(api, registry, opts);
  for (const mount of opts.extraRoutes ?? []) mount(api, registry);

  defineRoute(api, registry, {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    auth: 'public',
    response: { status: 200, description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
  }, (_req, res) => {
    res.json(document);
  });
  // Rendered once: routes are all mounted by now and never change while running.
  const document = registry.document({
    title: 'shopcast API',
    version: '1',
    description: 'Live video commerce: channels, products, pins, chat. Writes need "Authorization: Bearer <token>".',
  });

  api.use(unmatched);
  return { api, registry };
}

export function apiRouter(opts: ApiOptions): Router {
  const router = Router({ caseSensitive: true, strict: true });
  // The probe (Docker, load balancers) is public, so it says only whether the gateway is fine; the checks behind the
  // answer name paths and versions, and are the admin's (GET /api/health).
  router.get('/healthz', noStore, (_req, res) => {
    const { ok } = opts.status.health();
    res.status(ok ? 200 : 503).json({ ok });
  });
  router.use(API_BASE, buildApi(opts).api);
  return router;
}
