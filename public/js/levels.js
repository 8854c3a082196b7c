// Names for hls.js quality levels as shoppers know them: "720p" from the short side, so portrait video reads right.

/**
 * @param {{ width?: number, height?: number, bitrate?: number }} level
 * @returns {string}
 */
function baseLabel(level) {
  const short = Math.min(level.width || Infinity, level.height || Infinity);
  if (Number.isFinite(short)) return `${short}p`;
  return `${Math.round((level.bitrate || 0) / 1000)} kbps`;
}

/**
 * One label per level, in hls.js order; levels sharing a resolution get their bitrate added.
 * @param {Array<{ width?: number, height?: number, bitrate?: number }>} levels
 * @returns {string[]}
 */
export function levelLabels(levels) {
  const bases = levels.map(baseLabel);
  return bases.map((base, i) =>
    bases.indexOf(base) === bases.lastIndexOf(base)
      ? base
      : `${base} · ${Math.round((levels[i]?.bitrate || 0) / 1000)} kbps`,
  );
}

/**
 * Level indexes from the best to the lowest, as a quality menu lists them.
 * @param {Array<{ height?: number, width?: number, bitrate?: number }>} levels
 * @returns {number[]}
 */
export function bestFirst(levels) {
  const area = (l) => (l.width || 0) * (l.height || 0);
  return levels
    .map((_, i) => i)
    .sort((a, b) => area(levels[b]) - area(levels[a]) || (levels[b].bitrate || 0) - (levels[a].bitrate || 0));
}
