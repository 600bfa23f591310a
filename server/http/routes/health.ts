import { Router } from 'express';
import type { Deps } from '../../context.ts';
import { errors } from '../../errors.ts';
import { metricsScrapeAllowed } from '../../metrics.ts';

export function healthRoutes(deps: Deps): Router {
  // Exact paths only: Express otherwise also answers /METRICS and /metrics/, spellings a proxy
  // rule that hides /metrics from the internet may not think of.
  const router = Router({ caseSensitive: true, strict: true });

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  router.get('/metrics', async (req, res) => {
    if (!metricsScrapeAllowed(deps.config.metrics.token, req.get('authorization'))) {
      res.set('WWW-Authenticate', 'Bearer');
      throw errors.unauthenticated('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
