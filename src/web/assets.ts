import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/**
 * The web application's static files, named by their content's hash (`app.3f2a9c1e.css`) so that
 * they are cached for a year and a new release is fetched at once. Read once at start: the
 * stylesheet and script of web/assets, and Chart.js from its package.
 */
export class Assets {
  private readonly byUrl = new Map<string, { content: Buffer; type: string }>();
  private readonly urls = new Map<string, string>();

  constructor() {
    const require = createRequire(import.meta.url);
    // chart.js exports no package.json; its main entry sits in dist/ beside the UMD build.
    const chartDir = path.dirname(path.dirname(require.resolve('chart.js')));
    const files: Array<[string, string]> = [
      ['app.css', path.join(ROOT, 'web/assets/app.css')],
      ['app.js', path.join(ROOT, 'web/assets/app.js')],
      ['favicon.svg', path.join(ROOT, 'web/assets/favicon.svg')],
      ['chart.umd.min.js', path.join(chartDir, 'dist/chart.umd.min.js')],
    ];
    for (const [name, file] of files) {
      const content = readFileSync(file);
      const hash = createHash('sha256').update(content).digest('hex').slice(0, 12);
      const ext = path.extname(name);
      const url = `/assets/${name.slice(0, -ext.length)}.${hash}${ext}`;
      this.urls.set(name, url);
      this.byUrl.set(url, { content, type: TYPES[ext] ?? 'application/octet-stream' });
    }
  }

  url(name: string): string {
    const url = this.urls.get(name);
    if (!url) throw new Error(`no asset ${name}`);
    return url;
  }

  /** Serves /assets/<name>.<hash>.<ext> with a year of immutable caching. */
  handler(): RequestHandler {
    return (req, res, next) => {
      const asset = this.byUrl.get(req.originalUrl.split('?')[0]!);
      if (!asset) return next();
      res.setHeader('Content-Type', asset.type);
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.send(asset.content);
    };
  }
}
