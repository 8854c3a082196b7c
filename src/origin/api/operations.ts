// Operator and seller views of the running gateway: every live stream's figures and the health checks for the admin
// (they name FFmpeg pids, paths and errors), and a seller's own stream health for the studio's chart.
import type { Router } from 'express';
import { z } from 'zod';
import { defineRoute, ownedChannel, parseParams, requireAdmin, requireSeller, type OpenApiRegistry } from './http.js';
import { channelParams, healthReportSchema, streamHealthSchema, streamReportSchema } from './schemas.js';
import type { ApiDeps } from './deps.js';
import { notFound } from '../errors.js';

export function operationRoutes(router: Router, registry: OpenApiRegistry, deps: ApiDeps): void {
  const admin = requireAdmin(deps.auth);

  defineRoute(router, registry, {
    method: 'get',
    path: '/streams',
    summary: 'Live streams with ingest, transcoder and packager figures (admin only)',
    tag: 'operations',
    auth: 'admin',
    response: { status: 200, description: 'live streams', schema: z.object({ streams: z.array(streamReportSchema) }) },
  }, admin, (_req, res) => {
    res.json({ streams: deps.status.streams() });
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/health',
    summary: 'The gateway\'s health checks in detail (admin only; GET /healthz answers just ok)',
    tag: 'operations',
    auth: 'admin',
    response: { status: 200, description: 'checks', schema: healthReportSchema },
  }, admin, (_req, res) => {
    res.json(deps.status.health());
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels/:slug/health',
    summary: 'The channel\'s stream health: bitrate, frame rate, keyframe interval, transcoder speed and restarts',
    tag: 'channels',
    auth: 'seller',
    params: channelParams,
    response: { status: 200, description: 'stream health', schema: streamHealthSchema },
    errors: [403, 404],
  }, requireSeller(deps.auth), (req, res) => {
    const { slug } = ownedChannel(req, deps.channels, parseParams(channelParams, req).slug);
    const health = deps.status.streamHealth(slug);
    if (!health) throw notFound('unknown channel');
    res.json(health);
  });
}
