// Route templates of HTTP answers: what a URL names, never its slug, file name or query.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OTHER_ROUTE, STATIC_ROUTE, routeOf } from '../../../src/metrics/http-routes.js';

describe('routeOf', () => {
  test('live and recorded media are named by what they are', () => {
    const cases: [string, string][] = [
      ['/live/demo/master.m3u8', '/live/:slug/master.m3u8'],
      ['/live/demo/manifest.mpd', '/live/:slug/manifest.mpd'],
      ['/live/demo/720p/index.m3u8', '/live/:slug/:rung/index.m3u8'],
      ['/live/demo/720p/r1-7.m4s', '/live/:slug/:rung/segment'],
      ['/live/demo/720p/r1-init0.mp4', '/live/:slug/:rung/init'],
      ['/live/demo/720p/r1-0.3.2.m4s', '/live/:slug/:rung/part'],
      ['/live/demo/720p/r1-7.v.m4s', '/live/:slug/:rung/dash-segment'],
      ['/live/demo/720p/r1-init0.a.mp4', '/live/:slug/:rung/dash-init'],
      ['/live/demo/poster.jpg', '/live/:slug/:image'],
      ['/live/time', '/live/time'],
      ['/vod/0b7e6f3c-8d7a-4c1e-9f00-123456789abc/master.m3u8', '/vod/:show/master.m3u8'],
      ['/vod/0b7e6f3c-8d7a-4c1e-9f00-123456789abc/source/r-3.m4s', '/vod/:show/:rung/segment'],
      ['/vod/0b7e6f3c-8d7a-4c1e-9f00-123456789abc/pin-0b7e6f3c-8d7a-4c1e-9f00-123456789abc.jpg', '/vod/:show/:image'],
    ];
    for (const [path, route] of cases) assert.equal(routeOf(path, undefined, 200), route, path);
  });

  test('malformed or unknown media paths are "other", whatever they hold', () => {
    for (const path of ['/live/', '/live/demo', '/live/DEMO/master.m3u8', '/live/demo/720p/..%2f..%2fetc%2fpasswd', '/live/demo/a/b/c', '/vod/x/y/z/w']) {
      assert.equal(routeOf(path, undefined, 404), OTHER_ROUTE, path);
    }
  });

  test('express routes keep their template, under /api with the mount point', () => {
    assert.equal(routeOf('/api/channels/demo/events', '/channels/:slug/events', 200), '/api/channels/:slug/events');
    // An error answered after the route matched still counts under it.
    assert.equal(routeOf('/api/channels/Bad!', '/channels/:slug', 400), '/api/channels/:slug');
    assert.equal(routeOf('/watch/demo', '/watch/:slug', 200), '/watch/:slug');
    assert.equal(routeOf('/healthz', '/healthz', 200), '/healthz');
    assert.equal(routeOf('/metrics', '/metrics', 401), '/metrics');
  });

  test('page assets are "static"; misses, unknown API paths and abandoned requests are "other"', () => {
    assert.equal(routeOf('/watch.js', undefined, 200), STATIC_ROUTE);
    assert.equal(routeOf('/img/logo.svg', undefined, 304), STATIC_ROUTE);
    assert.equal(routeOf('/etc/passwd', undefined, 404), OTHER_ROUTE);
    assert.equal(routeOf('/api/nothing-here', undefined, 404), OTHER_ROUTE);
    assert.equal(routeOf('/api/nothing-here', undefined, 200), OTHER_ROUTE);
    assert.equal(routeOf('/watch.js', undefined, undefined), OTHER_ROUTE);
  });
});
