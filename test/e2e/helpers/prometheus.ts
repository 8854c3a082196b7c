// Reads a /metrics answer the way Prometheus would: parsed by an independent text-format parser, then looked up by
// name and labels.
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from 'parse-prometheus-text-format';

export type { ParsedFamily, ParsedSample };

export interface Scrape {
  families: ParsedFamily[];
  family(name: string): ParsedFamily | undefined;
  /** Samples of `name` whose labels include `labels`; a histogram's are its counts (value: the `_count`). */
  samples(name: string, labels?: Record<string, string>): ParsedSample[];
  /** Sum of the values of those samples; 0 when there are none. */
  sum(name: string, labels?: Record<string, string>): number;
  /** Every label value of every sample of the metrics whose name starts with `prefix`. */
  labelValues(prefix?: string): string[];
}

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const byName = new Map(families.map((family) => [family.name, family]));
  const lines = text.split('\n');
  /**
   * The parser folds a labelled histogram into one sample without its labels; the family's `_count` lines alone parse
   * as an untyped metric that keeps them (the parser drops a last line that has no line break after it).
   */
  const histogramCounts = (name: string): ParsedSample[] =>
    parsePrometheusTextFormat(lines.filter((line) => line.startsWith(`${name}_count`)).map((line) => `${line}\n`).join(''))[0]?.metrics ?? [];
  const samples = (name: string, labels: Record<string, string> = {}): ParsedSample[] => {
    const family = byName.get(name);
    const all = family?.type === 'HISTOGRAM' ? histogramCounts(name) : (family?.metrics ?? []);
    return all.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  };
  return {
    families,
    family: (name) => byName.get(name),
    samples,
    sum: (name, labels) => samples(name, labels).reduce((total, sample) => total + Number(sample.value ?? 0), 0),
    labelValues: (prefix = '') =>
      families
        .filter((family) => family.name.startsWith(prefix))
        .flatMap((family) => samples(family.name).flatMap((sample) => Object.values(sample.labels ?? {}))),
  };
}
