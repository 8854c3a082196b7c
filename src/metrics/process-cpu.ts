// CPU time another process (an FFmpeg run) has used, read from the OS by pidusage: /proc on Linux, ps elsewhere.
import pidusage from 'pidusage';

/** User plus system CPU seconds of process `pid` so far; undefined once it is gone. */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    return (await pidusage(pid)).ctime / 1000;
  } catch {
    // The run ended between the status read and this one: it has no figure any more.
    return undefined;
  }
}
