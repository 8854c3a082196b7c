// Reads shopcast's DASH manifest the way a player does: over HTTP, parsed as XML.
import { XMLParser } from 'fast-xml-parser';

export interface MpdSegmentTemplate {
  timescale: string;
  startNumber: string;
  initialization: string;
  media: string;
  availabilityTimeOffset?: string;
  availabilityTimeComplete?: string;
  SegmentTimeline: { S: Array<{ t?: string; d: string; r?: string }> };
}
export interface MpdRepresentation {
  id: string;
  bandwidth: string;
  codecs: string;
  width?: string;
  height?: string;
  BaseURL: string;
}
export interface MpdAdaptationSet {
  contentType: string;
  mimeType: string;
  SegmentTemplate: MpdSegmentTemplate;
  Representation: MpdRepresentation[];
}
export interface MpdPeriod {
  id: string;
  start: string;
  AdaptationSet: MpdAdaptationSet[];
}
export interface Mpd {
  type: 'dynamic' | 'static';
  ServiceDescription?: { Latency?: { target: string } };
  mediaPresentationDuration?: string;
  minimumUpdatePeriod?: string;
  UTCTiming?: Array<{ schemeIdUri: string; value: string }>;
  Period: MpdPeriod[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: (name) => ['Period', 'AdaptationSet', 'Representation', 'S', 'UTCTiming'].includes(name),
});

export function parseMpd(text: string): Mpd {
  return (parser.parse(text) as { MPD: Mpd }).MPD;
}

/** Media numbers of a period's segments, from its template's start number and timeline. */
export function segmentNumbers(template: MpdSegmentTemplate): number[] {
  const count = template.SegmentTimeline.S.reduce((n, s) => n + 1 + Number(s.r ?? 0), 0);
  return Array.from({ length: count }, (_, i) => Number(template.startNumber) + i);
}
