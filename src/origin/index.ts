// The origin's public surface, for the composition root and tests.
export { Origin, type OriginOptions } from './origin.js';
export { createOriginHandler, type OriginAppOptions } from './originApp.js';
export { HttpError, type ErrorBody } from './errors.js';
export type { ChannelState, ChannelStatus, JsonValue, MediaLibrary, RenderedPlaylist, StatusReader } from './ports.js';
