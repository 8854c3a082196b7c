// What a shared link to a product page or a replay shows (og:title, og:image): the channel's or the show's title and
// the live poster or the replay's poster.
import { livePosterUrl, replayUrls } from '../media-names.js';
import type { PagePreview, PagePreviews } from '../origin/ports.js';
import type { ChannelRepository, ShowRepository } from '../store/ports.js';
import type { RecordingReader } from './replay.js';

export class LinkPreviews implements PagePreviews {
  readonly #channels: Pick<ChannelRepository, 'bySlug'>;
  readonly #shows: Pick<ShowRepository, 'byId'>;
  readonly #recordings: Pick<RecordingReader, 'view'>;

  constructor(opts: { channels: Pick<ChannelRepository, 'bySlug'>; shows: Pick<ShowRepository, 'byId'>; recordings: Pick<RecordingReader, 'view'> }) {
    this.#channels = opts.channels;
    this.#shows = opts.shows;
    this.#recordings = opts.recordings;
  }

  watch(slug: string): PagePreview | undefined {
    const channel = this.#channels.bySlug(slug);
    if (channel === undefined) return undefined;
    return { title: channel.title, description: `Shop live with ${channel.title}: watch, ask in chat, buy what is shown.`, imagePath: livePosterUrl(slug) };
  }

  replay(showId: string): PagePreview | undefined {
    const show = this.#shows.byId(showId);
    if (show === undefined || this.#recordings.view(showId)?.status !== 'ready') return undefined;
    const day = new Date(show.startedAt).toLocaleDateString('en', { dateStyle: 'long', timeZone: 'UTC' });
    return { title: `${show.title} (replay)`, description: `The live show of ${day}, with every product shown.`, imagePath: replayUrls(showId).posterUrl };
  }
}
