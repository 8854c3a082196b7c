// The API's own description: every /api route records itself here when it is mounted (api/http.ts defineRoute),
// and /api/openapi.json is rendered from these records, so the document cannot drift from the routes.
import { z } from 'zod';
import type { JsonValue } from './ports.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/**
 * Who may call a route. `optional` routes are public but know the caller when a token is sent (e.g. a seller's
 * chat message is marked as the seller's).
 */
export type RouteAuth = 'public' | 'optional' | 'seller' | 'admin';

export interface RouteResponse {
  status: number;
  description: string;
  /** Absent for bodiless answers (204). */
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
}

export interface RouteSpec {
  method: HttpMethod;
  /** Express path under the router's mount point, with `:name` parameters, e.g. `/channels/:slug`. */
  path: string;
  summary: string;
  /** Groups operations in the document (`channels`, `products`, ...). */
  tag: string;
  auth: RouteAuth;
  /** Required whenever `path` has parameters; its keys must be exactly those parameters. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON request body; routes without one ignore any body sent. */
  body?: z.ZodType;
  response: RouteResponse;
  /**
   * Error statuses beyond those the spec implies (400 for params/query/body, 401 for auth, 403 for admin,
   * 413/415 for a body), e.g. 404, 409, 429.
   */
  errors?: number[];
}

export interface RegisteredRoute extends RouteSpec {
  /** Path as documented: the registry's base path + the route path in OpenAPI form (`/api/channels/{slug}`). */
  openApiPath: string;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid parameters or body; the message names the field',
  401: 'missing or invalid bearer token',
  403: 'the token may not do this (not the owner, not an admin)',
  404: 'no such resource',
  409: 'conflicts with the current state',
  413: 'body larger than 64 KiB',
  415: 'body is not application/json',
  429: 'rate limited; see Retry-After',
  503: 'the server is at capacity; see Retry-After',
};

/** The one error shape of the whole HTTP surface (errors.ts ErrorBody). */
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

type JsonObject = { [key: string]: JsonValue };

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // The document embeds each schema; its dialect is the document's own (OpenAPI 3.1 = JSON Schema 2020-12).
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest as JsonObject;
}

/** `/channels/:slug` → `/channels/{slug}`. */
function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Parameter names of an express path, in order. */
export function pathParams(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

function impliedErrors(spec: RouteSpec): number[] {
  const statuses = new Set(spec.errors ?? []);
  if (spec.params || spec.query || spec.body) statuses.add(400);
  if (spec.auth !== 'public') statuses.add(401);
  if (spec.auth === 'admin') statuses.add(403);
  if (spec.body) {
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort((a, b) => a - b);
}

export class OpenApiRegistry {
  readonly #routes: RegisteredRoute[] = [];

  /** `basePath` is where the documented router is mounted, e.g. `/api`. */
  constructor(readonly basePath: string) {}

  add(spec: RouteSpec): RegisteredRoute {
    const route: RegisteredRoute = { ...spec, openApiPath: this.basePath + openApiPath(spec.path) };
    if (this.#routes.some((r) => r.method === route.method && r.openApiPath === route.openApiPath)) {
      throw new Error(`openapi: ${route.method.toUpperCase()} ${route.openApiPath} is defined twice`);
    }
    this.#routes.push(route);
    return route;
  }

  routes(): readonly RegisteredRoute[] {
    return this.#routes;
  }

  document(info: { title: string; version: string; description?: string }): JsonObject {
    const paths: Record<string, JsonObject> = {};
    for (const route of this.#routes) {
      (paths[route.openApiPath] ??= {})[route.method] = operation(route);
    }
    return {
      openapi: '3.1.0',
      info: { ...info },
      paths,
      components: {
        schemas: { Error: toJsonSchema(errorSchema, 'output') },
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API token (sc_...)' } },
      },
    };
  }
}

function parameters(route: RegisteredRoute): JsonValue[] {
  const list: JsonValue[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      list.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        schema: toJsonSchema(field, 'input'),
      });
    }
  }
  return list;
}

/** `post /api/channels/{slug}/key` → `postApiChannelsSlugKey`: unique because method + path are. */
function operationId(route: RegisteredRoute): string {
  const words = route.openApiPath.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function operation(route: RegisteredRoute): JsonObject {
  const { response } = route;
  const success: JsonObject = { description: response.description };
  if (response.schema) {
    success.content = { [response.contentType ?? 'application/json']: { schema: toJsonSchema(response.schema, 'output') } };
  }
  const responses: Record<string, JsonValue> = { [String(response.status)]: success };
  for (const status of impliedErrors(route)) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const op: JsonObject = {
    operationId: operationId(route),
    summary: route.summary,
    tags: [route.tag],
    responses,
  };
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: toJsonSchema(route.body, 'input') } } };
  }
  if (route.auth === 'seller' || route.auth === 'admin') op.security = [{ bearerAuth: [] }];
  if (route.auth === 'optional') op.security = [{}, { bearerAuth: [] }];
  return op;
}
