// A page's module scripts import each other, and a browser learns of an import only once the importing module has
// arrived: five levels deep cost five round trips before the player starts. The page tells the browser the whole
// static import graph up front (`<link rel="modulepreload">`), worked out from the files themselves so it cannot drift.
import { readFile } from 'node:fs/promises';
import path from 'node:path/posix';

/** `import … from '…'`, `export … from '…'` and `import '…'`; not `import('…')`, which loads later by design. */
const STATIC_IMPORT = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s+['"]([^'"]+)['"]/g;
const MODULE_SCRIPT = /<script type="module" src="([^"]+)"><\/script>/g;

/** Every module `entry` (a URL path under `publicDir`) imports, directly or not, as URL paths; files that exist only. */
export async function importGraph(publicDir: string, entry: string): Promise<string[]> {
  const seen = new Set<string>([entry]);
  const found: string[] = [];
  const visit = async (url: string, source: string): Promise<void> => {
    const children: string[] = [];
    for (const match of source.matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      // Bare names (a package) are not served as such; only paths are followed.
      if (!specifier.startsWith('./') && !specifier.startsWith('../') && !specifier.startsWith('/')) continue;
      const child = path.resolve(path.dirname(url), specifier);
      if (seen.has(child)) continue;
      seen.add(child);
      children.push(child);
    }
    for (const child of children) {
      const text = await readModule(publicDir, child);
      if (text === undefined) continue;
      found.push(child);
      await visit(child, text);
    }
  };
  const source = await readModule(publicDir, entry);
  if (source !== undefined) await visit(entry, source);
  return found;
}

/** `html` with a modulepreload link for each module its module scripts import, in front of each script. */
export async function withModulePreloads(html: string, publicDir: string): Promise<string> {
  let out = html;
  for (const [tag, entry] of [...html.matchAll(MODULE_SCRIPT)].map((m) => [m[0], m[1]!] as const)) {
    const links = (await importGraph(publicDir, entry)).map((url) => `<link rel="modulepreload" href="${url}">`);
    const indent = /\n([ \t]*)[^\n]*$/.exec(out.slice(0, out.indexOf(tag)))?.[1] ?? '';
    out = out.replace(tag, [...links, tag].join(`\n${indent}`));
  }
  return out;
}

async function readModule(publicDir: string, url: string): Promise<string | undefined> {
  // URL paths come from our own pages; a path leaving the folder is not followed all the same.
  const file = path.join(publicDir, path.normalize(url));
  if (!file.startsWith(`${publicDir}/`)) return undefined;
  return readFile(file, 'utf8').catch(() => undefined);
}
