// The route an HTTP answer is counted under: a template of what the URL names, never the URL itself (no slug, file
// name, query or hostile path), so the metrics' label values stay few however many channels and requests there are.
import { API_BASE } from '../origin/api/index.js';
import { DASH_MANIFEST, LIVE_PREFIX, MASTER_PLAYLIST, UTC_TIME_PATH, VOD_PREFIX, parseMediaPath, type MediaPrefix } from '../media-names.js';

/** A file of the pages' folder (a script, a stylesheet): express.static answers it, with no route of its own. */
export const STATIC_ROUTE = 'static';
/** Anything else: unknown paths, malformed media names, requests refused before any route matched. */
export const OTHER_ROUTE = 'other';

/** Built once per prefix: templating runs for every media request, the origin's hottest path. */
function mediaTemplates(prefix: MediaPrefix) {
  const base = `${prefix}${prefix === LIVE_PREFIX ? ':slug' : ':show'}`;
  return {
    [MASTER_PLAYLIST]: `${base}/${MASTER_PLAYLIST}`,
    [DASH_MANIFEST]: `${base}/${DASH_MANIFEST}`,
    media: `${base}/:rung/index.m3u8`,
    image: `${base}/:image`,
    init: `${base}/:rung/init`,
    segment: `${base}/:rung/segment`,
    part: `${base}/:rung/part`,
    dashInit: `${base}/:rung/dash-init`,
    dashSegment: `${base}/:rung/dash-segment`,
  };
}

const LIVE = mediaTemplates(LIVE_PREFIX);
const VOD = mediaTemplates(VOD_PREFIX);

function mediaRoute(path: string, prefix: MediaPrefix): string {
  if (path === UTC_TIME_PATH) return UTC_TIME_PATH;
  const target = parseMediaPath(path, prefix);
  if (!('kind' in target)) return OTHER_ROUTE;
  const templates = prefix === LIVE_PREFIX ? LIVE : VOD;
  switch (target.kind) {
    case 'playlist':
      return target.name === MASTER_PLAYLIST || target.name === DASH_MANIFEST ? templates[target.name] : templates.media;
    case 'image':
      return templates.image;
    case 'file':
      return target.file.endsWith('.m4s') ? templates.segment : templates.init;
    case 'part':
      return templates.part;
    case 'track':
      return target.track.kind === 'init' ? templates.dashInit : templates.dashSegment;
  }
}

/**
 * The route of an answer to `path` (the request's path, without its query). `expressRoute` is the path of the express
 * route that answered (relative to its router), if one did; `status` (undefined: none was sent) tells a served page
 * asset from a miss.
 */
export function routeOf(path: string, expressRoute: string | undefined, status: number | undefined): string {
  if (path.startsWith(LIVE_PREFIX)) return mediaRoute(path, LIVE_PREFIX);
  if (path.startsWith(VOD_PREFIX)) return mediaRoute(path, VOD_PREFIX);
  const api = path.startsWith(`${API_BASE}/`);
  if (expressRoute !== undefined) return api ? API_BASE + expressRoute : expressRoute;
  return !api && status !== undefined && status < 400 ? STATIC_ROUTE : OTHER_ROUTE;
}
