// Seller routes: who am I, sellers created by the admin, and a seller's own API tokens.
import type { Router } from 'express';
import { z } from 'zod';
import { issueApiToken } from '../../commerce/auth.js';
import { conflict, notFound } from '../errors.js';
import { channelAdmin } from './channelView.js';
import { defineRoute, parseBody, parseParams, requireAdmin, requireSeller, sellerOf, type OpenApiRegistry } from './http.js';
import { channelAdminSchema, newSellerSchema, sellerSchema, tokenParams } from './schemas.js';
import type { ApiDeps } from './deps.js';

const newTokenSchema = z.object({
  id: z.string(),
  token: z.string().meta({ description: 'shown this once; only its hash is stored' }),
});

export function sellerRoutes(router: Router, registry: OpenApiRegistry, deps: ApiDeps): void {
  const { sellers, tokens, channels } = deps;
  const auth = requireSeller(deps.auth);
  const publicSeller = ({ id, name, role }: z.infer<typeof sellerSchema>) => ({ id, name, role });

  defineRoute(router, registry, {
    method: 'get',
    path: '/me',
    summary: 'The caller and the channels they own',
    tag: 'sellers',
    auth: 'seller',
    response: {
      status: 200,
      description: 'the caller',
      schema: z.object({ seller: sellerSchema, channels: z.array(channelAdminSchema) }),
    },
  }, auth, (req, res) => {
    const seller = sellerOf(req);
    res.json({
      seller: publicSeller(seller),
      channels: channels.listBySeller(seller.id).map((channel) => channelAdmin(channel, seller, deps)),
    });
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/sellers',
    summary: 'Create a seller and their first API token (admin only)',
    tag: 'sellers',
    auth: 'admin',
    body: newSellerSchema,
    response: {
      status: 201,
      description: 'the seller and their token',
      schema: z.object({ seller: sellerSchema, token: newTokenSchema.shape.token }),
    },
    errors: [409],
  }, requireAdmin(deps.auth), (req, res) => {
    const { name } = parseBody(newSellerSchema, req);
    if (sellers.byName(name)) throw conflict(`a seller named "${name}" exists`);
    const seller = sellers.create({ name, role: 'seller' });
    res.status(201).json({ seller: publicSeller(seller), token: issueApiToken(tokens, seller.id).token });
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/tokens',
    summary: 'Create another API token for the caller',
    tag: 'sellers',
    auth: 'seller',
    response: { status: 201, description: 'the new token', schema: newTokenSchema },
  }, auth, (req, res) => {
    res.status(201).json(issueApiToken(tokens, sellerOf(req).id));
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/tokens/:id',
    summary: 'Revoke one of the caller\'s API tokens',
    tag: 'sellers',
    auth: 'seller',
    params: tokenParams,
    response: { status: 204, description: 'revoked' },
    errors: [404],
  }, auth, (req, res) => {
    if (!tokens.remove(sellerOf(req).id, parseParams(tokenParams, req).id)) throw notFound('unknown token');
    res.status(204).end();
  });
}
