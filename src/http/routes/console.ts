import express, { type Router } from 'express';
import { CONSOLE_CSP, CONSOLE_HTML } from '../console/console-page';

/**
 * GET / : the operator console, one self-contained page. It needs no token to load (it holds no
 * data); it asks for one when the API answers 401, and reads everything through the API.
 */
export function consoleRoutes(): Router {
  const router = express.Router();
  router.get(['/', '/console'], (_req, res) => {
    res
      .status(200)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': CONSOLE_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      })
      .send(CONSOLE_HTML);
  });
  return router;
}
