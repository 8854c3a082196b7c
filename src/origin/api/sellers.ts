// Seller routes: who am I, sellers created by the admin, and a seller's own API tokens: listed (never the secret),
// created with a name (the secret shown once) and revoked (refused at once from then on).
import type { Router } from 'express';
import { z } from 'zod';
import { issueApiToken } from '../../commerce/auth.js';
import type { ApiToken } from '../../store/ports.js';
import { conflict, notFound } from '../errors.js';
import { channelAdmin } from './channelView.js';
import { defineRoute, parseBody, parseParams, requireAdmin, requireSeller, sellerOf, tokenIdOf, type OpenApiRegistry } from './http.js';
import { channelAdminSchema, newSellerSchema, newTokenBodySchema, sellerSchema, tokenParams, tokenSchema, type TokenView } from './schemas.js';
import type { ApiDeps } from './deps.js';

const secretSchema = z.string().meta({ description: 'the token itself: shown this once; only its hash is stored' });
const newTokenSchema = tokenSchema.extend({ token: secretSchema });

const tokenView = (token: ApiToken, currentId: string): TokenView => ({
  id: token.id,
  name: token.name,
  source: token.source,
  createdAt: token.createdAt,
  lastUsedAt: token.lastUsedAt,
  current: token.id === currentId,
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
      schema: z.object({ seller: sellerSchema, token: secretSchema }),
    },
    errors: [409],
  }, requireAdmin(deps.auth), (req, res) => {
    const { name } = parseBody(newSellerSchema, req);
    if (sellers.byName(name)) throw conflict(`a seller named "${name}" exists`);
    const seller = sellers.create({ name, role: 'seller' });
    res.status(201).json({ seller: publicSeller(seller), token: issueApiToken(tokens, seller.id, 'first token').token });
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/tokens',
    summary: 'The caller\'s API tokens (names and dates, never the tokens), oldest first',
    tag: 'sellers',
    auth: 'seller',
    response: { status: 200, description: 'tokens', schema: z.object({ tokens: z.array(tokenSchema) }) },
  }, auth, (req, res) => {
    const current = tokenIdOf(req);
    res.json({ tokens: tokens.list(sellerOf(req).id).map((token) => tokenView(token, current)) });
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/tokens',
    summary: 'Create another API token for the caller; the answer holds it, shown this once',
    tag: 'sellers',
    auth: 'seller',
    body: newTokenBodySchema,
    response: { status: 201, description: 'the new token', schema: newTokenSchema },
  }, auth, (req, res) => {
    const { name } = parseBody(newTokenBodySchema, req);
    const { record, token } = issueApiToken(tokens, sellerOf(req).id, name);
    res.status(201).json({ ...tokenView(record, tokenIdOf(req)), token });
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/tokens/:id',
    summary: 'Revoke one of the caller\'s API tokens: it is refused (401) from now on, the token making this call too',
    tag: 'sellers',
    auth: 'seller',
    params: tokenParams,
    response: { status: 204, description: 'revoked' },
    errors: [404, 409],
  }, auth, (req, res) => {
    const sellerId = sellerOf(req).id;
    const { id } = parseParams(tokenParams, req);
    const token = tokens.list(sellerId).find((t) => t.id === id);
    if (!token) throw notFound('unknown token');
    // Revoked here, the next start would register it again from the variable: replace it there instead.
    if (token.source === 'env') throw conflict('this token is SHOPCAST_ADMIN_TOKEN: change or remove the variable and restart to replace it');
    tokens.remove(sellerId, id);
    res.status(204).end();
  });
}
