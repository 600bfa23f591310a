import compression from 'compression';
import cors from 'cors';
import express, { type Express, type IRoute } from 'express';
import { SOCKET_LIMITS } from '../../contract/index.ts';
import type { Deps } from '../context.ts';
import { errors } from '../errors.ts';
import { identify } from './auth.ts';
import { corsOrigin, originAllowed } from '../domain/origins.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { buildAsyncApi } from './asyncapi.ts';
import { buildOpenApi } from './openapi.ts';
import { adminRoutes } from './routes/admin.ts';
import { commentRoutes } from './routes/comments.ts';
import { consoleRoutes } from './routes/console.ts';
import { dataRequestRoutes } from './routes/data-requests.ts';
import { healthRoutes } from './routes/health.ts';
import { moderationRoutes } from './routes/moderation.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { threadRoutes } from './routes/threads.ts';
import { widgetRoutes } from './routes/widget.ts';

export function createHttpApp(deps: Deps, version: string): Express {
  const { trustedProxies, allowedOrigins } = deps.config.limits;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.ip believes X-Forwarded-For only from these proxies (per-IP limits depend on it).
  app.set('trust proxy', trustedProxies.length > 0 ? trustedProxies : false);

  app.use((req, res, next) => {
    const end = deps.metrics.ackLatency.startTimer({ transport: 'http' });
    res.on('finish', () => end({ operation: `${req.method} ${(req.route as IRoute | undefined)?.path ?? 'unmatched'}` }));
    next();
  });

  // Scripts and JSON pages shrink 3-5x with gzip/brotli; the threshold spares small answers the CPU.
  // Engine.IO's long-polling compresses its own responses (this app never sees them).
  app.use(compression({ threshold: deps.config.transfer.httpCompressionThresholdBytes }));
  app.use(healthRoutes(deps));
  app.use(widgetRoutes(deps.config.pages));
  app.use(consoleRoutes(deps.config.pages));
  const openapi = buildOpenApi(version);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const asyncapi = buildAsyncApi(version);
  app.get('/api/asyncapi.json', (_req, res) => {
    res.json(asyncapi);
  });

  // Host sites call the API from their pages: CORS for the allowed origins, and
  // a browser request from any other origin is refused outright.
  app.use('/api', cors({ origin: corsOrigin(allowedOrigins), maxAge: 600 }));
  app.use('/api', (req, _res, next) => {
    const origin = req.get('origin');
    if (!originAllowed(allowedOrigins, origin)) throw errors.forbidden(`Origin ${origin} is not allowed`);
    next();
  });
  app.use('/api', express.json({ limit: SOCKET_LIMITS.maxPayloadBytes, strict: true }));
  app.use('/api', identify(deps));
  app.use(threadRoutes(deps));
  app.use(commentRoutes(deps));
  app.use(notificationRoutes(deps));
  app.use(dataRequestRoutes(deps));
  app.use(moderationRoutes(deps));
  app.use(adminRoutes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler(deps));
  return app;
}
