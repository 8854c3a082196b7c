import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { importGraph, withModulePreloads } from '../../../src/origin/module-preloads.js';

const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-preloads-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, 'js'));
const files: Record<string, string> = {
  'page.js': "import { a } from './js/a.js';\nimport './js/side.js';\nimport Hls from 'hls.js';\nconst later = () => import('./js/lazy.js');\n",
  'js/a.js': "import {\n  b,\n} from './b.js';\nexport { c } from '/js/c.js';\n/** @param {import('./types.js').T} t */\n",
  'js/b.js': "import { a } from './a.js';\nimport { gone } from './missing.js';\nimport x from '../../../etc/passwd';\n",
  'js/c.js': '',
  'js/side.js': '',
  'js/lazy.js': '',
  'js/types.js': '',
};
for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);

test('the static import graph of a module: every path it reaches once, not packages, dynamic imports or missing files', async () => {
  assert.deepEqual(await importGraph(dir, '/page.js'), ['/js/a.js', '/js/b.js', '/js/c.js', '/js/side.js']);
});

test('a page gets a modulepreload link per imported module in front of its module script', async () => {
  const html = '<head>\n  <script src="/vendor/hls.min.js" defer></script>\n  <script type="module" src="/page.js"></script>\n</head>';
  assert.equal(
    await withModulePreloads(html, dir),
    [
      '<head>',
      '  <script src="/vendor/hls.min.js" defer></script>',
      '  <link rel="modulepreload" href="/js/a.js">',
      '  <link rel="modulepreload" href="/js/b.js">',
      '  <link rel="modulepreload" href="/js/c.js">',
      '  <link rel="modulepreload" href="/js/side.js">',
      '  <script type="module" src="/page.js"></script>',
      '</head>',
    ].join('\n'),
  );
});
