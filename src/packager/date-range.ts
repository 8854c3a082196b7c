// Generic timed metadata of a live show (EXT-X-DATERANGE): the packager carries ranges into the playlists without
// knowing what they mean, so commerce can put product pins on the video's timeline.

export interface DateRange {
  /** Unique within the show; setting a range again with the same id replaces it (e.g. to close it). */
  id: string;
  /** Reverse-DNS name of what the range means, e.g. `com.shopcast.pin`. */
  class: string;
  /** Wall clock, comparable with the program date time of segments. */
  startMs: number;
  /** Absent while the range is open. */
  endMs?: number;
  /** Client attributes: names `X-<A-Z0-9->`, values written as quoted strings. */
  attributes: Readonly<Record<string, string>>;
}

const CLIENT_ATTRIBUTE = /^X-[A-Z0-9-]+$/;
// A quoted-string may hold neither its quote nor a line break (RFC 8216bis 4.2), and HLS has no escapes.
const QUOTABLE = /^[^"\r\n]*$/;

/** Throws on a range a playlist cannot carry: a caller's bug, caught before it could corrupt every playlist. */
export function assertDateRange(range: DateRange): void {
  const fail = (why: string): never => {
    throw new Error(`date range "${range.id}": ${why}`);
  };
  if (range.id === '' || !QUOTABLE.test(range.id)) fail('id must be a non-empty quotable string');
  if (range.class === '' || !QUOTABLE.test(range.class)) fail('class must be a non-empty quotable string');
  if (!Number.isFinite(range.startMs)) fail('start must be a time');
  if (range.endMs !== undefined && !(range.endMs >= range.startMs)) fail('end must not precede the start');
  for (const [name, value] of Object.entries(range.attributes)) {
    if (!CLIENT_ATTRIBUTE.test(name)) fail(`attribute ${name} is not a client attribute (X-...)`);
    if (!QUOTABLE.test(value)) fail(`attribute ${name} holds a quote or a line break`);
  }
}

/** `#EXT-X-DATERANGE:ID="..",CLASS="..",START-DATE="..."[,END-DATE=".."],X-...="..."` */
export function renderDateRange(range: DateRange): string {
  const attributes = [
    `ID="${range.id}"`,
    `CLASS="${range.class}"`,
    `START-DATE="${new Date(range.startMs).toISOString()}"`,
    ...(range.endMs === undefined ? [] : [`END-DATE="${new Date(range.endMs).toISOString()}"`]),
    ...Object.entries(range.attributes).map(([name, value]) => `${name}="${value}"`),
  ];
  return `#EXT-X-DATERANGE:${attributes.join(',')}`;
}
