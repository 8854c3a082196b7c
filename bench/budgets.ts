/**
 * The gateway's resident memory budget with one stream live, which the README states, the bench reports and the
 * reliability tests assert. Measured: about 88 MiB idle, plus the segment cache (bounded at 32 MiB, and full with the
 * five-rung ladder's window), plus the parts of the newest five segments of every rung (about 8 MiB, in memory for
 * low-latency players), plus the show's pipes, playlists and viewers; at most 169 MiB seen on this machine.
 */
export const GATEWAY_RSS_BUDGET_MIB = 200;
