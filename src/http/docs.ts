import express, { type Router } from 'express';
import { createRequire } from 'node:module';

// absolute-path.js only resolves the folder; the package's main module would load the whole UI bundle.
const require = createRequire(import.meta.url);
const swaggerUiDir = (require('swagger-ui-dist/absolute-path.js') as () => string)();

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Vigie API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });`;

/** Mounted at /docs: Swagger UI served from the installed package (no CDN), reading /openapi.json. */
export function docsRouter(): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  router.use('/assets', express.static(swaggerUiDir, { index: false, maxAge: '1h' }));
  return router;
}
