// Product routes: each channel's catalog, readable by everyone, edited by the channel's owner.
import type { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../errors.js';
import { defineRoute, knownChannel, ownedChannel, parseBody, parseParams, requireSeller, type OpenApiRegistry } from './http.js';
import { channelParams, newProductSchema, productChangesSchema, productParams, productSchema } from './schemas.js';
import type { ApiDeps } from './deps.js';

export function productRoutes(router: Router, registry: OpenApiRegistry, deps: ApiDeps): void {
  const { channels, products, bus } = deps;
  const auth = requireSeller(deps.auth);
  const known = (slug: string): string => knownChannel(channels, slug).slug;

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels/:slug/products',
    summary: 'The channel\'s catalog, oldest first',
    tag: 'products',
    auth: 'public',
    params: channelParams,
    response: { status: 200, description: 'products', schema: z.object({ products: z.array(productSchema) }) },
    errors: [404],
  }, (req, res) => {
    res.json({ products: products.listByChannel(known(parseParams(channelParams, req).slug)) });
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels/:slug/products/:id',
    summary: 'One product',
    tag: 'products',
    auth: 'public',
    params: productParams,
    response: { status: 200, description: 'the product', schema: productSchema },
    errors: [404],
  }, (req, res) => {
    const { slug, id } = parseParams(productParams, req);
    const product = products.byId(known(slug), id);
    if (!product) throw notFound('unknown product');
    res.json(product);
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/channels/:slug/products',
    summary: 'Add a product to the catalog',
    tag: 'products',
    auth: 'seller',
    params: channelParams,
    body: newProductSchema,
    response: { status: 201, description: 'the product', schema: productSchema },
    errors: [403, 404],
  }, auth, (req, res) => {
    const { slug } = ownedChannel(req, channels, parseParams(channelParams, req).slug);
    res.status(201).json(products.create(slug, parseBody(newProductSchema, req)));
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/channels/:slug/products/:id',
    summary: 'Change a product; pages showing it pinned update at once',
    tag: 'products',
    auth: 'seller',
    params: productParams,
    body: productChangesSchema,
    response: { status: 200, description: 'the product', schema: productSchema },
    errors: [403, 404],
  }, auth, (req, res) => {
    const params = parseParams(productParams, req);
    const { slug } = ownedChannel(req, channels, params.slug);
    const product = products.update(slug, params.id, parseBody(productChangesSchema, req));
    if (!product) throw notFound('unknown product');
    bus.emit('product.updated', { product });
    res.json(product);
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/channels/:slug/products/:id',
    summary: 'Delete a product (unpinned first if it is pinned)',
    tag: 'products',
    auth: 'seller',
    params: productParams,
    response: { status: 204, description: 'deleted' },
    errors: [403, 404],
  }, auth, (req, res) => {
    const params = parseParams(productParams, req);
    const { slug } = ownedChannel(req, channels, params.slug);
    if (!products.remove(slug, params.id)) throw notFound('unknown product');
    // Live commerce listens: it closes the product's pin (pins keep their own copy of the name) and tells pages.
    bus.emit('product.deleted', { slug, productId: params.id });
    res.status(204).end();
  });
}
